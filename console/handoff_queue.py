"""The handoff queue, as the console store keeps it: conversations waiting for a person, taken by one
operator, then handed back or closed. Every change of state is one conditional UPDATE, so two requests
can never both make it: two operators taking, a take and the customer's cancel, two hand-backs.

    waiting -> active (taken) -> ending -> returned | closed
    waiting -> cancelled (the customer left the queue) | withdrawn (the conversation was never paused)
    waiting -> timed_out (after the waiting timeout the customer chose the contact page)
    waiting -> expiring -> timed_out (nor did they answer: console/waiting.py resumes the conversation)

`ending` is the hand-back or close in flight: whoever moved the row there is the one request that
tells Rasa (console/handoff/views.py); it becomes returned/closed once Rasa has it, or active again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from channels.client_ref import group_of, network_of
from console.queue_admission import Newcomer, admits
from console.tables import handoffs

OPEN = ("waiting", "active", "ending", "expiring")
ENDED = ("returned", "closed")
HELD = ("active", "ending")  # what counts towards an operator's capacity (console/routing.py)


@dataclass(frozen=True)
class Handoff:
    id: str
    conversation_id: str
    channel: str
    topic: str | None
    status: str
    operator_id: int | None
    created_at: float
    taken_at: float | None
    ended_at: float | None
    client_ref: str | None = None
    offered_to: int | None = None
    transfer_note: str | None = None
    transferred_from: int | None = None
    wait_from: float | None = None
    wait_offer_at: float | None = None
    told_position: int | None = None
    account_ref: str | None = None


@dataclass(frozen=True)
class QueueLimits:
    """How many conversations may wait at once: overall, per client, and per client group (an IPv6 /56,
    channels/client_ref.py), so one line's many /64s cannot fill the queue (console/README.md)."""

    max_waiting: int
    max_waiting_per_client: int
    max_waiting_per_group: int = 6
    # The last places, kept for LINE users and verified conversations (console/queue_admission.py;
    # CONSOLE_QUEUE_RESERVED_FOR_PRIORITY, 10 of the 30 by default in console/settings.py).
    reserved_for_priority: int = 0
    # A web/REST conversation that did not verify itself (cheap to make, security review 4 M2: 7 IPv4
    # addresses × 3 or 4 /56s × 6 filled the 20 unreserved places): 1 row per client, 2 per group (an
    # IPv6 /56) and 4 per network (an IPv4 /24 or an IPv6 /48, channels/client_ref.py), so filling 20
    # places takes 5 networks, and one /64 of a carrier's shared /48 holds 1 of its 4 (review 5, N1: with
    # 2 per /48, two /64s closed the queue to every other unverified customer of that /48).
    max_waiting_unverified_per_client: int = 1
    max_waiting_unverified_per_network: int = 4
    max_waiting_unverified_per_group: int = 2
    # A verified conversation: its account may wait once (security review 5, low: one customer's own account,
    # verified from a few addresses, filled the reserved places).
    max_waiting_per_account: int = 1


class QueueFull(Exception):
    """The queue, or this client's share of it, is full: nothing was queued."""

    def __init__(self, per_client: bool) -> None:
        super().__init__("client limit" if per_client else "queue full")
        self.per_client = per_client


class HandoffQueue:
    def __init__(
        self,
        engine: sa.engine.Engine,
        limits: QueueLimits | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.limits = limits or QueueLimits(max_waiting=30, max_waiting_per_client=3)
        self.clock = clock

    def enqueue(
        self,
        conversation_id: str,
        channel: str,
        topic: str | None,
        client_ref: str | None = None,
        verified: bool = False,
        account_ref: str | None = None,
    ) -> tuple[Handoff, int | None]:
        """Queues a conversation (once: an open handoff is returned as it is) and its position.
        Raises QueueFull when the queue or the client's share of it is full."""
        with self.engine.begin() as db:
            if db.dialect.name == "postgresql":
                # Enqueues one at a time, so two of them never both take the last place.
                db.execute(sa.text("SELECT pg_advisory_xact_lock(2101)"))
            row = db.execute(
                handoffs.select().where(handoffs.c.conversation_id == conversation_id, handoffs.c.status.in_(OPEN))
            ).first()
            if row is None:
                handoff_id = uuid.uuid4().hex
                now = self.clock()
                # Inserted first: on SQLite the write lock is taken here, so the counts below see every
                # other enqueue (they wait); over a limit, the transaction is rolled back.
                db.execute(
                    handoffs.insert().values(
                        id=handoff_id,
                        conversation_id=conversation_id,
                        channel=channel,
                        topic=topic,
                        client_ref=client_ref,
                        account_ref=account_ref if verified else None,
                        status="waiting",
                        created_at=now,
                        wait_from=now,
                    )
                )
                check_limits(
                    db, self.limits, client_ref, Newcomer(channel, verified, account_ref if verified else None)
                )
                # The place the customer is told now (action_handoff); console/waiting.py tells changes.
                ahead = sa.select(sa.func.count()).select_from(handoffs)
                ahead = ahead.where(handoffs.c.status == "waiting", handoffs.c.created_at < now)
                told = int(db.execute(ahead).scalar_one()) + 1
                db.execute(handoffs.update().where(handoffs.c.id == handoff_id).values(told_position=told))
                row = db.execute(handoffs.select().where(handoffs.c.id == handoff_id)).first()
        handoff = Handoff(**row._mapping)
        return handoff, self.position(handoff)

    def position(self, handoff: Handoff) -> int | None:
        if handoff.status != "waiting":
            return None
        with self.engine.connect() as db:
            ahead = db.execute(
                sa.select(sa.func.count())
                .select_from(handoffs)
                .where(handoffs.c.status == "waiting", handoffs.c.created_at < handoff.created_at)
            ).scalar_one()
        return int(ahead) + 1

    def get(self, handoff_id: str) -> Handoff | None:
        with self.engine.connect() as db:
            row = db.execute(handoffs.select().where(handoffs.c.id == handoff_id)).first()
        return Handoff(**row._mapping) if row else None

    def open(self) -> list[Handoff]:
        with self.engine.connect() as db:
            rows = db.execute(handoffs.select().where(handoffs.c.status.in_(OPEN)).order_by(handoffs.c.created_at))
            return [Handoff(**row._mapping) for row in rows]

    def _move(self, handoff_id: str, from_status: str, values: dict[str, object], held_by: int | None = None) -> bool:
        """One conditional UPDATE: True for the one request that found the row in `from_status`
        (and held by the operator `held_by`, when given)."""
        where = [handoffs.c.id == handoff_id, handoffs.c.status == from_status]
        if held_by is not None:
            where.append(handoffs.c.operator_id == held_by)
        with self.engine.begin() as db:
            return db.execute(handoffs.update().where(*where).values(**values)).rowcount == 1

    def take(self, handoff_id: str, operator_id: int, capacity: int | None = None) -> bool:
        """True for exactly one operator: the UPDATE only matches while the handoff still waits (and,
        with a capacity, while the operator holds fewer conversations: console/routing.py)."""
        where = [handoffs.c.id == handoff_id, handoffs.c.status == "waiting"]
        with self.engine.begin() as db:
            if capacity is not None:
                lock_operator(db, operator_id)
                where.append(held_count(operator_id) < capacity)
            values = {"status": "active", "operator_id": operator_id, "taken_at": self.clock(), "offered_to": None}
            return db.execute(handoffs.update().where(*where).values(**values)).rowcount == 1

    def cancel(self, conversation_id: str, status: str = "cancelled") -> bool:
        """The customer leaves the queue (`timed_out`: for the contact page after the waiting timeout):
        True unless an operator has already taken the conversation. The UPDATE only matches while it
        still waits, so a cancel and a take never both succeed."""
        if status not in ("cancelled", "timed_out"):
            raise ValueError(f"not a way to leave the queue: {status}")
        with self.engine.begin() as db:
            db.execute(
                handoffs.update()
                .where(handoffs.c.conversation_id == conversation_id, handoffs.c.status == "waiting")
                .values(status=status, ended_at=self.clock())
            )
            taken = db.execute(
                handoffs.select().where(
                    handoffs.c.conversation_id == conversation_id, handoffs.c.status.in_((*HELD, "expiring"))
                )
            ).first()
        return taken is None

    def withdraw(self, handoff_id: str) -> bool:
        """A waiting handoff whose conversation was never paused leaves the queue (console/handoff/reconcile.py)."""
        return self._move(handoff_id, "waiting", {"status": "withdrawn", "ended_at": self.clock()})

    def start_ending(self, handoff_id: str, operator_id: int) -> bool:
        """The operator holding the conversation hands it back or closes it: True for exactly one
        request (a double click sends two); the other finds it no longer active."""
        return self._move(handoff_id, "active", {"status": "ending"}, held_by=operator_id)

    def undo_ending(self, handoff_id: str, operator_id: int) -> bool:
        """Rasa did not take the hand-back: the operator still has the conversation."""
        return self._move(handoff_id, "ending", {"status": "active"}, held_by=operator_id)

    def finish(self, handoff_id: str, operator_id: int, status: str) -> bool:
        """Hand back ("returned") or close ("closed") a conversation the operator holds."""
        if status not in ENDED:
            raise ValueError(f"not an end: {status}")
        for from_status in ("ending", "active"):
            if self._move(handoff_id, from_status, {"status": status, "ended_at": self.clock()}, held_by=operator_id):
                return True
        return False


def check_limits(db: sa.engine.Connection, limits: QueueLimits, client_ref: str | None, newcomer: Newcomer) -> None:
    """The queue's caps for a newcomer whose row is already inserted (the counts include it)."""
    waiting = handoffs.c.status == "waiting"
    count = sa.select(sa.func.count()).select_from(handoffs)
    if not admits(
        db.execute(count.where(waiting)).scalar_one(), newcomer, limits.max_waiting, limits.reserved_for_priority
    ):
        raise QueueFull(per_client=False)
    if newcomer.account_ref is not None and _waiting_over(
        db, handoffs.c.account_ref == newcomer.account_ref, limits.max_waiting_per_account
    ):
        raise QueueFull(per_client=True)
    if client_ref is not None:
        mine = db.execute(count.where(waiting, handoffs.c.client_ref == client_ref)).scalar_one()
        if mine > limits.max_waiting_per_client:
            raise QueueFull(per_client=True)
        if _waiting_over(db, _same_group(client_ref), limits.max_waiting_per_group):
            raise QueueFull(per_client=True)
        if not newcomer.hard_to_mass_produce:
            _check_unverified_limits(db, limits, client_ref, mine)


def _same_group(client_ref: str) -> sa.ColumnElement[bool] | None:
    """Rows of the client's group (an IPv6 /56: references end in ":" and the group's hash; an older one
    in "." and its one level), or None for a reference without a group part."""
    group = group_of(client_ref)
    if group == client_ref:
        return None
    separator = ":" if ":" in client_ref else "."
    return handoffs.c.client_ref.endswith(f"{separator}{group}", autoescape=True)


def _check_unverified_limits(db: sa.engine.Connection, limits: QueueLimits, client_ref: str, mine: int) -> None:
    """An unverified web/REST newcomer: its client may have 1 row, its group (an IPv6 /56) 2 and its
    network (IPv4 /24, IPv6 /48) 4 (security reviews 4 M2, 5 N1); the counts include the newcomer's row."""
    network = network_of(client_ref)
    # A reference without a network part (older channels): its group caps it.
    same_network = None if network is None else handoffs.c.client_ref.contains(f".{network}.", autoescape=True)
    if (
        mine > limits.max_waiting_unverified_per_client
        or _waiting_over(db, _same_group(client_ref), limits.max_waiting_unverified_per_group)
        or _waiting_over(db, same_network, limits.max_waiting_unverified_per_network)
    ):
        raise QueueFull(per_client=True)


def _waiting_over(db: sa.engine.Connection, where: sa.ColumnElement[bool] | None, limit: int) -> bool:
    """Whether more than `limit` rows matching `where` wait (never, without a condition)."""
    if where is None:
        return False
    count = sa.select(sa.func.count()).select_from(handoffs)
    return db.execute(count.where(handoffs.c.status == "waiting", where)).scalar_one() > limit


def held_count(operator_id: int) -> sa.ScalarSelect:
    """How many conversations the operator holds (a subquery, so the check is in the UPDATE itself)."""
    held = handoffs.alias("held")
    return (
        sa.select(sa.func.count())
        .select_from(held)
        .where(held.c.operator_id == operator_id, held.c.status.in_(HELD))
        .scalar_subquery()
    )


def lock_operator(db: sa.engine.Connection, operator_id: int) -> None:
    """PostgreSQL: one capacity check per operator at a time (two takes of different conversations at
    once could both see room). SQLite: the UPDATE holds the write lock already."""
    if db.dialect.name == "postgresql":
        db.execute(sa.text("SELECT pg_advisory_xact_lock(2102, :operator)"), {"operator": operator_id})
