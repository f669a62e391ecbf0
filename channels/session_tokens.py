"""The web widget's resume token: proof that the server issued a web session (channels/socketio.py).

A token is valid until the first of:
- its expiry: WEB_SESSION_TOKEN_TTL_SECONDS after it was issued (default 24 h);
- its use: a resume issues a new token and the used one stops working at once (rotation), so a token
  copied out of a browser's storage resumes nothing once the widget has reconnected with it, and one
  token resumes at most once;
- the end of the session: the widget's 「最初から」 and the host page's sign-out send `session_end`,
  which revokes it.

Form: `<expires>.<nonce>.<signature>`, the signature an HMAC-SHA256 under WEB_SESSION_SECRET of the
session id, expiry and nonce. Which nonce is current for a session is kept in a registry: in the
process (bounded), or in Redis when WEB_SESSION_STORE_URL is set (default: SOCKETIO_MESSAGE_QUEUE, the
Redis the scaled mode already gives every Rasa server; its password in the URL or in
WEB_SESSION_STORE_PASSWORD / SOCKETIO_MESSAGE_QUEUE_PASSWORD), so any server can resume, rotate and revoke.
Without WEB_SESSION_SECRET each process draws a random secret (sessions resume only where issued).

The registry also keeps which socket speaks for each session (`bind_socket`): a resume elsewhere or the
end of the session names the socket that spoke for it, whatever Rasa server holds it, so
channels/socketio.py can end that socket's part (review N3).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections import OrderedDict
from typing import Any, Protocol

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600
MAX_TOKEN_LENGTH = 200
MEMORY_MAX_SESSIONS = 100_000


class Registry(Protocol):
    async def set(self, session_id: str, nonce: str, expires: int) -> None: ...

    async def swap(self, session_id: str, old: str, new: str, expires: int) -> bool: ...

    async def delete(self, session_id: str) -> None: ...

    async def bind_socket(self, session_id: str, sid: str | None, expires: int) -> str | None: ...

    async def unbind_socket(self, session_id: str, sid: str) -> None: ...


class MemoryRegistry:
    """The current nonce of each session in this process (the oldest forgotten beyond `max_sessions`)."""

    def __init__(self, max_sessions: int = MEMORY_MAX_SESSIONS) -> None:
        self.max_sessions = max_sessions
        self._current: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._sockets: OrderedDict[str, str] = OrderedDict()

    async def set(self, session_id: str, nonce: str, expires: int) -> None:
        self._current[session_id] = (nonce, expires)
        self._current.move_to_end(session_id)
        while len(self._current) > self.max_sessions:
            self._current.popitem(last=False)

    async def swap(self, session_id: str, old: str, new: str, expires: int) -> bool:
        current = self._current.get(session_id)  # no await between the check and the set: atomic here
        if current is None or not hmac.compare_digest(current[0], old) or current[1] < time.time():
            return False
        await self.set(session_id, new, expires)
        return True

    async def delete(self, session_id: str) -> None:
        self._current.pop(session_id, None)

    async def bind_socket(self, session_id: str, sid: str | None, expires: int) -> str | None:
        """Records `sid` (None: no socket) as the session's socket; returns the one it replaces."""
        previous = self._sockets.pop(session_id, None)
        if sid is not None:
            self._sockets[session_id] = sid
            while len(self._sockets) > self.max_sessions:
                self._sockets.popitem(last=False)
        return previous

    async def unbind_socket(self, session_id: str, sid: str) -> None:
        """Forgets `sid` as the session's socket, only if it still is (a resume elsewhere has replaced it)."""
        if self._sockets.get(session_id) == sid:
            del self._sockets[session_id]


_SWAP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EXAT', ARGV[3])
  return 1
end
return 0
"""

_UNBIND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

_BIND = """
local previous = redis.call('GET', KEYS[1])
if ARGV[1] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2]) end
return previous
"""


class RedisRegistry:
    """The same in Redis, shared by every Rasa server (a swap is one Lua script: atomic)."""

    PREFIX = "ocn:web-session-token:"
    SOCKET_PREFIX = "ocn:web-session-socket:"

    def __init__(self, url: str, password: str | None = None) -> None:
        import redis.asyncio as aioredis

        options = {"password": password} if password else {}
        self.client = aioredis.from_url(url, socket_timeout=2, socket_connect_timeout=2, **options)

    async def set(self, session_id: str, nonce: str, expires: int) -> None:
        try:
            await self.client.set(self.PREFIX + session_id, nonce, exat=expires)
        except (RedisError, OSError) as error:  # the session works; it only cannot be resumed
            logger.warning("Web session registry unreachable (%s): the session cannot be resumed.", error)

    async def swap(self, session_id: str, old: str, new: str, expires: int) -> bool:
        try:
            return bool(await self.client.eval(_SWAP, 1, self.PREFIX + session_id, old, new, expires))
        except (RedisError, OSError) as error:  # fails closed: a fresh session instead of a resumed one
            logger.warning("Web session registry unreachable (%s): a fresh session is issued.", error)
            return False

    async def delete(self, session_id: str) -> None:
        try:
            await self.client.delete(self.PREFIX + session_id)
        except (RedisError, OSError) as error:
            logger.warning("Web session registry unreachable (%s): token not revoked, it expires.", error)

    async def bind_socket(self, session_id: str, sid: str | None, expires: int) -> str | None:
        try:
            previous = await self.client.eval(_BIND, 1, self.SOCKET_PREFIX + session_id, sid or "", expires)
        except (RedisError, OSError) as error:  # the socket of this server is still ended by the caller
            logger.warning("Web session registry unreachable (%s): an earlier socket may stay bound.", error)
            return None
        return previous.decode() if isinstance(previous, bytes) else previous

    async def unbind_socket(self, session_id: str, sid: str) -> None:
        try:
            await self.client.eval(_UNBIND, 1, self.SOCKET_PREFIX + session_id, sid)
        except (RedisError, OSError) as error:  # the binding expires with the session's token
            logger.warning("Web session registry unreachable (%s): a closed socket stays bound.", error)


class SessionTokens:
    """Issues, rotates and revokes resume tokens (see the module docstring)."""

    def __init__(
        self, secret: bytes, ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS, registry: Registry | None = None
    ) -> None:
        self.secret, self.ttl = secret, ttl_seconds
        self.registry: Registry = registry or MemoryRegistry()

    @classmethod
    def from_env(cls) -> SessionTokens:
        configured = os.environ.get("WEB_SESSION_SECRET", "")
        if not configured:
            logger.info("WEB_SESSION_SECRET unset: web sessions resume only on this server process.")
        secret = configured.encode() if configured else secrets.token_bytes(32)
        ttl = int(os.environ.get("WEB_SESSION_TOKEN_TTL_SECONDS") or DEFAULT_TOKEN_TTL_SECONDS)
        store_url = os.environ.get("WEB_SESSION_STORE_URL") or os.environ.get("SOCKETIO_MESSAGE_QUEUE")
        # The password may be kept apart from the URL (URLs end up in logs), as for socket.io's queue.
        password = os.environ.get("WEB_SESSION_STORE_PASSWORD") or os.environ.get("SOCKETIO_MESSAGE_QUEUE_PASSWORD")
        return cls(secret, ttl, RedisRegistry(store_url, password) if store_url else MemoryRegistry())

    def _sign(self, session_id: str, expires: int, nonce: str) -> str:
        digest = hmac.new(self.secret, f"{session_id}.{expires}.{nonce}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def _token(self, session_id: str, now: float | None) -> tuple[str, str, int]:
        expires = int((time.time() if now is None else now) + self.ttl)
        nonce = secrets.token_urlsafe(12)
        return f"{expires}.{nonce}.{self._sign(session_id, expires, nonce)}", nonce, expires

    def _signed_nonce(self, session_id: Any, token: Any, now: float | None) -> str | None:
        """The nonce of a well-formed, signed, unexpired token for `session_id` (None otherwise)."""
        if not isinstance(session_id, str) or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            return None
        expires_text, _, rest = token.partition(".")
        nonce, _, signature = rest.partition(".")
        if not expires_text.isdigit() or not nonce or int(expires_text) < (time.time() if now is None else now):
            return None
        valid = hmac.compare_digest(self._sign(session_id, int(expires_text), nonce), signature)
        return nonce if valid else None

    async def issue(self, session_id: str, now: float | None = None) -> str:
        """A token for a new session (the only current one)."""
        token, nonce, expires = self._token(session_id, now)
        await self.registry.set(session_id, nonce, expires)
        return token

    async def resume(self, session_id: Any, token: Any, now: float | None = None) -> str | None:
        """The next token when `token` is the current one for `session_id` (which it replaces), else None."""
        nonce = self._signed_nonce(session_id, token, now)
        if nonce is None:
            return None
        new_token, new_nonce, expires = self._token(session_id, now)
        return new_token if await self.registry.swap(session_id, nonce, new_nonce, expires) else None

    async def revoke(self, session_id: str) -> None:
        await self.registry.delete(session_id)

    async def bind_socket(self, session_id: str, sid: str | None) -> str | None:
        """Records the socket now speaking for the session (None: none); the one it replaces, if another."""
        previous = await self.registry.bind_socket(session_id, sid, int(time.time()) + self.ttl)
        return previous if previous != sid else None

    async def unbind_socket(self, session_id: str, sid: str) -> None:
        """A socket went away: no longer the session's socket, unless another has taken the session since."""
        await self.registry.unbind_socket(session_id, sid)

    async def revoke_with_proof(self, session_id: Any, token: Any) -> bool:
        """Revokes the session `token` is the current token of (a widget that was offline at 「最初から」)."""
        nonce = self._signed_nonce(session_id, token, None)
        if nonce is None:
            return False
        if await self.registry.swap(session_id, nonce, secrets.token_urlsafe(12), int(time.time()) + 1):
            await self.registry.delete(session_id)
            return True
        return False
