"""Changes that concern a handoff and its conversation together, so the queue and the conversation
never disagree (the conversation is paused exactly while its handoff is open):

- queued: `action_handoff` pauses the conversation in the same turn the desk queued it;
- taken: `action_handoff_taken` pauses it again (a no-op normally; it repairs a pause that was lost);
- handed back / closed (`end_handoff`): one request claims the row (`ending`), resumes the
  conversation through Rasa, then records the end: a double click ends it exactly once;
- never paused (`withdraw_unconfirmed`): a waiting handoff whose conversation is still not paused
  `confirm_seconds` after it was queued was never handed over (action_handoff's answer to Rasa was
  lost: the customer was told it failed and talks to the bot): it leaves the queue;
- Rasa's session expiry does not end a pause (bot_server/handoff_pause.py carries it into the new
  session): a person keeps the conversation until they end it or the customer leaves the queue.
"""

from __future__ import annotations

import asyncio
from typing import Any

from console.handoff.rasa_api import RasaApi, RasaApiError
from console.handoff.transcript import TranscriptReader
from console.handoff_queue import HandoffQueue

END_ACTIONS = {"returned": "action_handoff_returned", "closed": "action_handoff_closed"}


async def end_handoff(
    queue: HandoffQueue, rasa: RasaApi, handoff_id: str, operator_id: int, status: str
) -> tuple[int, dict[str, Any]]:
    """Hand back or close: (HTTP status, body). Only the operator holding it, and only once."""
    handoff = await asyncio.to_thread(queue.get, handoff_id)
    if handoff is None:
        return 404, {"error": "not_found"}
    if not await asyncio.to_thread(queue.start_ending, handoff_id, operator_id):
        # Not held by this operator, or another request (the first click) is ending it.
        return 409, {"error": "not_yours"}
    try:
        await rasa.resume(handoff.conversation_id, END_ACTIONS[status])
    except RasaApiError as error:
        await asyncio.to_thread(queue.undo_ending, handoff_id, operator_id)
        return 502, {"error": "not_delivered", "message": str(error)}
    await asyncio.to_thread(queue.finish, handoff_id, operator_id, status)
    return 200, {"status": status}


def withdraw_unconfirmed(queue: HandoffQueue, reader: TranscriptReader, confirm_seconds: float) -> list[str]:
    """Withdraws the waiting handoffs whose conversation was never paused; their ids."""
    now = queue.clock()
    old = [h for h in queue.open() if h.status == "waiting" and now - h.created_at > confirm_seconds]
    if not old:
        return []
    paused = reader.paused({h.conversation_id for h in old})
    return [h.id for h in old if h.conversation_id not in paused and queue.withdraw(h.id)]
