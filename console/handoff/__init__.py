"""Handoff pages of the console: the queue, taking a conversation, chatting, handing back."""
