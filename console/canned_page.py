"""The 定型文 page: operators add, edit and delete canned replies (console/canned_replies.py)."""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.app import render
from console.canned_replies import TOPIC_LABELS, CannedReplyRepository, clean_canned
from console.pages import NavItem

blueprint = Blueprint("canned")
NAV = [NavItem("定型文", "/canned")]
MESSAGES = {"added": "追加しました。", "saved": "保存しました。", "deleted": "削除しました。"}


def _replies(request: Request) -> CannedReplyRepository:
    return request.app.ctx.store.canned


async def _page(request: Request, error: str = "", status: int = 200) -> HTTPResponse:
    replies = await asyncio.to_thread(_replies(request).all)
    return render(
        request,
        "canned.html",
        status=status,
        replies=replies,
        topics=TOPIC_LABELS,
        error=error,
        message=MESSAGES.get(request.args.get("done") or "", ""),
    )


@blueprint.get("/canned")
async def canned_page(request: Request) -> HTTPResponse:
    return await _page(request)


@blueprint.post("/canned")
async def add(request: Request) -> HTTPResponse:
    cleaned = clean_canned(request.form.get("topic"), request.form.get("title"), request.form.get("text"))
    if isinstance(cleaned, str):
        return await _page(request, cleaned, 400)
    await asyncio.to_thread(_replies(request).add, *cleaned, request.ctx.session.operator.id)
    return redirect("/canned?done=added", status=303)


@blueprint.post("/canned/<reply_id:int>")
async def edit(request: Request, reply_id: int) -> HTTPResponse:
    cleaned = clean_canned(request.form.get("topic"), request.form.get("title"), request.form.get("text"))
    if isinstance(cleaned, str):
        return await _page(request, cleaned, 400)
    if not await asyncio.to_thread(_replies(request).update, reply_id, *cleaned, request.ctx.session.operator.id):
        return await _page(request, "その定型文は見つかりません（削除された可能性があります）。", 404)
    return redirect("/canned?done=saved", status=303)


@blueprint.post("/canned/<reply_id:int>/delete")
async def delete(request: Request, reply_id: int) -> HTTPResponse:
    await asyncio.to_thread(_replies(request).delete, reply_id)  # already gone: the same page
    return redirect("/canned?done=deleted", status=303)
