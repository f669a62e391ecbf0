"""Rasa's HTTP API (`--enable-api`: conversations, model, ...): who may call it, from which web pages.

Settings of the Rasa server (read here, and nowhere else):

- RASA_AUTH_TOKEN: the token every HTTP API call must carry. `make run` generates one per checkout in
  `var/rasa_api_token` (mode 0600, git-ignored; devstack/api_token.py); the scaled mode keeps its own
  under its state directory; Kubernetes takes it from a Secret. The console and the tests read the same
  variable.
- WEB_ORIGINS: the origins of the web pages that embed the chat widget, comma-separated
  (`make run`: the help page on loopback; production: `https://support.ocn.ne.jp`). Only they get CORS
  answers from Rasa (`--cors`), and only they (and the chat's own origin) may open a socket.io
  connection (channels/socketio.py). Unset: no cross-origin page at all.

`python -m bot_server run` (devstack, deploy, Kubernetes) hands both to Rasa's CLI inside the process
(`rasa_argv`): the token never appears on a command line (`ps`, /proc/<pid>/cmdline). It refuses to
open the HTTP API without a token. A plain `rasa run` must be given `--auth-token` on its command line:
Rasa 3.6 reads the token from nowhere else.

How a client presents the token: `Authorization: Bearer <token>` (the patch below; the console, the
tests and the tools do this), or Rasa's own `?token=<token>`, which ends up in access logs and should
be avoided.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from inspect import isawaitable
from typing import Any

from bot_server.rasa_patches import original, register

_REQUIRES_AUTH = "rasa.server:requires_auth"


def auth_token(env: Mapping[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get("RASA_AUTH_TOKEN", "").strip()


def web_origins(env: Mapping[str, str] | None = None) -> list[str]:
    """WEB_ORIGINS as a list of `scheme://host[:port]` (trailing slashes dropped)."""
    raw = (os.environ if env is None else env).get("WEB_ORIGINS", "")
    return [origin.strip().rstrip("/") for origin in raw.replace(" ", ",").split(",") if origin.strip()]


def _has_option(args: Sequence[str], *names: str) -> bool:
    return any(arg == name or arg.startswith(name + "=") for arg in args for name in names)


def rasa_argv(argv: Sequence[str], env: Mapping[str, str] | None = None) -> list[str]:
    """Rasa's command line for `run` with the token and the web origins from the environment added
    (unless the command line already has them). SystemExit for an HTTP API without any token."""
    args = list(argv)
    if args[1:2] != ["run"]:
        return args
    token = auth_token(env)
    if token and not _has_option(args, "--auth-token", "-t"):
        args.append(f"--auth-token={token}")  # one argument: a token may start with "-"
    origins = web_origins(env)
    if origins and not _has_option(args, "--cors"):
        args += ["--cors", *origins]
    if "--enable-api" in args and not _has_option(args, "--auth-token", "-t"):
        raise SystemExit(
            "Refusing to start Rasa's HTTP API without a token: set RASA_AUTH_TOKEN (make run does it for you)."
        )
    return args


def _bearer(request: Any) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def requires_auth(app: Any, token: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Rasa's `requires_auth`, and also `Authorization: Bearer <the token>` (Rasa 3.6 reads the token
    only from the URL; a Bearer value that is not the token goes on to Rasa's own check, e.g. a JWT)."""
    rasa_requires_auth = original(_REQUIRES_AUTH)

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        checked = rasa_requires_auth(app, token)(handler)

        @wraps(handler)
        async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
            provided = _bearer(request)
            if token and provided and hmac.compare_digest(provided.encode(), token.encode()):
                result = handler(request, *args, **kwargs)
                return await result if isawaitable(result) else result
            return await checked(request, *args, **kwargs)

        return decorated

    return decorator


def install() -> None:
    import rasa.server

    rasa.server.requires_auth = requires_auth  # create_app looks the name up when it builds the routes


register(
    "HTTP API token in an Authorization header",
    install,
    rasa_version="3.6.21",
    replaces={_REQUIRES_AUTH: "b90315c4ea48b28b0022ee17587b71edf03c766421a88b1005d2d5303a3f4d12"},
)
