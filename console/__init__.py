"""The operator console: sign-in, the handoff queue and chat, and (issue 13) the insight pages."""
