"""What the LINE webhook checks before any bot code runs: body size (read as a stream, given up
as soon as it is too large), the X-Line-Signature, the payload's shape, and redelivered events."""

import base64
import hashlib
import hmac
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sanic.request import Request


class InvalidPayload(ValueError):
    """Signed, but not JSON with an `events` list."""


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


async def read_body(request: Request, max_bytes: int) -> bytes | None:
    """Reads the raw body of a streamed request, giving up (None) as soon as it exceeds the limit."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            break
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def parse_events(body: bytes) -> list[dict[str, Any]]:
    """The webhook's events (entries that are not objects are dropped); raises InvalidPayload.

    An empty list is LINE's "Verify" button."""
    try:
        payload = json.loads(body)
        events = payload["events"]
        if not isinstance(events, list):
            raise TypeError("events is not a list")
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidPayload(str(error)) from None
    return [event for event in events if isinstance(event, dict)]


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
