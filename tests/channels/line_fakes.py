"""Fakes for the LINE channel tests: a fake LINE API server, a stub bot, signed events.

Everything real except LINE and the bot: the fake LINE API is aiohttp web on a free
loopback port, and the channel's Sanic blueprint is registered with Rasa's own
`register()` on a Sanic server; both run on one event loop in a background thread and the
tests talk plain HTTP to them with `requests`, like LINE would.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import threading
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import requests
from aiohttp import web
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from channels.line import LineInput

CHANNEL_SECRET = "test-channel-secret-0123456789"
ACCESS_TOKEN = "test-access-token-abcdef"
USER_ID = "U4af4980629aaaaaaaaaaaaaaaaaaaaaa"
GROUP_ID = "Ca56f94637cbbbbbbbbbbbbbbbbbbbbbb"


class LoopThread:
    """An asyncio loop in a daemon thread; `run` executes a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Awaitable[Any], timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class FakeLineApi:
    """Records reply / push / loading calls and fails on request.

    Like LINE: a reply token works once (reuse → 400 "Invalid reply token"), and a push
    whose X-Line-Retry-Key was already accepted gets 409.
    """

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.reply_failures: deque[tuple[int, dict[str, Any]]] = deque()
        self.push_failures: deque[int] = deque()
        # Seconds to wait before answering, per kind ("reply", "push", "loading").
        self.delays: dict[str, float] = {}
        self.used_reply_tokens: set = set()
        self.accepted_retry_keys: set = set()
        self.url = ""
        self._runner: web.AppRunner | None = None
        # Notified on every recorded call, so tests wait for a call instead of sleeping.
        self._changed = threading.Condition()

    def reset(self) -> None:
        self.calls.clear()
        self.reply_failures.clear()
        self.push_failures.clear()
        self.delays.clear()
        self.used_reply_tokens.clear()
        self.accepted_retry_keys.clear()

    def wait_for(self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 30.0) -> bool:
        """Waits until `predicate(calls)` holds (checked on every recorded call); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.calls), timeout)

    def of(self, kind: str) -> list[dict[str, Any]]:
        """Recorded calls of one kind: "reply", "push" or "loading"."""
        return [call for call in self.calls if call["kind"] == kind]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v2/bot/message/reply", self._reply)
        app.router.add_post("/v2/bot/message/push", self._push)
        app.router.add_post("/v2/bot/chat/loading/start", self._loading)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _record(self, kind: str, request: web.Request) -> web.Response | None:
        body = await request.json()
        with self._changed:
            self.calls.append({"kind": kind, "headers": dict(request.headers), "body": body})
            self._changed.notify_all()
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"message": "Authentication failed"}, status=401)
        if kind != "push":  # a push is accepted first, then (maybe) answered late
            await asyncio.sleep(self.delays.get(kind, 0.0))
        return None

    async def _reply(self, request: web.Request) -> web.Response:
        failed = await self._record("reply", request)
        if failed:
            return failed
        if self.reply_failures:
            status, body = self.reply_failures.popleft()
            return web.json_response(body, status=status)
        token = self.calls[-1]["body"].get("replyToken")
        if token in self.used_reply_tokens:
            return web.json_response({"message": "Invalid reply token"}, status=400)
        self.used_reply_tokens.add(token)
        return web.json_response({"sentMessages": []})

    async def _push(self, request: web.Request) -> web.Response:
        failed = await self._record("push", request)
        if failed:
            return failed
        key = request.headers.get("X-Line-Retry-Key")
        if key in self.accepted_retry_keys:
            return web.json_response({"message": "The retry key is already accepted"}, status=409)
        if self.push_failures:
            return web.json_response({"message": "Internal error"}, status=self.push_failures.popleft())
        if key:
            self.accepted_retry_keys.add(key)
        await asyncio.sleep(self.delays.get("push", 0.0))
        return web.json_response({"sentMessages": []})

    async def _loading(self, request: web.Request) -> web.Response:
        failed = await self._record("loading", request)
        return failed or web.json_response({}, status=202)


class StubBot:
    """Stands in for Rasa's agent: answers through the output channel like Rasa does
    (`send_response` with the response dict), chosen by the incoming text."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.slow_seconds = 0.0

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        out, to, text = message.output_channel, message.sender_id, message.text or ""
        if text == "slow":
            await asyncio.sleep(self.slow_seconds)
            await out.send_response(to, {"text": "お待たせしました。"})
        elif text == "boom":
            raise RuntimeError("bot crashed")
        elif text == "many":
            for number in range(1, 8):
                await out.send_response(to, {"text": f"メッセージ{number}"})
        elif text == "buttons":
            await out.send_response(to, {"text": "どれにしますか？", "buttons": BUTTONS})
        elif text == "long":
            await out.send_response(to, {"text": LONG_TEXT})
        elif text == "rich":
            image = "https://example.com/a.png"
            sticker = {"type": "sticker", "packageId": "446", "stickerId": "1988"}
            await out.send_response(to, {"text": "画像です。", "image": image})
            await out.send_response(to, {"custom": {"line": sticker}})
        elif text == "/greet":
            await out.send_response(to, {"text": "OCNサポートです。ご用件をどうぞ。"})
        else:
            await out.send_response(to, {"text": f"受け付けました: {text}"})


# 15 buttons: more than LINE's 13, a title longer than 20 characters, two links.
BUTTONS = [
    {"title": "はい", "payload": "/affirm"},
    {"title": "いいえ", "payload": "/deny"},
    {
        "title": "パスワードの再設定をお願いしたいです(OCNメール)",
        "payload": '/start_procedure{"procedure":"password_reset"}',
    },
    {"title": "マイページを開く", "type": "web_url", "url": "https://mypage.example.jp/"},
    {"title": "ヘルプ", "payload": "https://help.example.jp/line"},
] + [{"title": f"選択肢{i}", "payload": f'/choose{{"n":{i}}}'} for i in range(10)]

# 12,001 UTF-16 units without any newline or 「。」, with an emoji (2 units) straddling
# the 5,000-unit boundary of the first part.
LONG_TEXT = "あ" * 4999 + "😀" + "い" * 4999 + "😀" + "う" * 1999


def sign(body: bytes, secret: str = CHANNEL_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def sticker_event(source: dict[str, Any] | None = None) -> dict[str, Any]:
    """A sticker: in a 1:1 chat the channel answers it with the text-only notice, without the bot."""
    event = text_event("", source)
    event["message"] = {"id": str(uuid.uuid4().int)[:18], "type": "sticker", "packageId": "446", "stickerId": "1988"}
    return event


def text_event(text: str, source: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1718000000000,
        "source": source or {"type": "user", "userId": USER_ID},
        "webhookEventId": f"01HZ{uuid.uuid4().hex[:22].upper()}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "message": {"id": str(uuid.uuid4().int)[:18], "type": "text", "text": text},
    }


class ChannelServer:
    """A Sanic server with the LINE blueprint registered the way `rasa run` does it."""

    def __init__(self, loop: LoopThread, channel: LineInput, bot: StubBot) -> None:
        self.loop_thread = loop
        self.channel = channel
        self.bot = bot
        self.url = ""
        self._server: Any = None

    async def start(self) -> None:
        # What sanic-testing does: lets several apps start in one process (Sanic's
        # TouchUp otherwise fails rewriting already rewritten methods).
        Sanic.test_mode = True
        app = Sanic(f"line_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
        app.ctx.agent = self.bot
        register([self.channel], app, route="/webhooks/")
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

    def post(self, payload: Any, signature: str | None = "sign", raw: bytes | None = None) -> requests.Response:
        """Posts like LINE; signature="sign" signs the body, None leaves the header out."""
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Line-Signature"] = sign(body)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        url = self.url + "/webhooks/line/webhook"
        return requests.post(url, data=body, headers=headers, timeout=10)

    def post_events(self, *events: dict[str, Any]) -> requests.Response:
        return self.post({"destination": "Ubotdestination", "events": list(events)})

    def wait_idle(self) -> None:
        self.loop_thread.run(self.channel.wait_idle())
