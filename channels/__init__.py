"""Custom Rasa input channels.

`channels.line.LineInput` connects the LINE Messaging API; its parts are `channels/line_*.py`
(start with the docstring of `channels/line.py`, then docs/line.md).
"""
