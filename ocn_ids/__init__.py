"""Parsing and normalization of what customers type: IDs, codes and which-ID keywords.

Shared by the NLU pipeline (nlu_components) and the action server (actions), so both
agree on what a customer number or one-time code looks like.
"""
