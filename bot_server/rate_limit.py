"""Rate limits and request-body limits at the channels, with a polite reply.

`install(app)` adds a Sanic request middleware to the Rasa server's app (idempotent):

- Body size: a webhook request (`POST /webhooks/<channel>/webhook`) larger than
  RATE_LIMIT_MAX_BODY_BYTES (default 16384) is not processed. Bodies above 1 MiB are refused by
  Sanic before they are read (REQUEST_MAX_SIZE); nginx caps them earlier in the scaled mode.
  socket.io frames get the same limit in channels/socketio.py.
- Sender: a REST `sender` that is missing, not a string, too long or has other characters is
  answered 400 `{"error": "invalid_sender", "message": ...}` (channels/senders.py has the rule).
- Rate, per conversation: more than RATE_LIMIT_PER_MINUTE (default 20) messages per minute to one
  conversation (sliding window) are not processed. Rejected messages count too, so a flood stays
  limited until it stops. This runs before Rasa's conversation lock and NLU, so a flooding sender
  costs a dictionary or Redis lookup per message and cannot slow other conversations down.
- Rate, per client: more than RATE_LIMIT_PER_CLIENT_PER_MINUTE (default 120) messages per minute from
  one client on REST or socket.io, whatever sender or session it uses (a new session per message does
  not escape it). A client is an IPv4 address, or an IPv6 address's /64 (channels/client_ref.py: one
  line or host gets a whole /64, so a new address per message does not escape it either). The address is the peer's, or, when the peer is a trusted proxy
  (RATE_LIMIT_TRUSTED_PROXIES: addresses or networks, default loopback = our nginx; in Kubernetes the
  ingress controllers' pod network), the rightmost X-Forwarded-For hop that is not a trusted proxy
  (bot_server/forwarded.py: every header line, ports, forged loopback hops).
  Clients on this machine (RATE_LIMIT_EXEMPT_CLIENTS, default loopback: operators, tests, load tests
  through our nginx) are not limited per client.
  LINE is not limited per IP (every event comes from LINE's servers, signed); its users are limited
  per conversation at the agent.

The reply, chosen so that every REST/widget client shows it like any bot message: HTTP 200 with a
bot message in the REST channel's format, plus `Retry-After` and `X-Chat-Limit: rate|body` headers:

    [{"recipient_id": "<sender>", "text": "短時間に多くのメッセージが届いたため、…"}]

Other webhooks (LINE: signed batches without a top-level sender) get only the body check, answered
413 with a JSON error. Messages that arrive through socket.io (the web widget) or LINE are limited at
the agent (see `install_on_rasa`): the customer gets the same sentence as a bot message.

Counters live in the process (RATE_LIMIT_BACKEND=memory) or in Redis (`redis`, shared by all Rasa
servers: the default when LOCK_STORE_TYPE names a Redis lock store), using LOCK_STORE_HOST/PORT/
PASSWORD and RATE_LIMIT_REDIS_DB (default 2). If Redis is unreachable the limit fails open (logged).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from typing import Any

from sanic import Sanic, response
from sanic.request import Request

from bot_server import forwarded
from bot_server.client_address import request_ip
from bot_server.rasa_patches import register
from channels.client_ref import address_client
from channels.senders import InvalidSender, sender_of

logger = logging.getLogger(__name__)

# The texts are domain responses (domain.yml); this one is only for a server with no model loaded.
RATE_RESPONSE, BODY_RESPONSE = "utter_rate_limited", "utter_too_long"
NO_MODEL_TEXT = "少し時間をおいてから、もう一度お送りください。"
WINDOW_SECONDS = 60.0
HARD_MAX_BODY_BYTES = 1024 * 1024
_WEBHOOK = re.compile(r"^/webhooks/([A-Za-z0-9_.\-]+)/webhook/?$")
_INSTALLED = "_ocn_rate_limit_installed"
# Channels limited by the middleware (JSON webhooks with a sender); the others at the agent.
MIDDLEWARE_CHANNELS = ("rest",)


def _int_env(name: str, default: int, env: dict[str, str] | None = None) -> int:
    try:
        return int((os.environ if env is None else env).get(name) or default)
    except ValueError:
        return default


class MemoryLimiter:
    """Sliding-window estimate (current window + weighted previous one), per process."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS) -> None:
        self.limit, self.window = limit, window
        self._counts: dict[str, tuple[int, int, int]] = {}  # key -> (window index, current, previous)
        self._last_prune = 0

    async def hit(self, key: str, now: float | None = None) -> tuple[bool, int]:
        now = time.time() if now is None else now
        index = int(now // self.window)
        old_index, current, previous = self._counts.get(key, (index, 0, 0))
        if old_index != index:
            previous = current if old_index == index - 1 else 0
            current = 0
        current += 1
        self._counts[key] = (index, current, previous)
        if index - self._last_prune >= 2:  # forget senders idle for two windows
            self._counts = {k: v for k, v in self._counts.items() if v[0] >= index - 1}
            self._last_prune = index
        return self._verdict(now, current, previous)

    def _verdict(self, now: float, current: int, previous: int) -> tuple[bool, int]:
        weight = 1.0 - (now % self.window) / self.window
        estimate = current + previous * weight
        retry_after = int(self.window - now % self.window) + 1
        return estimate <= self.limit, retry_after


class RedisLimiter(MemoryLimiter):
    """Same window, counters in Redis so the limit holds across all Rasa servers."""

    def __init__(self, limit: int, client: Any, window: float = WINDOW_SECONDS, prefix: str = "ratelimit:") -> None:
        super().__init__(limit, window)
        self.client, self.prefix = client, prefix
        self._fallback = MemoryLimiter(limit, window)
        self._warned_at = 0.0

    async def hit(self, key: str, now: float | None = None) -> tuple[bool, int]:
        now = time.time() if now is None else now
        index = int(now // self.window)
        current_key = f"{self.prefix}{key}:{index}"
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.incr(current_key)
            pipe.expire(current_key, int(2 * self.window) + 1)
            pipe.get(f"{self.prefix}{key}:{index - 1}")
            current, _, previous = await pipe.execute()
        except Exception as error:  # noqa: BLE001 -- fail open, never break the chat over a counter
            if now - self._warned_at > 10:
                logger.warning("Rate-limit store unreachable (%s); counting in this process only.", error)
                self._warned_at = now
            return await self._fallback.hit(key, now)
        return self._verdict(now, int(current), int(previous or 0))


def _uses_redis(env: dict[str, str]) -> bool:
    backend = (env.get("RATE_LIMIT_BACKEND") or "auto").lower()
    if backend in ("memory", "redis"):
        return backend == "redis"
    return "redis" in (env.get("LOCK_STORE_TYPE") or "").lower()


def _redis_client(env: dict[str, str]) -> Any:
    import redis.asyncio as aioredis

    return aioredis.Redis(
        host=env.get("LOCK_STORE_HOST") or "127.0.0.1",
        port=int(env.get("LOCK_STORE_PORT") or 6379),
        db=int(env.get("RATE_LIMIT_REDIS_DB") or 2),
        password=env.get("LOCK_STORE_PASSWORD") or None,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
    )


def make_limiter(
    env: dict[str, str] | None = None, setting: str = "RATE_LIMIT_PER_MINUTE", default: int = 20
) -> MemoryLimiter:
    env = dict(os.environ if env is None else env)
    limit = _int_env(setting, default, env)
    if _uses_redis(env):
        return RedisLimiter(limit, _redis_client(env), prefix=f"ratelimit:{setting.lower()}:")
    return MemoryLimiter(limit)


_limiters: dict[str, MemoryLimiter] = {}


def limiter() -> MemoryLimiter:
    """Messages per conversation (sender id)."""
    if "conversation" not in _limiters:
        _limiters["conversation"] = make_limiter()
    return _limiters["conversation"]


async def hit_client(channel: str, ip: str) -> tuple[bool, int]:
    """Counts one message of the client `ip` stands for (an IPv6 /64 is one) on `channel`."""
    return await client_limiter().hit(f"{channel}-ip:{address_client(ip)}")


def client_limiter() -> MemoryLimiter:
    """Messages per client IP address (REST, socket.io), whatever sender they name."""
    if "client" not in _limiters:
        _limiters["client"] = make_limiter(setting="RATE_LIMIT_PER_CLIENT_PER_MINUTE", default=120)
    return _limiters["client"]


def max_body_bytes() -> int:
    """The largest webhook body / socket.io message (RATE_LIMIT_MAX_BODY_BYTES) that is processed."""
    return _int_env("RATE_LIMIT_MAX_BODY_BYTES", 16 * 1024)


def _in_setting(address: str, setting: str) -> bool:
    """Is `address` in the addresses or networks (comma-separated) of environment variable `setting`?"""
    return forwarded.is_in(forwarded.address(address), forwarded.networks(os.environ.get(setting, forwarded.LOOPBACK)))


def client_is_exempt(address: str) -> bool:
    """Clients on this machine (operators, tests, load tests through our nginx) have no per-client limit;
    RATE_LIMIT_EXEMPT_CLIENTS (default loopback; empty: nobody) says who."""
    return _in_setting(address, "RATE_LIMIT_EXEMPT_CLIENTS")


def response_text(domain: Any, name: str) -> str:
    """First text of a domain response (what the operator wrote in domain.yml)."""
    try:
        return str(domain.responses[name][0]["text"])
    except (AttributeError, KeyError, IndexError, TypeError):
        return NO_MODEL_TEXT


def _app_text(request: Request, name: str) -> str:
    agent = getattr(request.app.ctx, "agent", None)
    return response_text(getattr(agent, "domain", None), name)


def _bot_reply(sender: str | None, text: str, kind: str, retry_after: int | None = None) -> response.HTTPResponse:
    message: dict[str, Any] = {"text": text}
    if sender is not None:
        message = {"recipient_id": sender, "text": text}
    headers = {"X-Chat-Limit": kind}
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return response.json([message], status=200, headers=headers)


def _body_size(request: Request) -> int:
    size = len(request.body or b"")
    with contextlib.suppress(ValueError):
        size = max(size, int(request.headers.get("content-length") or 0))
    return size


def _json_body(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # noqa: BLE001 -- malformed JSON is the channel's business
        return None


async def _limit_rest(request: Request) -> response.HTTPResponse | None:
    """Sender check, then per-client and per-conversation rates, for one REST message."""

    ip = request_ip(request)
    allowed, retry_after = (True, 0) if client_is_exempt(ip) else await hit_client("rest", ip)
    if not allowed:
        logger.info("Rate limit: client %s on rest.", request_ip(request))
        return _bot_reply(None, _app_text(request, RATE_RESPONSE), "rate", retry_after)
    try:
        sender = sender_of(_json_body(request))
    except InvalidSender as error:
        return response.json({"error": "invalid_sender", "message": str(error)}, status=400)
    allowed, retry_after = await limiter().hit(sender)
    if allowed:
        return None
    logger.info("Rate limit: conversation %s.", sender[:64])
    return _bot_reply(sender, _app_text(request, RATE_RESPONSE), "rate", retry_after)


def install(app: Sanic) -> None:
    """Install the body-size, sender and rate limits on a Rasa server's Sanic app (idempotent)."""
    if getattr(app.ctx, _INSTALLED, False):
        return
    setattr(app.ctx, _INSTALLED, True)
    max_body = max_body_bytes()
    if app.config.REQUEST_MAX_SIZE > HARD_MAX_BODY_BYTES:
        app.config.REQUEST_MAX_SIZE = HARD_MAX_BODY_BYTES

    async def limit_webhooks(request: Request) -> response.HTTPResponse | None:
        match = _WEBHOOK.match(request.path) if request.method == "POST" else None
        if not match:
            return None
        channel = match.group(1)
        size = _body_size(request)
        if size > max_body:
            logger.info("Refused a %d-byte request to %s (limit %d).", size, request.path, max_body)
            if channel in MIDDLEWARE_CHANNELS:
                return _bot_reply(None, _app_text(request, BODY_RESPONSE), "body")
            return response.json(
                {"error": "payload_too_large", "message": _app_text(request, BODY_RESPONSE)}, status=413
            )
        if channel in MIDDLEWARE_CHANNELS:
            return await _limit_rest(request)
        return None

    app.register_middleware(limit_webhooks, "request")


_AGENT_PATCHED = "_ocn_rate_limited"


def _patch_agent() -> None:
    """Limit channels that do not come through a JSON webhook (socket.io, LINE) at the agent."""
    from rasa.core.agent import Agent

    original = Agent.handle_message
    if getattr(original, _AGENT_PATCHED, False):
        return

    async def handle_message(self: Agent, message: Any) -> Any:
        channel = getattr(message, "input_channel", None) or ""
        if channel not in MIDDLEWARE_CHANNELS and message.sender_id:
            allowed, _ = await limiter().hit(str(message.sender_id))
            if not allowed:
                logger.info("Rate limit: sender %s on %s.", str(message.sender_id)[:64], channel)
                await message.output_channel.send_text_message(
                    message.sender_id, response_text(self.domain, RATE_RESPONSE)
                )
                return None
        return await original(self, message)

    setattr(handle_message, _AGENT_PATCHED, True)
    Agent.handle_message = handle_message  # type: ignore[method-assign]


def install_on_rasa() -> None:
    """Make `rasa run` (via `python -m bot_server run`) install the limits on the app it creates."""
    import rasa.core.run as rasa_run

    _patch_agent()
    if getattr(rasa_run.configure_app, _INSTALLED, False):
        return
    original = rasa_run.configure_app

    def configure_app(*args: Any, **kwargs: Any) -> Sanic:
        app = original(*args, **kwargs)
        install(app)
        return app

    setattr(configure_app, _INSTALLED, True)
    rasa_run.configure_app = configure_app  # type: ignore[assignment]


register(
    "rate and body limits at the app and the agent",
    install_on_rasa,
    rasa_version="3.6.21",
    replaces={
        "rasa.core.run:configure_app": "72da30416f74c6488a1bbdae9878467bdc7ecd6b5a46b336220aadafd8b2f41a",
        "rasa.core.agent:Agent.handle_message": "ba53507e4d5532a38d3615aa1968deba6a8086e4fb9601b1526749b132c06308",
    },
)
