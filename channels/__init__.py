"""Custom Rasa input channels.

`channels.line.LineInput` connects the LINE Messaging API (see docs/line.md).
"""
