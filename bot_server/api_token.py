"""Rasa's HTTP API token outside URLs and command lines.

- The server takes it from the environment: `python -m bot_server run` passes RASA_API_TOKEN to Rasa's
  `--auth-token` inside the process (bot_server/__main__.py), so `ps` and /proc/<pid>/cmdline never show it.
- Clients send it in the `X-Rasa-Token` header (compared in constant time). Rasa's `?token=` query
  parameter is refused (401, even with the right token): proxies, access logs and browser history record
  URLs, so a token that works there leaks. Nothing of ours sends it (console, devstack, tests use the
  header); an operator's curl sends `-H "X-Rasa-Token: $RASA_API_TOKEN"`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from inspect import isawaitable
from typing import Any

from bot_server.rasa_patches import original, register

HEADER = "X-Rasa-Token"
ENV = "RASA_API_TOKEN"
_TARGET = "rasa.server:requires_auth"


def auth_args(argv: list[str], env: dict[str, str]) -> list[str]:
    """`argv` with `--auth-token` from the environment when the command line names none (only for `run`)."""
    token = env.get(ENV, "")
    if not token or len(argv) < 2 or argv[1] != "run" or any(a.split("=")[0] == "--auth-token" for a in argv):
        return argv
    return [*argv, f"--auth-token={token}"]


def requires_auth(app: Any, token: str | None = None) -> Callable[[Any], Any]:
    """Rasa's decorator, plus: a request whose X-Rasa-Token header is the token is let through, and one
    with a `token` query parameter is refused."""
    from rasa.server import ErrorResponse

    rasa_decorator = original(_TARGET)(app, token)

    def decorator(handler: Any) -> Any:
        guarded = rasa_decorator(handler)

        @wraps(handler)
        async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
            if token and "token" in (request.args or {}):
                raise ErrorResponse(
                    401, "NotAuthenticated", f"Send the token in the {HEADER} header, never in the URL."
                )
            given = request.headers.get(HEADER)
            if token and given and hmac.compare_digest(given.encode(), token.encode()):
                result = handler(request, *args, **kwargs)
                return await result if isawaitable(result) else result
            return await guarded(request, *args, **kwargs)

        return decorated

    return decorator


def install() -> None:
    import rasa.server

    rasa.server.requires_auth = requires_auth  # create_app looks it up when it builds the routes


register(
    "the HTTP API token in a header",
    install,
    rasa_version="3.6.21",
    replaces={_TARGET: "b90315c4ea48b28b0022ee17587b71edf03c766421a88b1005d2d5303a3f4d12"},
)
