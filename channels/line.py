"""LINE Messaging API input channel for Rasa.

credentials.yml:

    channels.line.LineInput:
      channel_secret: ${LINE_CHANNEL_SECRET}
      access_token: ${LINE_CHANNEL_ACCESS_TOKEN}
      api_base_url: https://api.line.me      # optional

LINE posts to /webhooks/line/webhook. The webhook checks the signature first, answers 200
at once and handles the events in background tasks: one ordered queue per chat, the bot's
answer collected and sent with the reply token (push when the answer is late or the token
is no longer valid). See docs/line.md.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import (
    Any,
)

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.line_api import (
    DEFAULT_API_BASE_URL,
    MAX_MESSAGES_PER_REQUEST,
    LineApiClient,
    LineApiError,
)
from channels.line_format import LineMessage, to_line_messages
from channels.line_push import LinePushOutput

logger = logging.getLogger(__name__)

NON_TEXT_REPLY = "恐れ入りますが、文字のメッセージでお送りください。"
BOT_ERROR_REPLY = "申し訳ございません。ただいま応答できませんでした。しばらくしてから、もう一度お送りください。"
# Sent as the customer's message when they add the account as a friend.
FOLLOW_MESSAGE = "/greet"

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# The reply token is only valid for a short time after the event; past this the answer
# goes by push instead of risking an expired token.
DEFAULT_REPLY_TIMEOUT = 20.0
DEFAULT_LOADING_SECONDS = 20
DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_PUSH_ATTEMPTS = 3
SHUTDOWN_GRACE_SECONDS = 10.0

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def signature_is_valid(channel_secret: str, body: bytes, signature: str | None) -> bool:
    """X-Line-Signature = base64(HMAC-SHA256(secret, raw body)); constant-time compare."""
    if not signature:
        return False
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    try:
        given = signature.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(base64.b64encode(digest), given)


class RecentEventIds:
    """Bounded LRU of webhookEventIds with a TTL, so a redelivered event runs once.

    In-memory, so per process; the scaled mode (several Rasa replicas) would use a
    shared Redis `SET webhookEventId 1 NX EX ttl` instead.
    """

    def __init__(
        self,
        max_size: int = 10_000,
        ttl: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_size = max_size
        self.ttl = ttl
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def check_and_add(self, event_id: str) -> bool:
        """True when the id was seen within the TTL; otherwise records it and returns False."""
        now = self._clock()
        # Insertion order is time order, so expired entries are at the front.
        while self._seen and next(iter(self._seen.values())) <= now - self.ttl:
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return True
        self._seen[event_id] = now
        if len(self._seen) > self.max_size:
            self._seen.popitem(last=False)
        return False


def _chat_of(source: dict[str, Any]) -> str | None:
    """The id to answer to: the user in 1:1 chats, else the group or room."""
    return source.get("groupId") or source.get("roomId") or source.get("userId")


class LineOutput(CollectingOutputChannel):
    """Collects the bot's answer to one LINE event; the input channel then sends it."""

    @classmethod
    def name(cls) -> str:
        return "line"

    def __init__(
        self,
        api: LineApiClient,
        chat_id: str,
        source_type: str,
        loading_seconds: int = DEFAULT_LOADING_SECONDS,
    ) -> None:
        super().__init__()
        self.api = api
        self.chat_id = chat_id
        self.source_type = source_type
        self.loading_seconds = loading_seconds

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # The base class splits at blank lines; on LINE each piece would be a separate
        # bubble and count against the 5 messages a reply may carry.
        await self._persist_message(self._message(recipient_id, text=text.strip()))

    async def show_loading_animation(self, seconds: int | None = None) -> None:
        """Shows LINE's loading animation; it ends by itself when our next message arrives.

        LINE supports it only in 1:1 chats. Failures are logged, never raised: it is
        cosmetic and must not cost the customer the answer.
        """
        if self.source_type != "user":
            return
        try:
            await self.api.start_loading(self.chat_id, seconds or self.loading_seconds)
        except LineApiError as error:
            logger.warning("Could not show the LINE loading animation: %s", error)


class LineInput(InputChannel):
    """Rasa input channel for the LINE Messaging API webhook."""

    @classmethod
    def name(cls) -> str:
        return "line"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Reads credentials.yml, falling back to LINE_* environment variables.

        Empty values (e.g. an unset `${LINE_CHANNEL_SECRET}`) leave the webhook disabled
        (503) instead of failing the whole server start.
        """
        credentials = credentials or {}

        def setting(key: str, env: str, default: str = "") -> str:
            value = credentials.get(key)
            value = str(value).strip() if value is not None else ""
            return value or os.environ.get(env, "").strip() or default

        def number(key: str, default: float) -> float:
            value = credentials.get(key)
            return float(value) if value not in (None, "") else default

        return cls(
            channel_secret=setting("channel_secret", "LINE_CHANNEL_SECRET"),
            access_token=setting("access_token", "LINE_CHANNEL_ACCESS_TOKEN"),
            api_base_url=setting("api_base_url", "LINE_API_BASE_URL", DEFAULT_API_BASE_URL),
            reply_timeout=number("reply_timeout", DEFAULT_REPLY_TIMEOUT),
            loading_seconds=int(number("loading_seconds", DEFAULT_LOADING_SECONDS)),
            request_timeout=number("request_timeout", DEFAULT_REQUEST_TIMEOUT),
            push_attempts=int(number("push_attempts", DEFAULT_PUSH_ATTEMPTS)),
            max_body_bytes=int(number("max_body_bytes", DEFAULT_MAX_BODY_BYTES)),
        )

    def __init__(
        self,
        channel_secret: str,
        access_token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        reply_timeout: float = DEFAULT_REPLY_TIMEOUT,
        loading_seconds: int = DEFAULT_LOADING_SECONDS,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        push_attempts: int = DEFAULT_PUSH_ATTEMPTS,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        retry_backoff: float = 0.5,
    ) -> None:
        self._channel_secret = channel_secret or ""
        self.configured = bool(channel_secret and access_token)
        self.api = LineApiClient(
            access_token or "",
            base_url=api_base_url or DEFAULT_API_BASE_URL,
            timeout=request_timeout,
            push_attempts=push_attempts,
            retry_backoff=retry_backoff,
        )
        self.reply_timeout = reply_timeout
        self.loading_seconds = loading_seconds
        self.max_body_bytes = max_body_bytes
        self.recent_events = RecentEventIds()
        # Events waiting per chat; a chat has one worker task while its queue exists.
        self._queues: dict[str, deque[tuple[dict[str, Any], float]]] = {}
        # Strong references: the event loop keeps only weak ones to running tasks.
        self._tasks: set[asyncio.Task[None]] = set()
        if not self.configured:
            logger.warning(
                "LINE channel disabled: set LINE_CHANNEL_SECRET and "
                "LINE_CHANNEL_ACCESS_TOKEN. /webhooks/line/webhook answers 503."
            )

    def __repr__(self) -> str:
        return f"LineInput(configured={self.configured}, api={self.api!r})"

    def get_output_channel(self) -> OutputChannel | None:
        """Messages outside a reply (an operator's, sent through Rasa's HTTP API) go by push."""
        return LinePushOutput(self.api) if self.configured else None

    # --- webhook ------------------------------------------------------------------------

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        line_webhook = Blueprint("line_webhook", __name__)

        @line_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @line_webhook.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json(
                    {"error": "not_configured", "message": "LINE channel is not configured"},
                    status=503,
                )
            body = await self._read_body(request)
            if body is None:
                return response.json({"error": "payload_too_large"}, status=413)
            if not signature_is_valid(self._channel_secret, body, request.headers.get("X-Line-Signature")):
                logger.warning("Rejected a LINE webhook call with a missing or bad signature.")
                return response.json({"error": "invalid_signature"}, status=401)

            try:
                payload = json.loads(body)
                events = payload["events"]
                if not isinstance(events, list):
                    raise TypeError("events is not a list")
            except (ValueError, KeyError, TypeError):
                return response.json({"error": "invalid_payload"}, status=400)

            received_at = asyncio.get_running_loop().time()
            for event in events:
                if isinstance(event, dict):
                    self._accept(event, received_at, on_new_message)
            # An empty `events` list is LINE's "Verify" button: 200 is all it needs.
            return response.json({"status": "ok"})

        @line_webhook.listener("before_server_stop")
        async def finish_pending(*_: Any) -> None:
            await self.shutdown()

        return line_webhook

    async def _read_body(self, request: Request) -> bytes | None:
        """Reads the raw body, giving up (None) as soon as it exceeds the limit."""
        declared = request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                break
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _accept(self, event: dict[str, Any], received_at: float, on_new_message: OnNewMessage) -> None:
        """Deduplicates and queues one event. Synchronous, so queue order = arrival order."""
        event_id = event.get("webhookEventId")
        if event_id and self.recent_events.check_and_add(str(event_id)):
            logger.info("Skipping redelivered LINE event %s.", event_id)
            return
        chat = _chat_of(event.get("source") or {}) or ""
        queue = self._queues.get(chat)
        if queue is not None:
            queue.append((event, received_at))
            return
        self._queues[chat] = deque([(event, received_at)])
        self._spawn(self._drain(chat, on_new_message))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: "asyncio.Task[None]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("LINE event worker failed.", exc_info=task.exception())

    async def _drain(self, chat: str, on_new_message: OnNewMessage) -> None:
        """Handles one chat's events in order, one at a time."""
        queue = self._queues[chat]
        try:
            while queue:
                event, received_at = queue.popleft()
                try:
                    await self.handle_event(event, on_new_message, received_at)
                except Exception:
                    logger.exception(
                        "Failed to handle LINE %s event %s.",
                        event.get("type"),
                        event.get("webhookEventId"),
                    )
        finally:
            del self._queues[chat]

    async def shutdown(self) -> None:
        """Lets queued events finish (bounded), then closes the HTTP session."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)
        await self.api.close()

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Waits until every accepted event has been handled (used by tests)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise asyncio.TimeoutError("LINE events still being handled")
            await asyncio.wait(set(self._tasks), timeout=remaining)

    # --- events -------------------------------------------------------------------------

    async def handle_event(
        self,
        event: dict[str, Any],
        on_new_message: OnNewMessage,
        received_at: float | None = None,
    ) -> None:
        """Handles one event; `received_at` (loop time) starts the reply-token clock."""
        if received_at is None:
            received_at = asyncio.get_running_loop().time()
        event_type = event.get("type")
        source = event.get("source") or {}
        if event.get("mode") == "standby":
            # Another channel (module) has the chat; LINE expects us to stay silent.
            logger.debug("Ignoring LINE %s event in standby mode.", event_type)
            return

        if event_type == "message":
            message = event.get("message") or {}
            if message.get("type") == "text":
                await self._run_bot(event, str(message.get("text") or ""), on_new_message, received_at)
            elif source.get("type") == "user":
                # Only in 1:1 chats: in a group every sticker would draw a notice.
                logger.info("LINE %s message answered with the text-only notice.", message.get("type"))
                await self._deliver(event, [{"type": "text", "text": NON_TEXT_REPLY}], can_reply=True)
        elif event_type == "postback":
            # Quick replies carry the Rasa payload (e.g. "/affirm") as postback data.
            data = (event.get("postback") or {}).get("data")
            if data:
                await self._run_bot(event, str(data), on_new_message, received_at)
        elif event_type == "follow":
            await self._run_bot(event, FOLLOW_MESSAGE, on_new_message, received_at)
        elif event_type == "unfollow":
            logger.info("LINE user unfollowed (source type %s).", source.get("type"))
        else:
            logger.debug("Ignoring LINE event of type %s.", event_type)

    def _metadata(self, event: dict[str, Any]) -> dict[str, Any]:
        source = event.get("source") or {}
        return {
            "line": {
                "event_type": event.get("type"),
                "webhook_event_id": event.get("webhookEventId"),
                "is_redelivery": bool((event.get("deliveryContext") or {}).get("isRedelivery")),
                "timestamp": event.get("timestamp"),
                "source_type": source.get("type"),
                "user_id": source.get("userId"),
                "group_id": source.get("groupId"),
                "room_id": source.get("roomId"),
                "message_id": (event.get("message") or {}).get("id"),
            }
        }

    async def _run_bot(
        self,
        event: dict[str, Any],
        text: str,
        on_new_message: OnNewMessage,
        received_at: float,
    ) -> None:
        source = event.get("source") or {}
        chat_id = _chat_of(source)
        if not chat_id:
            logger.warning("LINE %s event without a source id; ignored.", event.get("type"))
            return
        output = LineOutput(self.api, chat_id, str(source.get("type")), self.loading_seconds)
        # Concurrent with the bot, but finished before we answer: a late loading request
        # would otherwise start the animation after the answer is already shown.
        loading = asyncio.ensure_future(output.show_loading_animation())

        message_id = (event.get("message") or {}).get("id") or event.get("webhookEventId")
        user_message = UserMessage(
            text,
            output,
            sender_id=chat_id,
            input_channel=self.name(),
            message_id=message_id,
            metadata=self._metadata(event),
        )
        bot = asyncio.ensure_future(on_new_message(user_message))
        loop = asyncio.get_running_loop()
        reply_deadline = received_at + self.reply_timeout
        await asyncio.wait({bot}, timeout=max(0.0, reply_deadline - loop.time()))
        can_reply = bot.done()
        if not can_reply:
            logger.info("Bot answer is later than %.0f s; it will be pushed.", self.reply_timeout)
        try:
            await bot
            messages = to_line_messages(output.messages)
        except Exception:
            logger.exception("The bot failed on a LINE %s event.", event.get("type"))
            messages = [{"type": "text", "text": BOT_ERROR_REPLY}]
        await loading
        await self._deliver(event, messages, can_reply=can_reply)

    async def _deliver(self, event: dict[str, Any], messages: list[LineMessage], can_reply: bool) -> None:
        """Reply (first 5 messages), then push the rest; push everything if replying is
        not possible. A reply is never retried: a failed one other than an invalid token
        may still have been delivered, and pushing it again would duplicate it."""
        if not messages:
            return
        chat_id = _chat_of(event.get("source") or {})
        batches = [
            messages[i : i + MAX_MESSAGES_PER_REQUEST] for i in range(0, len(messages), MAX_MESSAGES_PER_REQUEST)
        ]
        reply_token = event.get("replyToken")
        if can_reply and reply_token:
            try:
                await self.api.reply(reply_token, batches[0])
                batches = batches[1:]
            except LineApiError as error:
                if not error.invalid_reply_token:
                    logger.error("LINE reply failed; not pushed to avoid duplicates: %s", error)
                    return
                logger.info("LINE reply token no longer valid; pushing instead.")

        if batches and not chat_id:
            logger.error("Cannot push a LINE answer: the event has no source id.")
            return
        for batch in batches:
            try:
                await self.api.push(chat_id, batch)
            except LineApiError as error:
                # Later batches are not sent: the answer would arrive with a hole in it.
                logger.error("LINE push failed: %s", error)
                return
