"""Reference sandbox of OCN's account system (Sanic + SQLite); see account_api/README.md."""
