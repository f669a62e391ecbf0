"""The handoff interface: "a place where people answer", and its first implementation.

The actions only know `HandoffDesk` (is anyone there — an operator 受付中? queue this conversation;
the customer leaves the queue, or waits on after the waiting timeout; their place in the queue). Queueing is idempotent (a conversation already queued gets its open ticket back)
and so is leaving, so a call whose answer was lost can be repeated or undone. The operator console implements it over HTTP (`ConsoleDesk`); OCN's own
contact-centre system can replace it by implementing the same calls and naming its class in HANDOFF_DESK, without touching
the actions. Support hours are the bot's setting, checked before any desk is asked.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

import aiohttp

from actions.settings import HandoffSettings, load_handoff_settings

logger = logging.getLogger(__name__)


class DeskUnavailable(Exception):
    """The desk could not be asked (down, slow, refused): the customer gets the contact page."""


class QueueFull(Exception):
    """The desk queues no more conversations now (overall, or from this client): nothing was queued."""

    def __init__(self, per_client: bool) -> None:
        super().__init__("client limit" if per_client else "queue full")
        self.per_client = per_client


@dataclass(frozen=True)
class Ticket:
    handoff_id: str
    position: int | None  # place in the queue when the desk knows it


class HandoffDesk(Protocol):
    async def operators_available(self) -> bool: ...

    async def enqueue(
        self,
        conversation_id: str,
        channel: str,
        topic: str | None,
        client_ref: str | None = None,
        verified: bool = False,
        verified_account: str | None = None,
    ) -> Ticket | None:
        """Queues the conversation; None when nobody can take it after all; QueueFull when the
        queue, or this client's (channels/client_ref.py) or verified account's share of it, is full."""

    async def cancel(self, conversation_id: str, reason: str = "customer") -> bool:
        """Takes a waiting conversation out of the queue; False once an operator has taken it.
        `reason` "timeout": the customer chose the contact page after waiting long."""

    async def keep_waiting(self, conversation_id: str) -> bool:
        """The customer waits on after the waiting timeout: the timeout starts again; False when the
        conversation no longer waits (taken meanwhile, or ended)."""

    async def position(self, conversation_id: str) -> int | None:
        """The conversation's place in the queue now (None once it no longer waits)."""


def within_hours(settings: HandoffSettings, now: datetime | None = None) -> bool:
    """Inside the support hours (HANDOFF_HOURS, e.g. "09:00-18:00", in HANDOFF_TIMEZONE)."""
    local = (now or datetime.now(tz=ZoneInfo("UTC"))).astimezone(ZoneInfo(settings.timezone)).time()
    start, end = settings.hours
    if end == time(0):  # "...-24:00"
        return local >= start
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # over midnight, e.g. 22:00-02:00


class ConsoleDesk:
    """The operator console's desk API (console/handoff/views.py), with a timeout and a token."""

    def __init__(self, settings: HandoffSettings) -> None:
        self.url = settings.desk_url
        self.token = settings.desk_token
        self.timeout = settings.timeout

    async def _call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session,
                session.request(method, self.url + path, json=body, headers=headers) as response,
            ):
                data = await response.json(content_type=None) if response.content_length != 0 else {}
                return response.status, data if isinstance(data, dict) else {}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise DeskUnavailable(type(error).__name__) from None

    async def operators_available(self) -> bool:
        status, data = await self._call("GET", "/desk/v1/availability")
        if status != 200:
            raise DeskUnavailable(f"availability answered {status}")
        # Operators whose status is 受付中 (console/presence.py), not merely signed in.
        return int(data.get("operators_available") or 0) > 0

    async def enqueue(
        self,
        conversation_id: str,
        channel: str,
        topic: str | None,
        client_ref: str | None = None,
        verified: bool = False,
        verified_account: str | None = None,
    ) -> Ticket | None:
        body = {
            "conversation_id": conversation_id,
            "channel": channel,
            "topic": topic,
            "client_ref": client_ref,
            "verified": verified,  # a verified conversation may take the queue's reserved places ...
            "verified_account": verified_account,  # ... once per account
        }
        status, data = await self._call("POST", "/desk/v1/handoffs", body)
        if status == 503 and data.get("error") == "no_operator":
            return None
        if (status, data.get("error")) in ((503, "queue_full"), (429, "client_limit")):
            raise QueueFull(per_client=status == 429)
        if status not in (200, 201):
            raise DeskUnavailable(f"enqueue answered {status}")
        position = data.get("position")
        return Ticket(str(data["handoff_id"]), int(position) if isinstance(position, int) else None)

    async def cancel(self, conversation_id: str, reason: str = "customer") -> bool:
        body = {"conversation_id": conversation_id, "reason": reason}
        status, _ = await self._call("POST", "/desk/v1/cancellations", body)
        if status == 409:
            return False
        if status != 200:
            raise DeskUnavailable(f"cancel answered {status}")
        return True

    async def keep_waiting(self, conversation_id: str) -> bool:
        status, _ = await self._call("POST", "/desk/v1/waits", {"conversation_id": conversation_id})
        if status == 409:
            return False
        if status != 200:
            raise DeskUnavailable(f"keep waiting answered {status}")
        return True

    async def position(self, conversation_id: str) -> int | None:
        status, data = await self._call("POST", "/desk/v1/positions", {"conversation_id": conversation_id})
        if status != 200:
            raise DeskUnavailable(f"position answered {status}")
        position = data.get("position")
        return position if isinstance(position, int) and position > 0 else None


def desk_from_settings(settings: HandoffSettings | None = None) -> HandoffDesk:
    settings = settings or load_handoff_settings()
    module_name, _, class_name = settings.desk_class.rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)(settings)
