"""What the Rasa server needs beyond stock Rasa: redacting tracker stores, a reply when the
action server is down, and the entry point that installs them (`python -m bot_server`)."""
