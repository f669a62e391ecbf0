"""The web widget's socket.io channel, with conversations issued by the server and bound to the socket.

credentials.yml:

    channels.socketio.WebChatInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered

Rasa's own `socketio` channel lets a client join whatever session it names (`session_request` with
someone else's `session_id`) and trusts the `session_id` of every message. Here:

- **The server issues sessions.** `session_request` answers `session_confirm` with
  `{"session_id": <new random id>, "session_token": <proof>}`; the conversation is
  `web:<session_id>` (channels/senders.py) and belongs to that socket until it disconnects.
- **Resuming needs proof.** A returning widget sends `{"session_id", "session_token"}` it was given;
  the token (channels/session_tokens.py: signed under WEB_SESSION_SECRET, expiring, one use: a resume
  confirms with a new token) is checked. Anything else (no token, a wrong, used, revoked or expired
  one, a bare session id as stock clients send) gets a *fresh* session, so standard clients
  (rasa-webchat, python-socketio) keep working but never join a foreign conversation.
- **Ending a session**: `session_end` (the widget's 「最初から」, the host page's sign-out) revokes the
  token of the socket's session, or of `{"session_id", "session_token"}` it proves; the socket then
  has no session until it asks for one.
- **One socket speaks for a session** (review N3). When a session is resumed by another socket (its
  token rotated) or ended, the socket that spoke for it until then — on whatever Rasa server — is sent
  `session_ended` (`{"reason": "resumed_elsewhere" | "ended"}`, the widget says so politely) and is
  disconnected: it leaves every room, its binding is dropped, and it can neither send to nor hear from
  that conversation. Which socket speaks for a session is kept with the token (channels/
  session_tokens.py, Redis in the scaled mode); the disconnect reaches another server through
  python-socketio's Redis manager. (Not `close_room`: under the Redis manager it reaches this server
  after the new socket entered the room and would take it out too.)
- **Messages use the socket's session**, whatever `session_id` they carry. A socket that never asked
  for a session gets one with its first message (and a `session_confirm`).
- **Size before any NLU work**: engine.io refuses frames above twice RATE_LIMIT_MAX_BODY_BYTES (the
  webhook limit, default 16384) before decoding them, and a message whose text and metadata exceed
  the webhook limit is answered with `utter_too_long` without reaching Rasa. Per-conversation and
  per-client-IP rate limits: bot_server/rate_limit.py.
- **Only the help site's pages**: a connection whose `Origin` header is neither one of WEB_ORIGINS
  (bot_server/http_api.py) nor the chat server's own origin is refused. Browsers apply no CORS to
  WebSocket upgrades, so without this any web page could chat (and run procedures) in its visitor's
  name. Clients that are not web pages send no `Origin` and are let in.
- **Resent messages** (`message_id` in the `user_uttered` payload, see channels/resends.py): a copy of
  a message already handled runs nothing again; its stored replies are sent instead.
- **Acknowledgement**: each `user_uttered` is acknowledged (socket.io ack, once handled) with
  `{"message_id", "text"}`, `text` being the message as the tracker store keeps it (codes and phone
  numbers masked by bot_server/redaction.py): the widget keeps that in web storage, never what was typed.
- **Who is asking**: the message metadata gets `client_ref`, an opaque HMAC of the client address
  (channels/client_ref.py; a client-sent one is replaced); the account API limits codes by it.

Without WEB_SESSION_SECRET each process draws a random secret: sessions then resume only on the
server that issued them (set one shared secret and a shared WEB_SESSION_STORE_URL for several Rasa
servers; deploy/ does).

Reaching a web session from elsewhere (operator messages of the handoff):
- The room of a conversation is its sender id: `room_of("web:abc")` == "web:abc" (every socket of the
  session is in it, and Rasa's own output channel emits to it too).
- In the Rasa process: `await channels.socketio.send_to_session(sender_id, {"text": "..."})`, or use
  `channels.socketio.server()` (the running `socketio.AsyncServer`) directly.
- From another process (the console): with SOCKETIO_MESSAGE_QUEUE=redis://host:port/db set for Rasa,
  the server uses python-socketio's Redis manager; another process emits to the same room with
  `socketio.AsyncRedisManager(url, write_only=True).emit("bot_uttered", {...}, room=sender_id)`.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot_server import client_address, rate_limit
from bot_server.http_api import web_origins
from bot_server.redaction import redact_message
from channels.client_ref import with_client_ref
from channels.easy_japanese_output import FuriganaSocketIOOutput
from channels.resends import FIELD, InvalidMessageId, Resends, client_message_id
from channels.senders import WEB, web_sender, web_session_id
from channels.session_tokens import SessionTokens

logger = logging.getLogger(__name__)

_SESSION_ID_BYTES = 18  # 24 URL-safe characters, 144 random bits

_server: AsyncServer | None = None
_bot_message_evt = "bot_uttered"


def server() -> AsyncServer | None:
    """The socket.io server of the running web channel (None before Rasa registered it)."""
    return _server


def room_of(sender_id: str) -> str:
    """The socket.io room every socket of a web conversation is in: its sender id."""
    return sender_id


async def send_to_session(sender_id: str, message: dict[str, Any]) -> bool:
    """Show `message` (bot_uttered payload, e.g. {"text": ...}) in a web conversation; False if no server."""
    if _server is None:
        return False
    await _server.emit(_bot_message_evt, message, room=room_of(sender_id))
    return True


def origin_allowed(environ: dict[str, Any], allowed: list[str]) -> bool:
    """A socket.io connection's `Origin`: absent (not a web page), listed, or the server's own host."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return True
    origin = origin.rstrip("/")
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    host = (environ.get("HTTP_HOST") or "").split(",")[0].strip()
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host


class _AppBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that also remembers the Sanic app (for the domain's texts)."""

    def __init__(self, channel: WebChatInput, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        channel = self.ctx.channel
        channel.app = app
        # The websocket layer reads a whole frame before engine.io's size check.
        app.config.WEBSOCKET_MAX_SIZE = min(app.config.WEBSOCKET_MAX_SIZE, channel.max_frame_bytes)
        super().register(app, options)


def too_long(data: dict[str, Any], max_bytes: int) -> bool:
    try:
        size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        return True
    return size > max_bytes


def new_server(max_frame_bytes: int) -> AsyncServer:
    """The socket.io server; with SOCKETIO_MESSAGE_QUEUE every Rasa server reaches every session (Redis)."""
    options: dict[str, Any] = {"async_mode": "sanic", "cors_allowed_origins": []}
    options["max_http_buffer_size"] = max_frame_bytes
    queue_url = os.environ.get("SOCKETIO_MESSAGE_QUEUE")
    if queue_url:
        import socketio

        # The password apart from the URL (SOCKETIO_MESSAGE_QUEUE_PASSWORD): URLs end up in logs.
        password = os.environ.get("SOCKETIO_MESSAGE_QUEUE_PASSWORD") or None
        options["client_manager"] = socketio.AsyncRedisManager(queue_url, redis_options={"password": password})
    return AsyncServer(**options)


class SocketSessions:
    """Which web session each socket speaks for: bound only to a session the socket proves it was given
    (its resume token, rotated on every resume) or to a fresh one, and unbound when the session ends."""

    def __init__(self, sio: AsyncServer, tokens: SessionTokens) -> None:
        self.sio, self.tokens = sio, tokens
        self.session_of: dict[str, str] = {}  # socket id -> sender id

    async def start(self, sid: str, data: dict[str, Any]) -> str:
        """Bind `sid` to the session it proves it was given, or to a fresh one; confirm it."""
        claimed, token = data.get("session_id"), data.get("session_token")
        next_token = await self.tokens.resume(claimed, token)
        resumed = next_token is not None
        session_id = claimed if resumed else secrets.token_urlsafe(_SESSION_ID_BYTES)
        previous = self.session_of.get(sid)
        if previous and previous != web_sender(session_id):
            self.sio.leave_room(sid, room_of(previous))
            # No longer this socket's: a later resume of it must not disconnect this socket. (Still bound
            # here means nobody resumed it elsewhere, so the registry names this socket or nobody.)
            await self.tokens.bind_socket(web_session_id(previous), None)
        sender_id = web_sender(session_id)
        self.session_of[sid] = sender_id
        self.sio.enter_room(sid, room_of(sender_id))
        await self._end_socket(await self.tokens.bind_socket(session_id, sid), "resumed_elsewhere")
        if claimed and not resumed:
            logger.info("socket.io session request without valid proof: a fresh session was issued.")
        new_token = next_token or await self.tokens.issue(session_id)
        confirm = {"session_id": session_id, "session_token": new_token, "resumed": resumed}
        await self.sio.emit("session_confirm", confirm, room=sid)
        return sender_id

    async def end(self, sid: str, data: dict[str, Any]) -> bool:
        """Revokes the socket's session (or the one `data` proves) and unbinds the socket from it."""
        bound = self.session_of.pop(sid, None)
        if bound:
            self.sio.leave_room(sid, room_of(bound))
            await self.tokens.revoke(web_session_id(bound))
            await self._end_socket(await self.tokens.bind_socket(web_session_id(bound), None), "ended", sid)
            return True
        session_id = data.get("session_id")
        if not await self.tokens.revoke_with_proof(session_id, data.get("session_token")):
            return False
        await self._end_socket(await self.tokens.bind_socket(session_id, None), "ended", sid)
        return True

    async def _end_socket(self, other: str | None, reason: str, this: str | None = None) -> None:
        """The socket that spoke for a session until now (on any server) is told and disconnected."""
        if other is None or other == this:
            return
        await self.sio.emit("session_ended", {"reason": reason}, to=other)
        await self.sio.disconnect(other)

    async def forget(self, sid: str) -> None:
        """A socket disconnected: it no longer speaks for its session here or in the registry (review 3,
        N3: bindings piled up, and MemoryRegistry's oldest-first eviction could drop a live one)."""
        bound = self.session_of.pop(sid, None)
        if bound:
            await self.tokens.unbind_socket(web_session_id(bound), sid)

    async def sender_of(self, sid: str) -> str:
        """The socket's session, or a fresh one when it sends before asking for one."""
        return self.session_of.get(sid) or await self.start(sid, {})


class WebChatInput(InputChannel):
    """socket.io input channel with server-issued, socket-bound sessions (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        tokens: SessionTokens | None = None,
        max_body_bytes: int | None = None,
        allowed_origins: list[str] | None = None,
    ) -> None:
        self.user_message_evt, self.bot_message_evt = user_message_evt, bot_message_evt
        self.socketio_path = socketio_path
        self.tokens = tokens or SessionTokens.from_env()
        self.max_body_bytes = max_body_bytes or rate_limit.max_body_bytes()
        self.max_frame_bytes = 2 * self.max_body_bytes
        self.allowed_origins = web_origins() if allowed_origins is None else allowed_origins
        self.sio: AsyncServer | None = None
        self.app: Sanic | None = None
        self.sessions: SocketSessions | None = None
        self.resends = Resends()

    def get_output_channel(self) -> OutputChannel | None:
        return FuriganaSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        global _server, _bot_message_evt
        sio = new_server(self.max_frame_bytes)
        self.sio = _server = sio
        self.sessions = sessions = SocketSessions(sio, self.tokens)
        _bot_message_evt = self.bot_message_evt
        blueprint = _AppBlueprint(self, sio, self.socketio_path, "socketio_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            if origin_allowed(environ, self.allowed_origins):
                return True
            logger.info("Refused a socket.io connection from a page outside WEB_ORIGINS.")
            return False

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            await sessions.forget(sid)

        @sio.on("session_end")
        async def session_end(sid: str, data: Any) -> dict[str, bool]:
            return {"ended": await sessions.end(sid, data if isinstance(data, dict) else {})}

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            await sessions.start(sid, data if isinstance(data, dict) else {})

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> dict[str, Any] | None:
            return await self._handle_message(sid, data, on_new_message)

        return blueprint

    async def _handle_message(
        self, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> dict[str, Any] | None:
        """Handles one `user_uttered`; the result is the client's acknowledgement (module docstring)."""
        assert self.sio is not None
        if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
            return None
        try:
            client_id = client_message_id(data.get(FIELD))
        except InvalidMessageId:
            logger.info("socket.io message with a malformed message_id: handled without it.")
            client_id = None
        acknowledgement = {FIELD: client_id, "text": redact_message(data.get("message", ""))}
        await self._accept(sid, data, client_id, on_new_message)
        return acknowledgement

    async def _accept(
        self,
        sid: str,
        data: dict[str, Any],
        client_id: str | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        assert self.sio is not None and self.sessions is not None
        sender_id = await self.sessions.sender_of(sid)
        output = FuriganaSocketIOOutput(self.sio, self.bot_message_evt)
        environ = self.sio.get_environ(sid) or {}
        request = environ.get("sanic.request")
        ip = client_address.request_ip(request) if request else "unknown"
        if too_long(data, self.max_body_bytes):
            logger.info("Refused an over-long socket.io message.")
            await output.send_text_message(sender_id, self._text(rate_limit.BODY_RESPONSE))
            return
        allowed = rate_limit.client_is_exempt(ip) or (await rate_limit.hit_client("socketio", ip))[0]
        if not allowed:
            await output.send_text_message(sender_id, self._text(rate_limit.RATE_RESPONSE))
            return
        metadata = data.get("metadata")
        message = UserMessage(
            data.get("message", ""),
            output,
            sender_id,
            input_channel=self.name(),
            metadata=with_client_ref(metadata, "address", ip),
        )
        agent = getattr(self.app.ctx, "agent", None) if self.app else None
        await self.resends.deliver(message, client_id, on_new_message, agent)

    def _text(self, response_name: str) -> str:
        agent = getattr(self.app.ctx, "agent", None) if self.app else None
        return rate_limit.response_text(getattr(agent, "domain", None), response_name)


__all__ = ["WEB", "SessionTokens", "WebChatInput", "origin_allowed", "room_of", "send_to_session", "server"]
