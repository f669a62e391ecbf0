"""Queue, conversation and desk-API routes of the handoff part of the console."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from pathlib import Path
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, empty
from sanic.response import json as json_response

from channels.senders import is_shared_chat
from console import auth
from console.app import render
from console.canned_replies import TOPIC_LABELS
from console.handoff.context import CHANNEL_LABELS, jst_time, read_context
from console.handoff.lifecycle import end_handoff, withdraw_unconfirmed
from console.handoff.rasa_api import RasaApi, RasaApiError
from console.handoff.transcript import TranscriptReader
from console.handoff_queue import OPEN
from console.notes import Note, clean_note
from console.outcomes import OUTCOMES, earlier_handoffs, read_outcome
from console.pages import NavItem
from console.routing import Desk, route
from console.settings import ConsoleSettings
from console.store import Handoff, QueueFull, Store
from console.waiting import recently_ended

blueprint = Blueprint("handoff")
NAV = [NavItem("待ち行列", "/queue")]
TEMPLATES = Path(__file__).resolve().parent / "templates"
STREAM_POLL_SECONDS = 0.15
ENDED_SHOWN_SECONDS = 60.0
STREAM_HEARTBEAT_SECONDS = 15.0
STREAM_SESSION_CHECK_SECONDS = 2.0  # a signed-out operator's open stream ends within this
MAX_OPERATOR_MESSAGE_CHARS = 1000
CHANNELS = ("web", "line", "rest")
MAX_CLIENT_REF_CHARS = 64
ACCOUNT_REF = re.compile(r"[0-9a-f]{32}")  # actions/handoff_desk.py verified_account_ref
# Why a waiting customer leaves the queue -> the row's end (timeout: they chose the contact page).
CANCEL_REASONS = {"customer": "cancelled", "timeout": "timed_out"}
STATUS_LABELS = {
    "waiting": "待機中",
    "active": "対応中",
    "ending": "終了処理中",
    "returned": "ボットに戻しました",
    "closed": "終了",
    "cancelled": "お客さまが取り消し",
    "withdrawn": "取り下げ（おつなぎできず）",
    "expiring": "待ち時間切れ（終了処理中）",
    "timed_out": "待ち時間切れ（お問い合わせ窓口をご案内）",
}
PRESENCE_TOUCH_SECONDS = 5.0  # an open stream tells console/presence.py so this often (or a third of the grace)


def touch_interval(settings: ConsoleSettings) -> float:
    """How often an open stream touches the operator's presence: well within the grace."""
    return min(PRESENCE_TOUCH_SECONDS, settings.presence_grace_seconds / 3)


def waiting_text(seconds: int) -> str:
    return f"{seconds // 60}分{seconds % 60:02d}秒" if seconds >= 60 else f"{seconds}秒"


def queue_changed(app: Sanic) -> None:
    """Wakes this process's queue streams at once; other processes' streams read the store within
    their interval (console/handoff/flow_views.py)."""
    app.ctx.queue_event.set()
    app.ctx.queue_event.clear()


async def until_queue_changes(app: Sanic, seconds: float) -> None:
    """Returns when this process changed the queue, or after `seconds`."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(app.ctx.queue_event.wait(), seconds)


def setup(app: Sanic) -> None:
    app.ctx.queue_event = asyncio.Event()
    app.ctx.transcripts = TranscriptReader(app.ctx.settings.tracker_store_url)
    app.ctx.rasa = RasaApi(app.ctx.settings.rasa_url, app.ctx.settings.rasa_token, app.ctx.settings.http_timeout)


def _store(request: Request) -> Store:
    return request.app.ctx.store


def _summary(handoff: Handoff, names: dict[int, str], me: int, position: int | None, now: float) -> dict[str, Any]:
    waited = int((handoff.taken_at or handoff.ended_at or now) - handoff.created_at)
    mine = handoff.operator_id == me
    return {
        "id": handoff.id,
        "channel": handoff.channel,
        "topic": handoff.topic or "—",
        "status": handoff.status,
        "status_label": STATUS_LABELS.get(handoff.status, handoff.status),
        "waiting_seconds": waited,
        "waiting": waiting_text(waited),
        "operator": names.get(handoff.operator_id or -1),
        "mine": mine,
        "position": position,
        # Routing (console/routing.py): offered to whom; a transfer's note for the one who has it now.
        "offered_to": names.get(handoff.offered_to or -1),
        "offered_to_me": handoff.status == "waiting" and handoff.offered_to == me,
        "transferred_from": names.get(handoff.transferred_from or -1) if mine else None,
        "transfer_note": handoff.transfer_note if mine else None,
        "ended": handoff.status not in OPEN,
    }


def _queue(store: Store, reader: TranscriptReader, confirm_seconds: float, me: int) -> list[dict[str, Any]]:
    withdraw_unconfirmed(store.handoffs, reader, confirm_seconds)
    return queue_rows(store, me)


def queue_rows(store: Store, me: int) -> list[dict[str, Any]]:
    """The open handoffs, oldest first, then those that left the queue unserved in the last
    ENDED_SHOWN_SECONDS (shown ended, so an operator sees a customer stopped waiting)."""
    names = store.operators.names()
    now = time.time()
    waiting = 0
    rows = []
    for handoff in store.handoffs.open():  # oldest first, so positions count up
        position = None
        if handoff.status == "waiting":
            waiting += 1
            position = waiting
        rows.append(_summary(handoff, names, me, position, now))
    for handoff in recently_ended(store.handoffs, now - ENDED_SHOWN_SECONDS):
        rows.append(_summary(handoff, names, me, None, now))
    return rows


async def _held(request: Request, handoff_id: str) -> Handoff | HTTPResponse:
    """The handoff, if it is active and held by the signed-in operator."""
    handoff = await asyncio.to_thread(_store(request).handoffs.get, handoff_id)
    if handoff is None:
        return json_response({"error": "not_found"}, status=404)
    if handoff.status != "active" or handoff.operator_id != request.ctx.session.operator.id:
        return json_response({"error": "not_yours"}, status=409)
    return handoff


# ---- pages ----------------------------------------------------------------------------


async def _queue_rows(request: Request) -> list[dict[str, Any]]:
    confirm_seconds = request.app.ctx.settings.handoff_confirm_seconds
    return await asyncio.to_thread(
        _queue, _store(request), request.app.ctx.transcripts, confirm_seconds, request.ctx.session.operator.id
    )


@blueprint.get("/queue")
async def queue_page(request: Request) -> HTTPResponse:
    return render(request, "queue.html", rows=await _queue_rows(request))


@blueprint.get("/api/queue")
async def queue_json(request: Request) -> HTTPResponse:
    return json_response({"queue": await _queue_rows(request)})


@blueprint.get("/handoffs/<handoff_id:str>")
async def conversation_page(request: Request, handoff_id: str) -> HTTPResponse:
    store = _store(request)
    handoff = await asyncio.to_thread(store.handoffs.get, handoff_id)
    if handoff is None:
        return render(request, "not_found.html", status=404)
    names = await asyncio.to_thread(store.operators.names)
    summary = _summary(handoff, names, request.ctx.session.operator.id, None, time.time())
    desk = await asyncio.to_thread(_desk_context, store, request.app.ctx.transcripts, handoff, names)
    return render(request, "conversation.html", handoff=summary, **desk)


# ---- live transcript ------------------------------------------------------------------


async def still_signed_in(request: Request) -> bool:
    """Is the session this request came with still live? (The middleware checked it only at the start.)"""
    settings = request.app.ctx.settings
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    session = await asyncio.to_thread(
        _store(request).sessions.live, token, settings.session_idle_seconds, settings.session_max_seconds
    )
    return session is not None


@blueprint.get("/handoffs/<handoff_id:str>/transcript")
async def transcript(request: Request, handoff_id: str) -> HTTPResponse:
    """Polling alternative to the stream (and what the benchmarks and tests read)."""
    handoff = await asyncio.to_thread(_store(request).handoffs.get, handoff_id)
    if handoff is None:
        return json_response({"error": "not_found"}, status=404)
    after = int(request.args.get("after") or 0)
    lines = await asyncio.to_thread(
        request.app.ctx.transcripts.after,
        handoff.conversation_id,
        after,
        since=handoff.created_at,
        until=handoff.ended_at,
    )
    return json_response({"status": handoff.status, "lines": [line.as_dict() for line in lines]})


@blueprint.get("/handoffs/<handoff_id:str>/stream")
async def stream(request: Request, handoff_id: str) -> HTTPResponse | None:
    """Server-sent events: transcript lines after the cursor, then the status when it changes.

    The browser's EventSource reconnects with Last-Event-ID, so a dropped connection resumes
    from the last line it showed."""
    store = _store(request)
    handoff = await asyncio.to_thread(store.handoffs.get, handoff_id)
    if handoff is None:
        return json_response({"error": "not_found"}, status=404)
    cursor = int(request.headers.get("last-event-id") or request.args.get("after") or 0)
    response = await request.respond(
        content_type="text/event-stream; charset=utf-8", headers={"Cache-Control": "no-store"}
    )
    status = None
    last_sent = time.monotonic()
    reader: TranscriptReader = request.app.ctx.transcripts
    session_checked = time.monotonic()
    touched = 0.0
    while request.transport is not None and not request.transport.is_closing():
        if time.monotonic() - touched > touch_interval(request.app.ctx.settings):
            await asyncio.to_thread(
                store.presence.touch, request.ctx.session.operator.id, request.app.ctx.settings.presence_grace_seconds
            )  # this tab is open
            touched = time.monotonic()
        if time.monotonic() - session_checked > STREAM_SESSION_CHECK_SECONDS:
            if not await still_signed_in(request):
                break  # signed out, signed out everywhere (new password) or expired
            session_checked = time.monotonic()
        current = await asyncio.to_thread(store.handoffs.get, handoff_id)
        until = current.ended_at if current else handoff.ended_at
        lines = await asyncio.to_thread(
            reader.after, handoff.conversation_id, cursor, since=handoff.created_at, until=until
        )
        chunk = ""
        for line in lines:
            cursor = line.id
            chunk += f"id: {line.id}\nevent: line\ndata: {json.dumps(line.as_dict(), ensure_ascii=False)}\n\n"
        if current and current.status != status:
            status = current.status
            chunk += f"event: status\ndata: {json.dumps({'status': status})}\n\n"
        if not chunk and time.monotonic() - last_sent > STREAM_HEARTBEAT_SECONDS:
            chunk = ": keep-alive\n\n"
        if chunk:
            await response.send(chunk)
            last_sent = time.monotonic()
        await asyncio.sleep(STREAM_POLL_SECONDS)
    return None


# ---- operator actions -------------------------------------------------------------------


@blueprint.post("/handoffs/<handoff_id:str>/take")
async def take(request: Request, handoff_id: str) -> HTTPResponse:
    store = _store(request)
    operator = request.ctx.session.operator
    capacity = request.app.ctx.settings.max_conversations_per_operator
    if not await asyncio.to_thread(store.handoffs.take, handoff_id, operator.id, capacity):
        current = await asyncio.to_thread(store.handoffs.get, handoff_id)
        if current is not None and current.status == "waiting":  # still waiting: this operator is full
            return json_response({"error": "at_capacity", "capacity": capacity}, status=409)
        return json_response({"error": "already_taken"}, status=409)
    # Their other offers may go to someone with room now (the sweep would, within half a second).
    await asyncio.to_thread(route, store.handoffs, store.presence, desk_of(request.app.ctx.settings))
    queue_changed(request.app)
    handoff = await asyncio.to_thread(store.handoffs.get, handoff_id)
    try:
        await request.app.ctx.rasa.execute(handoff.conversation_id, "action_handoff_taken")
    except RasaApiError as error:
        # Taken all the same: the operator can still write; the notice is a courtesy.
        return json_response({"status": "active", "warning": str(error)})
    return json_response({"status": "active"})


@blueprint.post("/handoffs/<handoff_id:str>/messages")
async def send(request: Request, handoff_id: str) -> HTTPResponse:
    held = await _held(request, handoff_id)
    if isinstance(held, HTTPResponse):
        return held
    text = str((request.json or {}).get("text") or "").strip()
    if not text or len(text) > MAX_OPERATOR_MESSAGE_CHARS:
        return json_response({"error": "bad_text"}, status=400)
    try:
        await request.app.ctx.rasa.say_as_operator(
            held.conversation_id, request.ctx.session.operator.display_name, text
        )
    except RasaApiError as error:
        return json_response({"error": "not_delivered", "message": str(error)}, status=502)
    await asyncio.to_thread(_store(request).outcomes.note_first_reply, handoff_id)  # first response time
    return empty(status=204)


async def _end(request: Request, handoff_id: str, status: str) -> HTTPResponse:
    """Hand back or close, with the outcome the operator chose (none: nothing ends)."""
    chosen = read_outcome(request.json)
    if chosen is None:
        return json_response({"error": "outcome_required", "outcomes": list(OUTCOMES)}, status=400)
    store = _store(request)
    operator_id = request.ctx.session.operator.id
    code, body = await end_handoff(store.handoffs, request.app.ctx.rasa, handoff_id, operator_id, status)
    if code == 200:
        await asyncio.to_thread(store.outcomes.record, handoff_id, *chosen, operator_id)
    return json_response(body, status=code)


@blueprint.post("/handoffs/<handoff_id:str>/handback")
async def handback(request: Request, handoff_id: str) -> HTTPResponse:
    return await _end(request, handoff_id, "returned")


@blueprint.post("/handoffs/<handoff_id:str>/close")
async def close(request: Request, handoff_id: str) -> HTTPResponse:
    return await _end(request, handoff_id, "closed")


# ---- what the operator sees and records in one conversation (side panel, canned replies, notes) ----


def _note_dict(note: Note, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": note.id,
        "text": note.text,
        "operator": names.get(note.operator_id, "—"),
        "time": jst_time(note.created_at),
    }


def _desk_context(store: Store, reader: TranscriptReader, handoff: Handoff, names: dict[int, str]) -> dict[str, Any]:
    """The side panel, the notes and the canned replies of the conversation page."""
    earlier = earlier_handoffs(store.engine, handoff.conversation_id, handoff.created_at)
    return {
        "context": read_context(reader.engine, handoff.conversation_id, handoff.created_at, handoff.ended_at),
        "channel_label": CHANNEL_LABELS.get(handoff.channel, handoff.channel),
        "earlier": [
            {
                "queued": jst_time(h.created_at),
                "ended": jst_time(h.ended_at),
                "operator": names.get(h.operator_id or -1, "—"),
                "status": STATUS_LABELS.get(h.status, h.status),
                "outcome": h.outcome_label,
                "note": h.note,
            }
            for h in earlier
        ],
        "notes": [_note_dict(note, names) for note in store.notes.for_conversation(handoff.conversation_id)],
        "canned": store.canned.all(),
        "canned_topics": TOPIC_LABELS,
        "outcomes": OUTCOMES,
        "jst_time": jst_time,
    }


@blueprint.post("/handoffs/<handoff_id:str>/notes")
async def add_note(request: Request, handoff_id: str) -> HTTPResponse:
    """An internal note: stored in the console only, never sent to Rasa (so never to the customer)."""
    store = _store(request)
    handoff = await asyncio.to_thread(store.handoffs.get, handoff_id)
    if handoff is None:
        return json_response({"error": "not_found"}, status=404)
    text = clean_note((request.json or {}).get("text") if isinstance(request.json, dict) else None)
    if text is None:
        return json_response({"error": "bad_text"}, status=400)
    operator = request.ctx.session.operator
    note = await asyncio.to_thread(store.notes.add, handoff.id, handoff.conversation_id, operator.id, text)
    return json_response({"note": _note_dict(note, {operator.id: operator.display_name})}, status=201)


# ---- desk API for the action server (service token, no operator session) ---------------


def is_conversation_id(value: Any) -> bool:
    """What the bot sends as a conversation id: a non-empty string that fits the queue's column."""
    return isinstance(value, str) and 0 < len(value) <= 255


def from_the_bot(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    return header.startswith("Bearer ") and auth.same(header[7:], request.app.ctx.settings.service_token)


@blueprint.get("/desk/v1/availability")
async def availability(request: Request) -> HTTPResponse:
    if not from_the_bot(request):
        return json_response({"error": "unauthorized"}, status=401)
    available = await asyncio.to_thread(_available, request)
    return json_response({"operators_available": len(available)})


def desk_of(settings: ConsoleSettings) -> Desk:
    return Desk(settings.max_conversations_per_operator, settings.session_idle_seconds, settings.presence_grace_seconds)


def _available(request: Request) -> list[int]:
    """Operators 受付中 (console/presence.py), not merely signed in."""
    desk = desk_of(request.app.ctx.settings)
    return _store(request).presence.available(desk.idle_seconds, desk.grace_seconds)


@blueprint.post("/desk/v1/handoffs")
async def enqueue(request: Request) -> HTTPResponse:
    if not from_the_bot(request):
        return json_response({"error": "unauthorized"}, status=401)
    body = request.json if isinstance(request.json, dict) else {}
    conversation_id = body.get("conversation_id")
    channel = body.get("channel")
    topic = body.get("topic")
    client_ref = body.get("client_ref")
    # The action server says whether the conversation verified itself (console/queue_admission.py).
    verified = body.get("verified") is True
    account_ref = body.get("verified_account")  # the verified account's opaque key (one waiting row each)
    if not is_conversation_id(conversation_id) or channel not in CHANNELS:
        return json_response({"error": "bad_request"}, status=400)
    if client_ref is not None and not (isinstance(client_ref, str) and 0 < len(client_ref) <= MAX_CLIENT_REF_CHARS):
        return json_response({"error": "bad_request"}, status=400)
    if account_ref is not None and not (isinstance(account_ref, str) and ACCOUNT_REF.fullmatch(account_ref)):
        return json_response({"error": "bad_request"}, status=400)
    if is_shared_chat(conversation_id):
        # A LINE group or room is not one person (the bot refuses first; this is the desk's own rule).
        return json_response({"error": "shared_chat"}, status=403)
    topic = topic[:64] if isinstance(topic, str) else None
    store = _store(request)
    if not await asyncio.to_thread(_available, request):
        return json_response({"error": "no_operator"}, status=503)
    try:
        handoff, position = await asyncio.to_thread(
            store.handoffs.enqueue, conversation_id, channel, topic, client_ref, verified, account_ref
        )
    except QueueFull as full:
        if full.per_client:
            return json_response({"error": "client_limit"}, status=429)
        return json_response({"error": "queue_full"}, status=503)
    queue_changed(request.app)  # on the queue pages at once
    await asyncio.to_thread(route, store.handoffs, store.presence, desk_of(request.app.ctx.settings))  # offered at once
    queue_changed(request.app)
    return json_response({"handoff_id": handoff.id, "status": handoff.status, "position": position}, status=201)


@blueprint.post("/desk/v1/cancellations")
async def cancel(request: Request) -> HTTPResponse:
    """A waiting customer leaves the queue; 409 once an operator has the conversation."""
    if not from_the_bot(request):
        return json_response({"error": "unauthorized"}, status=401)
    body = request.json if isinstance(request.json, dict) else {}
    conversation_id = body.get("conversation_id")
    reason = body.get("reason", "customer")
    if not is_conversation_id(conversation_id) or reason not in CANCEL_REASONS:
        return json_response({"error": "bad_request"}, status=400)
    if not await asyncio.to_thread(_store(request).handoffs.cancel, conversation_id, CANCEL_REASONS[reason]):
        return json_response({"error": "taken"}, status=409)
    queue_changed(request.app)
    return json_response({"status": "cancelled"})
