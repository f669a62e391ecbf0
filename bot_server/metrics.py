"""The Rasa server's Prometheus metrics and JSON log lines (bot_server/json_logs.py), recorded once per customer message (a turn) and served at
`GET /metrics` with the bearer token (bot_server/metrics_endpoint.py says who may read them).

| series | labels | what |
|---|---|---|
| `ocn_bot_turn_seconds` (histogram) | channel, intent | from the message's arrival at the processor to the bot's last reply of the turn |
| `ocn_bot_intents_total` | channel, intent | messages by the intent the NLU gave them |
| `ocn_bot_fallbacks_total` | channel, kind | `nlu`: below the NLU's threshold (nlu_fallback); `reply`: the bot said utter_fallback |
| `ocn_bot_nlu_confidence` (histogram) | — | the top intent's confidence of every classified message |
| `ocn_bot_paused_messages_total` | channel | messages that reached a conversation a person has (no NLU: bot_server/handoff_pause.py) |
| `ocn_bot_pauses_total` | channel | turns that handed the conversation to a person (it became paused) |

How many conversations are paused right now is the console's queue (`ocn_console_handoffs`): one
Rasa server sees only the turns it handled. Labels are bounded: `channel` is one of CHANNELS or
"other", `intent` one of the model's domain intents, `nlu_fallback`, `none` (paused, no NLU) or
"other" (a message like "/anything" that Rasa reads as an intent name the domain does not have).
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Histogram
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot_server.json_logs import conversation_scope, install_json_logging
from bot_server.metrics_endpoint import add_metrics_route
from bot_server.rasa_patches import original, register

logger = logging.getLogger(__name__)

CHANNELS = frozenset({"rest", "socketio", "line", "cmdline"})
NLU_FALLBACK = "nlu_fallback"
FALLBACK_RESPONSE = "utter_fallback"
NO_INTENT = "none"  # a paused conversation's message: not classified
OTHER = "other"
# 50 ms is the FAQ budget (deploy/monitoring/rules.yml): a bucket boundary, so p95 > 50 ms is exact.
# Few buckets: channel x intent x bucket is most of the server's series.
TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)

TURN_SECONDS = Histogram(
    "ocn_bot_turn_seconds", "Time to handle one customer message", ["channel", "intent"], buckets=TURN_BUCKETS
)
INTENTS = Counter("ocn_bot_intents", "Customer messages by NLU intent", ["channel", "intent"])
FALLBACKS = Counter(
    "ocn_bot_fallbacks", "Fallbacks: nlu (below threshold) or reply (utter_fallback)", ["channel", "kind"]
)
CONFIDENCE = Histogram("ocn_bot_nlu_confidence", "Top intent confidence", buckets=CONFIDENCE_BUCKETS)
PAUSED_MESSAGES = Counter("ocn_bot_paused_messages", "Messages to a conversation a person has", ["channel"])
PAUSES = Counter("ocn_bot_pauses", "Turns that handed the conversation to a person", ["channel"])

_HANDLE = "rasa.core.processor:MessageProcessor.handle_message"
_LOG = "rasa.core.processor:MessageProcessor.log_message"
_CONFIGURE_APP = "rasa.core.run:configure_app"


@dataclass
class _Turn:
    tracker: DialogueStateTracker | None = None
    was_paused: bool = False


_current_turn: ContextVar[_Turn | None] = ContextVar("ocn_metrics_turn", default=None)


def channel_label(name: str | None) -> str:
    return name if name in CHANNELS else OTHER


def intent_label(name: str | None, domain_intents: list[str] | frozenset[str]) -> str:
    if name is None:
        return NO_INTENT
    return name if name == NLU_FALLBACK or name in domain_intents else OTHER


def _replied_fallback(tracker: DialogueStateTracker) -> bool:
    """The bot said utter_fallback after the customer's last message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get("utter_action") == FALLBACK_RESPONSE:
            return True
        if isinstance(event, ActionExecuted) and event.action_name == FALLBACK_RESPONSE:
            return True
    return False


def record_turn(channel: str, turn: _Turn, domain_intents: list[str] | frozenset[str], seconds: float) -> None:
    tracker = turn.tracker
    if tracker is None:  # failed before the message was logged
        TURN_SECONDS.labels(channel, NO_INTENT).observe(seconds)
        logger.warning("turn failed", extra={"channel": channel, "ms": round(seconds * 1000, 1)})
        return
    intent = tracker.latest_message.intent if tracker.latest_message else {}
    name = intent.get("name")
    label = intent_label(name, domain_intents)
    TURN_SECONDS.labels(channel, label).observe(seconds)
    # One line per turn, like an access log: the JSON line also carries the conversation's hash.
    logger.info("turn", extra={"channel": channel, "intent": label, "ms": round(seconds * 1000, 1)})
    if name is None:
        PAUSED_MESSAGES.labels(channel).inc()
    else:
        INTENTS.labels(channel, label).inc()
        CONFIDENCE.observe(float(intent.get("confidence") or 0.0))
    if name == NLU_FALLBACK:
        FALLBACKS.labels(channel, "nlu").inc()
    if _replied_fallback(tracker):
        FALLBACKS.labels(channel, "reply").inc()
    if tracker.is_paused() and not turn.was_paused:
        PAUSES.labels(channel).inc()


async def _handle_message_measured(self: MessageProcessor, message: UserMessage) -> Any:
    turn = _Turn()
    token = _current_turn.set(turn)
    started = time.perf_counter()
    with conversation_scope(message.sender_id):
        try:
            return await original(_HANDLE)(self, message)
        finally:
            _current_turn.reset(token)
            seconds = time.perf_counter() - started
            try:
                record_turn(channel_label(message.input_channel), turn, self.domain.intents, seconds)
            except Exception:  # noqa: BLE001 - counting must never cost the customer the reply
                logger.exception("could not record the turn's metrics")


async def _log_message_seen(
    self: MessageProcessor, message: UserMessage, should_save_tracker: bool = True
) -> DialogueStateTracker:
    """Rasa's log_message; the turn being measured keeps the tracker it returns (the one the turn updates)."""
    turn = _current_turn.get()
    tracker = await original(_LOG)(self, message, should_save_tracker)
    if turn is not None:
        turn.tracker = tracker
        # The pause state before this message's actions ran: the last event is the UserUttered.
        turn.was_paused = tracker.is_paused()
    return tracker


def zero_series(domain_intents: list[str] | frozenset[str]) -> None:
    """Every label combination at 0 from the start: Prometheus's rate() sees no increase in a series
    whose first sample is already 1, so a channel's first fallback would otherwise go unseen."""
    for channel in sorted(CHANNELS - {"cmdline"}):
        for intent in (*domain_intents, NLU_FALLBACK, NO_INTENT):
            TURN_SECONDS.labels(channel, intent)
            INTENTS.labels(channel, intent)
        for kind in ("nlu", "reply"):
            FALLBACKS.labels(channel, kind)
        PAUSED_MESSAGES.labels(channel)
        PAUSES.labels(channel)


async def _zero_series_when_loaded(app: Sanic, _loop: Any) -> None:
    agent = getattr(app.ctx, "agent", None)  # loaded by Rasa's before_server_start listener
    if agent is not None and agent.domain is not None:
        zero_series(agent.domain.intents)


_ROUTE_INSTALLED = "_ocn_metrics_route"


def install() -> None:
    import rasa.core.run as rasa_run

    MessageProcessor.handle_message = _handle_message_measured  # type: ignore[method-assign]
    MessageProcessor.log_message = _log_message_seen  # type: ignore[method-assign]
    if getattr(rasa_run.configure_app, _ROUTE_INSTALLED, False):
        return
    configure = rasa_run.configure_app  # may already be another patch's wrapper (rate_limit.py)

    def configure_app(*args: Any, **kwargs: Any) -> Sanic:
        app = configure(*args, **kwargs)
        add_metrics_route(app)
        app.register_listener(_zero_series_when_loaded, "after_server_start")
        install_json_logging()  # the server logs JSON lines from here on, instead of Rasa's coloured text
        return app

    setattr(configure_app, _ROUTE_INSTALLED, True)
    rasa_run.configure_app = configure_app  # type: ignore[assignment]


register(
    "Prometheus metrics of every turn and GET /metrics",
    install,
    rasa_version="3.6.21",
    replaces={
        _HANDLE: "0c41d4780d2d46769ef2ae2b3f450b88d2602e916590e8be9975aa474db9f7f4",
        _LOG: "f2f8ec66a291d83d783b7acda52bbc0cc2a093b27a67625d8b9882e95138fac1",
        _CONFIGURE_APP: "72da30416f74c6488a1bbdae9878467bdc7ecd6b5a46b336220aadafd8b2f41a",
    },
)
