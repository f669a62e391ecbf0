"""The help-site page with the chat widget (`python -m web`); see docs/web.md."""
