"""The whole product on one machine: account sandbox, action server, Rasa server, web page."""
