"""Answering a request: JSON replies, and running an action once per Idempotency-Key (a repeat gets the
stored reply) or, for reads, committing their audit entry before answering."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from .errors import ApiError
from .security import keyed_hash
from .store import Store

IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")


def valid_idempotency_key(key: str | None) -> bool:
    return bool(key) and bool(_IDEMPOTENCY_KEY_RE.match(key or ""))


def render(status: int, body: dict[str, Any], replayed: bool = False) -> HTTPResponse:
    headers = {}
    if "retry_after" in body:
        headers["Retry-After"] = str(body["retry_after"])
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return HTTPResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type="application/json; charset=utf-8",
    )


def idempotent(
    request: Request, data: dict[str, Any] | None, action: Callable[[], dict[str, Any]], success_status: int = 200
) -> HTTPResponse:
    """Run `action` once per (service token, path, Idempotency-Key); a repeat gets the stored reply."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if not valid_idempotency_key(key):
        raise ApiError(400, "idempotency_key_required", "Idempotency-Key ヘッダー（ASCII 255文字以内）が必要です。")
    app = request.app
    store: Store = app.ctx.store
    # Keyed (the pepper lives outside the DB): the confirm body holds a one-time code, and a bare hash of
    # a 6-digit code is reversed by trying all 10^6.
    request_hash = keyed_hash(app.ctx.settings.pepper, "idempotent-request", json.dumps(data, sort_keys=True))
    with store.transaction():
        stored = store.idempotency.response(app.ctx.token_hash, request.path, key)
        if stored is not None:
            if stored["request_hash"] != request_hash:
                raise ApiError(
                    422, "idempotency_key_reused", "同じ Idempotency-Key が別の内容のリクエストに使われました。"
                )
            return render(stored["status"], json.loads(stored["body"]), replayed=True)
        try:
            status, body = success_status, action()
        except ApiError as exc:  # a refusal is a result too: a retry must see the same one
            status, body = exc.status, exc.body()
        store.idempotency.save_response(
            app.ctx.token_hash,
            request.path,
            key,
            request_hash,
            status,
            json.dumps(body, ensure_ascii=False),
            app.ctx.clock.now(),
        )
    return render(status, body)


def read(request: Request, action: Callable[[], dict[str, Any]]) -> HTTPResponse:
    # Reads write an audit entry, refusals included: commit it before answering with the error.
    with request.app.ctx.store.transaction():
        try:
            return render(200, action())
        except ApiError as exc:
            refusal = exc
    raise refusal
