"""Rasa graph components for Japanese customer messages (referenced from config.yml)."""
