"""A Sanic server with our channels registered the way `rasa run` does, and a socket.io client for it."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any

import socketio
from line_fakes import LoopThread, StubBot
from rasa.core.channels.channel import InputChannel, register
from sanic import Sanic

from bot_server import rate_limit


class WebChannelServer:
    """`channel` (and `more` channels) on a Sanic app with a stub bot; `limits` adds bot_server.rate_limit."""

    def __init__(
        self, loop: LoopThread, channel: InputChannel, bot: StubBot, *more: InputChannel, limits: bool = False
    ) -> None:
        self.loop_thread, self.channel, self.bot = loop, channel, bot
        self.channels = [channel, *more]
        self.limits = limits
        self.url = ""
        self._server: Any = None

    async def start(self) -> None:
        Sanic.test_mode = True  # several apps in one process (see line_fakes.ChannelServer)
        app = Sanic(f"web_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
        app.ctx.agent = self.bot
        if self.limits:
            rate_limit.install(app)
        register(self.channels, app, route="/webhooks/")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await self._server.startup()
        await self._server.before_start()
        await self._server.after_start()

    async def stop(self) -> None:
        await self._server.before_stop()
        self._server.close()
        await self._server.wait_closed()
        await self._server.after_stop()


class WebClient:
    """A python-socketio client speaking Rasa's session_request / user_uttered protocol."""

    def __init__(self, loop: LoopThread, url: str) -> None:
        self.loop_thread, self.url = loop, url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "session_ended"):
            self.sio.on(name, self._recorder(name))
        self.sio.on("disconnect", self._recorder("disconnect"))

    def _recorder(self, name: str) -> Any:
        async def record(data: Any = None) -> None:
            await self.events.put((name, data))

        return record

    def connect(self, transports: list[str] | None = None, origin: str | None = None) -> WebClient:
        """Connects; `origin`: the Origin header a browser would send for a page of that origin."""
        headers = {"Origin": origin} if origin else {}
        self.loop_thread.run(self.sio.connect(self.url, headers=headers, transports=transports or ["websocket"]))
        return self

    def emit(self, event: str, data: Any) -> None:
        self.loop_thread.run(self.sio.emit(event, data))

    def call(self, event: str, data: Any, timeout: float = 20.0) -> Any:
        """Emits `event` and returns the server's acknowledgement."""
        return self.loop_thread.run(self.sio.call(event, data, timeout=timeout), timeout + 1)

    def next(self, name: str, timeout: float = 10.0) -> Any:
        """The next event called `name` (others before it are dropped)."""

        async def wait() -> Any:
            while True:
                kind, data = await asyncio.wait_for(self.events.get(), timeout)
                if kind == name:
                    return data

        return self.loop_thread.run(wait(), timeout + 1)

    def session(self, data: Any = None) -> dict[str, Any]:
        self.emit("session_request", data if data is not None else {})
        return self.next("session_confirm")

    def say(self, text: str, session_id: str | None = None) -> dict[str, Any]:
        self.emit("user_uttered", {"message": text, "session_id": session_id})
        return self.next("bot_uttered")

    def close(self) -> None:
        self.loop_thread.run(self.sio.disconnect())
