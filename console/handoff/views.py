"""Queue, conversation and desk-API routes of the handoff part of the console."""

from __future__ import annotations

import asyncio
import json
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
from console.handoff.lifecycle import end_handoff, withdraw_unconfirmed
from console.handoff.rasa_api import RasaApi, RasaApiError
from console.handoff.transcript import TranscriptReader
from console.pages import NavItem
from console.store import Handoff, QueueFull, Store

blueprint = Blueprint("handoff")
NAV = [NavItem("待ち行列", "/queue")]
TEMPLATES = Path(__file__).resolve().parent / "templates"
STREAM_POLL_SECONDS = 0.15
STREAM_HEARTBEAT_SECONDS = 15.0
STREAM_SESSION_CHECK_SECONDS = 2.0  # a signed-out operator's open stream ends within this
MAX_OPERATOR_MESSAGE_CHARS = 1000
CHANNELS = ("web", "line", "rest")
MAX_CLIENT_REF_CHARS = 64
STATUS_LABELS = {
    "waiting": "待機中",
    "active": "対応中",
    "ending": "終了処理中",
    "returned": "ボットに戻しました",
    "closed": "終了",
    "cancelled": "お客さまが取り消し",
    "withdrawn": "取り下げ（おつなぎできず）",
}


def waiting_text(seconds: int) -> str:
    return f"{seconds // 60}分{seconds % 60:02d}秒" if seconds >= 60 else f"{seconds}秒"


def setup(app: Sanic) -> None:
    app.ctx.transcripts = TranscriptReader(app.ctx.settings.tracker_store_url)
    app.ctx.rasa = RasaApi(app.ctx.settings.rasa_url, app.ctx.settings.rasa_token, app.ctx.settings.http_timeout)


def _store(request: Request) -> Store:
    return request.app.ctx.store


def _summary(handoff: Handoff, names: dict[int, str], me: int, position: int | None, now: float) -> dict[str, Any]:
    waited = int((handoff.taken_at or now) - handoff.created_at)
    return {
        "id": handoff.id,
        "channel": handoff.channel,
        "topic": handoff.topic or "—",
        "status": handoff.status,
        "status_label": STATUS_LABELS.get(handoff.status, handoff.status),
        "waiting_seconds": waited,
        "waiting": waiting_text(waited),
        "operator": names.get(handoff.operator_id or -1),
        "mine": handoff.operator_id == me,
        "position": position,
    }


def _queue(store: Store, reader: TranscriptReader, confirm_seconds: float, me: int) -> list[dict[str, Any]]:
    withdraw_unconfirmed(store.handoffs, reader, confirm_seconds)
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
    return render(request, "conversation.html", handoff=summary)


# ---- live transcript ------------------------------------------------------------------


async def _still_signed_in(request: Request) -> bool:
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
    while request.transport is not None and not request.transport.is_closing():
        if time.monotonic() - session_checked > STREAM_SESSION_CHECK_SECONDS:
            if not await _still_signed_in(request):
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
    if not await asyncio.to_thread(store.handoffs.take, handoff_id, operator.id):
        return json_response({"error": "already_taken"}, status=409)
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
    return empty(status=204)


async def _end(request: Request, handoff_id: str, status: str) -> HTTPResponse:
    code, body = await end_handoff(
        _store(request).handoffs, request.app.ctx.rasa, handoff_id, request.ctx.session.operator.id, status
    )
    return json_response(body, status=code)


@blueprint.post("/handoffs/<handoff_id:str>/handback")
async def handback(request: Request, handoff_id: str) -> HTTPResponse:
    return await _end(request, handoff_id, "returned")


@blueprint.post("/handoffs/<handoff_id:str>/close")
async def close(request: Request, handoff_id: str) -> HTTPResponse:
    return await _end(request, handoff_id, "closed")


# ---- desk API for the action server (service token, no operator session) ---------------


def _is_conversation_id(value: Any) -> bool:
    """What the bot sends as a conversation id: a non-empty string that fits the queue's column."""
    return isinstance(value, str) and 0 < len(value) <= 255


def _service(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    return header.startswith("Bearer ") and auth.same(header[7:], request.app.ctx.settings.service_token)


@blueprint.get("/desk/v1/availability")
async def availability(request: Request) -> HTTPResponse:
    if not _service(request):
        return json_response({"error": "unauthorized"}, status=401)
    idle = request.app.ctx.settings.session_idle_seconds
    count = await asyncio.to_thread(_store(request).sessions.operators_signed_in, idle)
    return json_response({"operators_signed_in": count})


@blueprint.post("/desk/v1/handoffs")
async def enqueue(request: Request) -> HTTPResponse:
    if not _service(request):
        return json_response({"error": "unauthorized"}, status=401)
    body = request.json if isinstance(request.json, dict) else {}
    conversation_id = body.get("conversation_id")
    channel = body.get("channel")
    topic = body.get("topic")
    client_ref = body.get("client_ref")
    # The action server says whether the conversation verified itself (console/queue_admission.py).
    verified = body.get("verified") is True
    if not _is_conversation_id(conversation_id) or channel not in CHANNELS:
        return json_response({"error": "bad_request"}, status=400)
    if client_ref is not None and not (isinstance(client_ref, str) and 0 < len(client_ref) <= MAX_CLIENT_REF_CHARS):
        return json_response({"error": "bad_request"}, status=400)
    if is_shared_chat(conversation_id):
        # A LINE group or room is not one person (the bot refuses first; this is the desk's own rule).
        return json_response({"error": "shared_chat"}, status=403)
    topic = topic[:64] if isinstance(topic, str) else None
    store = _store(request)
    if not await asyncio.to_thread(store.sessions.operators_signed_in, request.app.ctx.settings.session_idle_seconds):
        return json_response({"error": "no_operator"}, status=503)
    try:
        handoff, position = await asyncio.to_thread(
            store.handoffs.enqueue, conversation_id, channel, topic, client_ref, verified
        )
    except QueueFull as full:
        if full.per_client:
            return json_response({"error": "client_limit"}, status=429)
        return json_response({"error": "queue_full"}, status=503)
    return json_response({"handoff_id": handoff.id, "status": handoff.status, "position": position}, status=201)


@blueprint.post("/desk/v1/cancellations")
async def cancel(request: Request) -> HTTPResponse:
    """A waiting customer leaves the queue; 409 once an operator has the conversation."""
    if not _service(request):
        return json_response({"error": "unauthorized"}, status=401)
    body = request.json if isinstance(request.json, dict) else {}
    conversation_id = body.get("conversation_id")
    if not _is_conversation_id(conversation_id):
        return json_response({"error": "bad_request"}, status=400)
    if not await asyncio.to_thread(_store(request).handoffs.cancel, conversation_id):
        return json_response({"error": "taken"}, status=409)
    return json_response({"status": "cancelled"})
