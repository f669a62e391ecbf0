"""While customers wait: the waiting timeout, their place in the queue, and the sweep that runs both
(with presence and routing) in every console process.

- Waiting timeout (CONSOLE_WAIT_TIMEOUT_SECONDS after queueing, or after the customer chose to wait
  on): the customer is asked whether to keep waiting or get the contact page
  (`action_handoff_wait_offer`; their answer runs `action_handoff_wait_answer`, which calls the desk:
  POST /desk/v1/waits starts the timeout again, POST /desk/v1/cancellations with reason "timeout"
  ends the row `timed_out` and the bot resumes). No answer within CONSOLE_WAIT_ANSWER_SECONDS: the row
  goes `waiting -> expiring` (one process claims it), Rasa resumes the conversation with
  `action_handoff_timed_out` (the contact page), then the row is `timed_out`; if Rasa cannot be
  reached, the row waits again and is retried after another answer period. So the row ends exactly
  when the bot is back, and the queue page (a stream) shows it ended.
- Place in the queue: when it changes, the web widget is told every time (a status line, no bubble);
  LINE only when it matters — the first place, or half the place last told — so a LINE customer gets
  at most about log2(position) pushes (`action_handoff_position`).

Every step is a conditional UPDATE, so two console processes sweeping at once do each thing once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from console.handoff.rasa_api import RasaApi, RasaApiError
from console.handoff_queue import Handoff, HandoffQueue
from console.presence import PresenceRepository
from console.routing import Desk, route
from console.tables import handoffs

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 0.5


@dataclass(frozen=True)
class WaitTimes:
    timeout_seconds: float  # waiting before the keep-waiting question
    answer_seconds: float  # for the answer before the row ends


def _update(queue: HandoffQueue, handoff_id: str, where: list, values: dict[str, object]) -> bool:
    with queue.engine.begin() as db:
        statement = handoffs.update().where(handoffs.c.id == handoff_id, *where).values(**values)
        return db.execute(statement).rowcount == 1


def keep_waiting(queue: HandoffQueue, conversation_id: str) -> bool:
    """The customer waits on: the timeout counts again from now. False when it no longer waits."""
    with queue.engine.begin() as db:
        return bool(
            db.execute(
                handoffs.update()
                .where(handoffs.c.conversation_id == conversation_id, handoffs.c.status == "waiting")
                .values(wait_from=queue.clock(), wait_offer_at=None)
            ).rowcount
        )


def waiting_positions(queue: HandoffQueue) -> list[tuple[Handoff, int]]:
    waiting = [h for h in queue.open() if h.status == "waiting"]
    return [(handoff, place) for place, handoff in enumerate(waiting, start=1)]


def position_of(queue: HandoffQueue, conversation_id: str) -> int | None:
    return next((place for h, place in waiting_positions(queue) if h.conversation_id == conversation_id), None)


def worth_telling(channel: str, told: int | None, now: int) -> bool:
    """Web: every change. LINE (a push each): the first place, or half the place last told."""
    if told == now:
        return False
    if channel == "web" or told is None:
        return True
    return now < told and (now == 1 or now * 2 <= told)


async def _ask_to_keep_waiting(queue: HandoffQueue, rasa: RasaApi, handoff: Handoff, times: WaitTimes) -> None:
    now = queue.clock()
    if handoff.wait_offer_at is not None or now - (handoff.wait_from or handoff.created_at) < times.timeout_seconds:
        return
    claimed = [handoffs.c.status == "waiting", handoffs.c.wait_offer_at.is_(None)]
    if not await asyncio.to_thread(_update, queue, handoff.id, claimed, {"wait_offer_at": now}):
        return  # another process asked, or the row moved on
    try:
        await rasa.execute(handoff.conversation_id, "action_handoff_wait_offer")
    except RasaApiError as error:
        logger.warning("Keep-waiting question not delivered (%s); asked again after another timeout", error)
        undo = [handoffs.c.status == "waiting", handoffs.c.wait_offer_at == now]
        await asyncio.to_thread(_update, queue, handoff.id, undo, {"wait_offer_at": None, "wait_from": now})


async def _end_unanswered(queue: HandoffQueue, rasa: RasaApi, handoff: Handoff, times: WaitTimes) -> None:
    asked = handoff.wait_offer_at
    if asked is None or queue.clock() - asked < times.answer_seconds:
        return
    claimed = [handoffs.c.status == "waiting", handoffs.c.wait_offer_at == asked]
    if not await asyncio.to_thread(_update, queue, handoff.id, claimed, {"status": "expiring"}):
        return
    try:
        await rasa.resume(handoff.conversation_id, "action_handoff_timed_out")
    except RasaApiError as error:
        logger.warning("Timed-out handoff not resumed (%s); it waits and is retried", error)
        back = {"status": "waiting", "wait_offer_at": queue.clock()}
        await asyncio.to_thread(_update, queue, handoff.id, [handoffs.c.status == "expiring"], back)
        return
    done = {"status": "timed_out", "ended_at": queue.clock()}
    await asyncio.to_thread(_update, queue, handoff.id, [handoffs.c.status == "expiring"], done)


def end_stale_expiring(queue: HandoffQueue, times: WaitTimes) -> int:
    """Rows left `expiring` (a console process stopped between claiming a row and ending it: security
    review 4) end `timed_out` one more answer window after the claim, so the conversation may queue
    again; the contact page is not sent twice (the resume may have run). Returns how many ended."""
    now = queue.clock()
    stale = [handoffs.c.status == "expiring", handoffs.c.wait_offer_at < now - 2 * times.answer_seconds]
    with queue.engine.begin() as db:
        return db.execute(handoffs.update().where(*stale).values(status="timed_out", ended_at=now)).rowcount


async def _tell_position(queue: HandoffQueue, rasa: RasaApi, handoff: Handoff, place: int) -> None:
    if not worth_telling(handoff.channel, handoff.told_position, place):
        return
    told = handoffs.c.told_position
    same = [told.is_(None) if handoff.told_position is None else told == handoff.told_position]
    if not await asyncio.to_thread(
        _update, queue, handoff.id, [handoffs.c.status == "waiting", *same], {"told_position": place}
    ):
        return
    try:
        await rasa.execute(handoff.conversation_id, "action_handoff_position")
    except RasaApiError as error:
        logger.info("Place in the queue not delivered: %s", error)  # the next change tells it


async def sweep(queue: HandoffQueue, presence: PresenceRepository, rasa: RasaApi, desk: Desk, times: WaitTimes) -> None:
    """One pass: stale presence, offers, stale `expiring` rows, the waiting timeout, places in the queue."""
    await asyncio.to_thread(presence.end_stale, desk.grace_seconds)
    await asyncio.to_thread(route, queue, presence, desk)
    await asyncio.to_thread(end_stale_expiring, queue, times)
    for handoff, place in await asyncio.to_thread(waiting_positions, queue):
        await _end_unanswered(queue, rasa, handoff, times)
        await _ask_to_keep_waiting(queue, rasa, handoff, times)
        await _tell_position(queue, rasa, handoff, place)


async def run_forever(step: Callable[[], Awaitable[None]], interval: float = SWEEP_SECONDS) -> None:
    """The console's background loop: a failing pass is logged and the next one runs."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the loop must outlive one bad pass (a locked database, say)
            logger.exception("Queue sweep failed")
        await asyncio.sleep(interval)


def recently_ended(queue: HandoffQueue, since: float) -> list[Handoff]:
    """Handoffs that left the queue without an operator since `since` (the queue page shows them ended)."""
    query = handoffs.select().where(
        handoffs.c.status.in_(("cancelled", "withdrawn", "timed_out")), handoffs.c.ended_at >= since
    )
    with queue.engine.connect() as db:
        return [Handoff(**row._mapping) for row in db.execute(query.order_by(handoffs.c.ended_at))]
