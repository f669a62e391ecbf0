"""The desk's flow in the console: operator status, the live queue, transfers, the bot's waiting
calls, and the background sweep (console/presence.py, routing.py, waiting.py).

Live pages are server-sent events read from the console store, so they work across console processes
as the conversation page's stream does (views.py): whatever process changed a row, every stream sees
it at its next read (QUEUE_STREAM_SECONDS).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from console.handoff.lifecycle import withdraw_unconfirmed
from console.handoff.views import (
    STREAM_HEARTBEAT_SECONDS,
    desk_of,
    from_the_bot,
    is_conversation_id,
    queue_changed,
    queue_rows,
    still_signed_in,
    touch_interval,
    until_queue_changes,
)
from console.presence import STATUSES
from console.routing import MAX_NOTE_CHARS, held_counts, route, transfer
from console.store import Store
from console.waiting import WaitTimes, keep_waiting, position_of, run_forever, sweep

blueprint = Blueprint("desk_flow")
QUEUE_STREAM_SECONDS = 0.2
PRESENCE_STREAM_SECONDS = 1.0
SESSION_CHECK_SECONDS = 2.0


def setup(app: Sanic) -> None:
    settings = app.ctx.settings
    times = WaitTimes(settings.wait_timeout_seconds, settings.wait_answer_seconds)

    async def one_sweep() -> None:
        store: Store = app.ctx.store
        desk = desk_of(settings)
        await asyncio.to_thread(
            withdraw_unconfirmed, store.handoffs, app.ctx.transcripts, settings.handoff_confirm_seconds
        )
        await sweep(store.handoffs, store.presence, app.ctx.rasa, desk, times)

    @app.after_server_start
    async def start_sweep(app: Sanic, _loop: object) -> None:
        app.add_task(run_forever(one_sweep), name="desk_sweep")


def _store(request: Request) -> Store:
    return request.app.ctx.store


def _me(request: Request) -> int:
    return request.ctx.session.operator.id


# ---- operator status ---------------------------------------------------------------------


@blueprint.post("/presence")
async def choose_presence(request: Request) -> HTTPResponse:
    status = (request.json or {}).get("status") if isinstance(request.json, dict) else None
    if status not in STATUSES:
        return json_response({"error": "bad_status"}, status=400)
    grace = request.app.ctx.settings.presence_grace_seconds
    await asyncio.to_thread(_store(request).presence.choose, _me(request), status, grace)
    queue_changed(request.app)
    return json_response({"status": status})


async def _event_stream(request: Request, read: Any, interval: float, event: str) -> None:
    """Sends `read()` as `event` whenever it changes, touches the operator's presence, and ends when
    the session does (signed out, expired) or the browser goes."""
    store = _store(request)
    me = _me(request)
    response = await request.respond(
        content_type="text/event-stream; charset=utf-8", headers={"Cache-Control": "no-store"}
    )
    last, touched, checked, sent = None, 0.0, asyncio.get_running_loop().time(), 0.0
    loop = asyncio.get_running_loop()
    while request.transport is not None and not request.transport.is_closing():
        if loop.time() - touched > touch_interval(request.app.ctx.settings):
            await asyncio.to_thread(store.presence.touch, me, request.app.ctx.settings.presence_grace_seconds)
            touched = loop.time()
        if loop.time() - checked > SESSION_CHECK_SECONDS:
            if not await still_signed_in(request):
                break
            checked = loop.time()
        data = json.dumps(await asyncio.to_thread(read), ensure_ascii=False)
        if data != last:
            await response.send(f"event: {event}\ndata: {data}\n\n")
            last, sent = data, loop.time()
        elif loop.time() - sent > STREAM_HEARTBEAT_SECONDS:
            await response.send(": keep-alive\n\n")
            sent = loop.time()
        await until_queue_changes(request.app, interval)


@blueprint.get("/presence/stream")
async def presence_stream(request: Request) -> None:
    """For pages without a stream of their own: keeps the operator's status while the tab is open."""
    store, me = _store(request), _me(request)
    await _event_stream(request, lambda: {"status": store.presence.status(me)}, PRESENCE_STREAM_SECONDS, "presence")


# ---- the live queue -----------------------------------------------------------------------


def _queue_state(store: Store, me: int, capacity: int) -> dict[str, Any]:
    rows = queue_rows(store, me)
    return {
        "rows": rows,
        "waiting": sum(1 for row in rows if row["status"] == "waiting"),
        "me": {
            "status": store.presence.status(me),
            "held": held_counts(store.handoffs).get(me, 0),
            "capacity": capacity,
        },
    }


@blueprint.get("/queue/stream")
async def queue_stream(request: Request) -> None:
    """Server-sent events: the whole queue whenever it changes (no polling by the page)."""
    store, me = _store(request), _me(request)
    capacity = request.app.ctx.settings.max_conversations_per_operator
    await _event_stream(request, lambda: _queue_state(store, me, capacity), QUEUE_STREAM_SECONDS, "queue")


# ---- transfer -----------------------------------------------------------------------------


def _transfer_targets(request: Request) -> list[dict[str, Any]]:
    store, me, desk = _store(request), _me(request), desk_of(request.app.ctx.settings)
    names = store.operators.names()
    held = held_counts(store.handoffs)
    available = store.presence.available(desk.idle_seconds, desk.grace_seconds)
    return [
        {"id": op, "name": names.get(op, "?"), "held": held.get(op, 0), "capacity": desk.capacity}
        for op in available
        if op != me and held.get(op, 0) < desk.capacity
    ]


@blueprint.get("/api/operators")
async def transfer_targets(request: Request) -> HTTPResponse:
    """Operators a conversation can be passed to now: 受付中 and under capacity."""
    return json_response({"operators": await asyncio.to_thread(_transfer_targets, request)})


@blueprint.post("/handoffs/<handoff_id:str>/transfer")
async def transfer_handoff(request: Request, handoff_id: str) -> HTTPResponse:
    body = request.json if isinstance(request.json, dict) else {}
    target, note = body.get("to"), str(body.get("note") or "").strip()
    if not isinstance(target, int) or len(note) > MAX_NOTE_CHARS:
        return json_response({"error": "bad_request"}, status=400)
    targets = {t["id"] for t in await asyncio.to_thread(_transfer_targets, request)}
    if target not in targets:
        return json_response({"error": "not_available"}, status=409)
    store, me = _store(request), _me(request)
    capacity = request.app.ctx.settings.max_conversations_per_operator
    if not await asyncio.to_thread(transfer, store.handoffs, handoff_id, me, target, note, capacity):
        return json_response({"error": "not_yours"}, status=409)
    await asyncio.to_thread(route, store.handoffs, store.presence, desk_of(request.app.ctx.settings))  # loads changed
    queue_changed(request.app)
    handoff = await asyncio.to_thread(store.handoffs.get, handoff_id)
    try:
        await request.app.ctx.rasa.execute(handoff.conversation_id, "action_handoff_transferred")
    except Exception as error:  # noqa: BLE001 - passed on all the same; telling the customer is a courtesy
        return json_response({"status": "transferred", "warning": type(error).__name__})
    return json_response({"status": "transferred"})


# ---- the bot's waiting calls (service token) ------------------------------------------------


def _conversation(request: Request) -> str | HTTPResponse:
    """The conversation a call of the bot's names, or the refusal (401 not the bot, 400 no valid id)."""
    if not from_the_bot(request):
        return json_response({"error": "unauthorized"}, status=401)
    body = request.json if isinstance(request.json, dict) else {}
    conversation_id = body.get("conversation_id")
    if not is_conversation_id(conversation_id):
        return json_response({"error": "bad_request"}, status=400)
    return conversation_id


@blueprint.post("/desk/v1/waits")
async def wait_on(request: Request) -> HTTPResponse:
    """After the waiting timeout the customer chose to keep waiting: the timeout starts again."""
    conversation_id = _conversation(request)
    if isinstance(conversation_id, HTTPResponse):
        return conversation_id
    if not await asyncio.to_thread(keep_waiting, _store(request).handoffs, conversation_id):
        return json_response({"error": "not_waiting"}, status=409)
    return json_response({"status": "waiting"})


@blueprint.post("/desk/v1/positions")
async def position(request: Request) -> HTTPResponse:
    """The conversation's place in the queue now (null once it no longer waits)."""
    conversation_id = _conversation(request)
    if isinstance(conversation_id, HTTPResponse):
        return conversation_id
    return json_response({"position": await asyncio.to_thread(position_of, _store(request).handoffs, conversation_id)})
