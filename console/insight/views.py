"""The insight pages of the operator console: the report (with charts) and the review queue.

Sign-in, CSRF and the layout are the console's (console/auth.py, base.html); every database call
runs off the event loop.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import sqlalchemy as sa
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.app import render
from console.insight import review as rq
from console.insight.desk import desk_report, duration_text
from console.insight.export import REVIEW_FILE, domain_intents, export
from console.insight.period import CHANNELS, Scope, requested_scope
from console.insight.render import CSS, template_context
from console.insight.report import build_report
from console.insight.store import tracker_engine
from console.outcomes import OUTCOMES
from console.pages import NavItem

blueprint = Blueprint("insight")
NAV = [NavItem("レポート", "/insight/report"), NavItem("レビュー", "/insight/review")]
TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_DAYS = 7
MAX_DAYS = 366
STATUSES = {rq.NEW: "未処理", rq.ASSIGNED: "割り当て済み", rq.NOT_USEFUL: "役に立たない"}
blueprint.static("/insight/insight.css", str(CSS), name="insight_css")


def setup(app: Sanic) -> None:
    app.ctx.insight_tracker = tracker_engine(app.ctx.settings.tracker_store_url)
    app.ctx.review_queue = rq.ReviewQueue(sa.create_engine(app.ctx.settings.store_url))
    app.ctx.review_file = Path(os.environ.get("INSIGHT_REVIEW_FILE") or REVIEW_FILE)
    app.ctx.intents = domain_intents()


def _scope(request: Request) -> Scope:
    args = request.args
    return requested_scope(
        args.get("since"), args.get("until"), args.get("channel"), time.time(), DEFAULT_DAYS, MAX_DAYS
    )


@blueprint.get("/insight/report")
async def report_page(request: Request) -> HTTPResponse:
    scope = _scope(request)
    report = await asyncio.to_thread(build_report, request.app.ctx.insight_tracker, scope)
    context = await asyncio.to_thread(template_context, report)  # the charts are drawn here
    store = request.app.ctx.store
    names = await asyncio.to_thread(store.operators.names)
    desk = await asyncio.to_thread(desk_report, store.outcomes, scope, names)
    return render(
        request,
        "insight_report.html",
        channels=list(CHANNELS),
        scope=scope,
        desk=desk,
        outcomes=OUTCOMES,
        duration_text=duration_text,
        **context,
    )


@blueprint.get("/insight/review")
async def review_page(request: Request) -> HTTPResponse:
    return await _review_page(request)


async def _review_page(request: Request, message: str = "", status_code: int = 200) -> HTTPResponse:
    queue: rq.ReviewQueue = request.app.ctx.review_queue
    status = request.args.get("status") if request.args.get("status") in STATUSES else rq.NEW
    if status == rq.NEW:
        await asyncio.to_thread(queue.sync, request.app.ctx.insight_tracker)
    items = await asyncio.to_thread(queue.page, status, 100)
    counts = await asyncio.to_thread(queue.counts)
    return render(
        request,
        "insight_review.html",
        status=status_code,
        items=items,
        counts=counts,
        statuses=STATUSES,
        current=status,
        intents=request.app.ctx.intents,
        message=message,
        review_file=request.app.ctx.review_file.name,
    )


@blueprint.post("/insight/review/<item_id:int>")
async def decide(request: Request, item_id: int) -> HTTPResponse:
    queue: rq.ReviewQueue = request.app.ctx.review_queue
    operator = request.ctx.session.operator.username
    decision = request.form.get("decision")
    intent = request.form.get("intent") or ""
    if decision == "assign" and intent in request.app.ctx.intents:
        await asyncio.to_thread(queue.assign, item_id, intent, operator)
    elif decision == "out_of_scope":
        await asyncio.to_thread(queue.assign, item_id, rq.OUT_OF_SCOPE_INTENT, operator)
    elif decision == "not_useful":
        await asyncio.to_thread(queue.not_useful, item_id, operator)
    elif decision == "reopen":
        await asyncio.to_thread(queue.reopen, item_id, operator)
    else:
        return await _review_page(request, "意図を選んでください。", status_code=400)
    back = request.form.get("status") if request.form.get("status") in STATUSES else rq.NEW
    return redirect(f"/insight/review?status={back}", status=303)


@blueprint.post("/insight/review/export")
async def export_review(request: Request) -> HTTPResponse:
    queue: rq.ReviewQueue = request.app.ctx.review_queue
    assigned = await asyncio.to_thread(queue.assigned)
    result = await asyncio.to_thread(export, assigned, request.app.ctx.review_file)
    message = (
        f"{result.path.name} に {result.written} 件を書き出しました。"
        f"テストセットと重複 {len(result.duplicates_of_test)} 件・学習データに既出 {len(result.already_trained)} 件は除外。"
        " 反映するには make train で学習し直してください。"
    )
    return await _review_page(request, message)
