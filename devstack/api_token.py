"""The token of this checkout's Rasa HTTP API (bot_server/api_token.py).

Generated once per checkout (per test stack: per temporary var directory) and kept in
`var/rasa_api_token`, mode 0600; `var/` is git-ignored, so the token is never committed. Every
program `make run` starts gets it in its environment (devstack/config.py): Rasa requires it
(RASA_API_TOKEN), the console and the tools send it in the X-Rasa-Token header (RASA_AUTH_TOKEN)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_NAME = "rasa_api_token"


def checkout_token(var_dir: Path) -> str:
    """The token in `var_dir`, created (0600, 32 random bytes) when there is none yet."""
    path = var_dir / FILE_NAME
    if path.exists():
        os.chmod(path, 0o600)  # a copied checkout may have widened it
        token = path.read_text().strip()
        if token:
            return token
        path.unlink()
    var_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(token + "\n")
    return token
