"""Which web pages may use the Rasa server from a browser: WEB_ORIGINS.

WEB_ORIGINS lists the origins of the pages that embed the chat widget, comma-separated (`make run`:
the help page on loopback, `http://127.0.0.1:8080,http://localhost:8080`; production: the origin of
the help site that embeds the widget). Only they
- get CORS answers from Rasa (HTTP API and channels): the patch below makes Rasa's CORS setup use
  WEB_ORIGINS when the command line gives no `--cors`, so no server is started with `--cors "*"`;
- may open a socket.io connection (with the chat server's own origin; channels/socketio.py), since
  browsers apply no CORS to WebSocket upgrades.
Unset: no cross-origin page at all.

The HTTP API's token (RASA_API_TOKEN, from the environment, sent in the X-Rasa-Token header) is
bot_server/api_token.py; `make run` generates one per checkout (devstack/api_token.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from bot_server.rasa_patches import original, register

_CONFIGURE_CORS = "rasa.server:configure_cors"


def web_origins(env: Mapping[str, str] | None = None) -> list[str]:
    """WEB_ORIGINS as a list of `scheme://host[:port]` (trailing slashes dropped)."""
    raw = (os.environ if env is None else env).get("WEB_ORIGINS", "")
    return [origin.strip().rstrip("/") for origin in raw.replace(" ", ",").split(",") if origin.strip()]


def cors_origins(given: Any, env: Mapping[str, str] | None = None) -> Any:
    """What Rasa's CORS setup gets: the command line's `--cors` when given, else WEB_ORIGINS."""
    return given if given else web_origins(env)


def configure_cors(app: Any, cors_origins_given: Any = "") -> None:
    original(_CONFIGURE_CORS)(app, cors_origins(cors_origins_given))


def install() -> None:
    import rasa.server

    # rasa.core.run and create_app both look the name up in rasa.server when they build the app.
    rasa.server.configure_cors = configure_cors


register(
    "CORS only for the web origins",
    install,
    rasa_version="3.6.21",
    replaces={_CONFIGURE_CORS: "4eb39526bd4aa4a9e4009c3e2ccab3e37d7ffcef24841fc765bf909f2b4eba72"},
)
