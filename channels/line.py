"""LINE Messaging API input channel for Rasa: `LineInput`, wired from the parts in channels/line_*.py.

credentials.yml:

    channels.line.LineInput:
      channel_secret: ${LINE_CHANNEL_SECRET}
      access_token: ${LINE_CHANNEL_ACCESS_TOKEN}
      api_base_url: https://api.line.me      # optional

LINE posts to /webhooks/line/webhook. Read the parts one at a time, in the order an event meets them:

- `line_settings.py`  credentials.yml keys, LINE_* environment fallbacks, defaults;
- `line_webhook.py`   body size limit, signature check, payload parsing, redelivery memory;
- `line_queues.py`    one ordered queue per chat, run in background tasks (the webhook answers 200 at once);
- `line_events.py`    which events reach the bot and as what; the reply-token clock;
- `line_ids.py`       the chat to answer to and the Rasa sender id of an event;
- `line_delivery.py`  collecting the answer (`LineOutput`) and sending it: reply, else push;
- `line_format.py` / `line_api.py`  Rasa messages → LINE messages; the HTTP client.

See docs/line.md.
"""

import asyncio
import logging
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.line_api import DEFAULT_API_BASE_URL, LineApiClient
from channels.line_events import LineEventHandler, OnNewMessage
from channels.line_ids import chat_id_of
from channels.line_push import LinePushOutput
from channels.line_queues import ChatQueues
from channels.line_settings import LineSettings
from channels.line_webhook import InvalidPayload, RecentEventIds, parse_events, read_body, signature_is_valid

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10.0


class LineInput(InputChannel):
    """Rasa input channel for the LINE Messaging API webhook."""

    @classmethod
    def name(cls) -> str:
        return "line"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(settings=LineSettings.from_credentials(credentials))

    def __init__(
        self, channel_secret: str = "", access_token: str = "", *, settings: LineSettings | None = None, **tuning: Any
    ) -> None:
        """Either `settings`, or the fields of `LineSettings` as keywords (tests use those)."""
        self.settings = settings or LineSettings(channel_secret or "", access_token or "", **tuning)
        self.api = LineApiClient(
            self.settings.access_token,
            base_url=self.settings.api_base_url or DEFAULT_API_BASE_URL,
            timeout=self.settings.request_timeout,
            push_attempts=self.settings.push_attempts,
            retry_backoff=self.settings.retry_backoff,
        )
        self.recent_events = RecentEventIds()
        self.queues = ChatQueues()
        self.agent: Any = None  # Rasa's agent, known once the webhook is called (request.app.ctx.agent)
        self.events = LineEventHandler(
            self.api,
            self.settings.reply_timeout,
            self.settings.loading_seconds,
            self.name(),
            self._is_paused,
            self._is_easy,
        )
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

    @property
    def configured(self) -> bool:
        return self.settings.configured

    @property
    def reply_timeout(self) -> float:
        return self.settings.reply_timeout

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        line_webhook = Blueprint("line_webhook", __name__)

        @line_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @line_webhook.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            return await self._webhook(request, on_new_message)

        @line_webhook.listener("before_server_stop")
        async def finish_pending(*_: Any) -> None:
            await self.shutdown()

        return line_webhook

    async def _webhook(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Checks the call, queues its events and answers LINE at once (the bot runs later)."""
        if not self.configured:
            return response.json(
                {"error": "not_configured", "message": "LINE channel is not configured"},
                status=503,
            )
        body = await read_body(request, self.settings.max_body_bytes)
        if body is None:
            return response.json({"error": "payload_too_large"}, status=413)
        if not signature_is_valid(self.settings.channel_secret, body, request.headers.get("X-Line-Signature")):
            logger.warning("Rejected a LINE webhook call with a missing or bad signature.")
            return response.json({"error": "invalid_signature"}, status=401)
        try:
            events = parse_events(body)
        except InvalidPayload:
            return response.json({"error": "invalid_payload"}, status=400)

        self.agent = getattr(request.app.ctx, "agent", None)
        received_at = asyncio.get_running_loop().time()
        for event in events:
            self._accept(event, received_at, on_new_message)
        # An empty `events` list is LINE's "Verify" button: 200 is all it needs.
        return response.json({"status": "ok"})

    def _accept(self, event: dict[str, Any], received_at: float, on_new_message: OnNewMessage) -> None:
        """Deduplicates and queues one event. Synchronous, so queue order = arrival order."""
        event_id = event.get("webhookEventId")
        if event_id and self.recent_events.check_and_add(str(event_id)):
            logger.info("Skipping redelivered LINE event %s.", event_id)
            return
        chat = chat_id_of(event.get("source") or {}) or ""

        async def job() -> None:
            await self.events.handle(event, on_new_message, received_at)

        self.queues.put(chat, job, f"LINE {event.get('type')} event {event_id}")

    async def _is_paused(self, sender_id: str) -> bool:
        """Read from the tracker store (shared in scaled mode); the chat's queue runs its events one
        at a time, so the customer's own earlier message has been stored by then."""
        tracker_store = getattr(self.agent, "tracker_store", None)
        if tracker_store is None:
            return False
        tracker = await tracker_store.retrieve(sender_id)
        return tracker is not None and tracker.is_paused()

    async def _is_easy(self, sender_id: str) -> bool:
        """The conversation's reading mode (slot `easy_japanese`, bot_server/easy_mode.py), from the store."""
        tracker_store = getattr(self.agent, "tracker_store", None)
        tracker = await tracker_store.retrieve(sender_id) if tracker_store is not None else None
        return tracker is not None and bool(tracker.get_slot("easy_japanese"))

    async def handle_event(
        self, event: dict[str, Any], on_new_message: OnNewMessage, received_at: float | None = None
    ) -> None:
        """Handles one event now, outside the queues (see `LineEventHandler.handle`)."""
        await self.events.handle(event, on_new_message, received_at)

    async def shutdown(self) -> None:
        """Lets queued events finish (bounded), then closes the HTTP session."""
        await self.queues.finish(SHUTDOWN_GRACE_SECONDS)
        await self.api.close()

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Waits until every accepted event has been handled (used by tests)."""
        await self.queues.wait_idle(timeout)
