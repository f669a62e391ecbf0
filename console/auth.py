"""Sign-in, sessions and CSRF for every console page.

Default deny: a request-middleware requires a live session for every path except the
sign-in page, static files, the health check and the desk API (which takes the service
token instead). Unsafe methods also need the session's CSRF token (form field or header).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json, redirect

from bot_server.forwarded import client_address as forwarded_client
from console.store import Operator, Store

SESSION_COOKIE = "console_session"
SIGNIN_COOKIE = "console_signin"  # double-submit token for the sign-in form itself
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# /desk/ and /metrics check their own bearer tokens (the bot's; the monitoring system's).
PUBLIC_PREFIXES = ("/signin", "/static/", "/healthz", "/desk/", "/metrics")
MIN_PASSWORD_CHARS = 12
# Wrong passwords for one account from one address, and from one address for any account, before the
# sign-in form refuses (even the right password) until the oldest failure is this old.
SIGNIN_FAILURES_ALLOWED = 10
SIGNIN_FAILURES_PER_ADDRESS = 50
SIGNIN_FAILURE_WINDOW_SECONDS = 15 * 60

_hasher = PasswordHasher()
# Verifying against this when the user is unknown keeps the timing the same as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def check_password(store: Store, username: str, password: str) -> Operator | None:
    found = store.operators.password_hash(username)
    try:
        _hasher.verify(found[1] if found else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if found is None:
        return None
    if _hasher.check_needs_rehash(found[1]):
        store.operators.set_password(username, _hasher.hash(password))
    return found[0]


class SigninThrottle:
    """Counts failed sign-ins per (address, username) and per address, in this process (the console
    runs one worker); keys forgotten once their failures are older than the window."""

    def __init__(self, window: float = SIGNIN_FAILURE_WINDOW_SECONDS) -> None:
        self.window = window
        self._failures: dict[str, list[float]] = {}

    def _keys(self, address: str, username: str) -> list[tuple[str, int]]:
        return [(f"{address}\x1f{username}", SIGNIN_FAILURES_ALLOWED), (address, SIGNIN_FAILURES_PER_ADDRESS)]

    def _recent(self, key: str, now: float) -> list[float]:
        recent = [t for t in self._failures.get(key, []) if now - t < self.window]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def blocked(self, address: str, username: str) -> bool:
        now = time.monotonic()
        return any(len(self._recent(key, now)) >= limit for key, limit in self._keys(address, username))

    def failed(self, address: str, username: str) -> None:
        now = time.monotonic()
        for key, _ in self._keys(address, username):
            self._failures.setdefault(key, []).append(now)


def client_address(request: Request) -> str:
    """The operator's address for the sign-in throttle: the peer's, or from X-Forwarded-For when the peer
    is one of CONSOLE_TRUSTED_PROXIES (a reverse proxy in front), by bot_server/forwarded.py's rule. Keyed
    on the proxy's address instead, one guesser would lock every operator out."""
    settings = request.app.ctx.settings
    return forwarded_client(request.ip or "", request.headers.getall("x-forwarded-for", []), settings.trusted_proxies)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def is_public(path: str) -> bool:
    return path == "/signin" or any(path.startswith(p) for p in PUBLIC_PREFIXES if p != "/signin")


def set_cookie(response: HTTPResponse, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if secure:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def install(app: Sanic) -> None:
    @app.on_request
    async def require_session(request: Request) -> HTTPResponse | None:
        request.ctx.session = None
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            settings = request.app.ctx.settings
            request.ctx.session = await asyncio.to_thread(
                request.app.ctx.store.sessions.live, token, settings.session_idle_seconds, settings.session_max_seconds
            )
        if is_public(request.path):
            return None
        if request.ctx.session is None:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                return redirect(f"/signin?next={quote(request.path)}")
            return json({"error": "not_signed_in"}, status=401)
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            # A page: its header shows the operator's status (console/presence.py).
            store = request.app.ctx.store
            request.ctx.presence = await asyncio.to_thread(store.presence.status, request.ctx.session.operator.id)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            given = request.headers.get(CSRF_HEADER)
            if given is None and request.form:
                given = request.form.get(CSRF_FIELD)
            if not same(given, request.ctx.session.csrf_token):
                return json({"error": "csrf"}, status=403)
        return None

    @app.on_response
    async def no_caching(request: Request, response: HTTPResponse) -> None:
        # Transcripts are customer data: never kept by the browser or a proxy; no framing.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        )
