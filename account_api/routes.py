"""The API's routes, one registration per resource: health, verifications, procedures, account reads
and the sandbox's /dev endpoints. Each parses its request and hands it to AccountService."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from .clock import Clock, iso_jst
from .errors import ApiError, bad_request
from .identifiers import (
    normalize_connection_id,
    normalize_customer_number,
    normalize_destination,
    normalize_ocn_id,
)
from .replies import idempotent, read, render, valid_idempotency_key
from .request_fields import conversation_id, json_object, last_param, query, text_field, valid_id, verification_ref
from .service import AccountService
from .settings import Settings

_CODE_RE = re.compile(r"^[0-9]{6}$")
METHODS = ("sms", "post", "mypage")

Procedure = Callable[[AccountService, str, str, dict[str, Any]], dict[str, Any]]


def register_routes(app: Sanic, settings: Settings) -> None:
    _register_health(app)
    _register_verifications(app)
    _register_procedures(app)
    _register_account_reads(app)
    _register_outcomes(app)
    if settings.dev_endpoints:
        _register_dev(app)


def service(request: Request) -> AccountService:
    return request.app.ctx.service


def _register_health(app: Sanic) -> None:
    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        request.app.ctx.store.conn.execute("SELECT 1").fetchone()
        return render(200, {"status": "ok"})


def _register_verifications(app: Sanic) -> None:
    @app.post("/v1/verifications")
    async def start_verification(request: Request) -> HTTPResponse:
        data = json_object(request)
        conv = conversation_id(data)
        client_ref = text_field(data, "client_ref", max_len=128, required=False)
        identifier = account_identifier(data)
        return idempotent(
            request,
            data,
            lambda: service(request).start_verification(conv, client_ref=client_ref, **identifier),
            success_status=202,
        )

    @app.post("/v1/verifications/<verification_id:str>/confirm")
    async def confirm_verification(request: Request, verification_id: str) -> HTTPResponse:
        data = json_object(request)
        conv = conversation_id(data)
        code = data.get("code")
        if not isinstance(code, str) or not _CODE_RE.match(unicodedata.normalize("NFKC", code).strip()):
            raise bad_request("code は6桁の数字の文字列です.")
        code = unicodedata.normalize("NFKC", code).strip()
        if not valid_id(verification_id):
            raise ApiError(404, "not_found", "確認手続きが見つかりません。")
        return idempotent(request, data, lambda: service(request).confirm_verification(verification_id, conv, code))


# Each way a customer can name their account, its longest raw form and its normalization.
_IDENTIFIERS: dict[str, tuple[int, Callable[[str], str | None], str]] = {
    "customer_number": (64, normalize_customer_number, "N と9桁の数字です (例: N123456789)"),
    "ocn_id": (254, normalize_ocn_id, "メールアドレスの形式です"),
    "connection_id": (254, normalize_connection_id, "@ を含む接続用IDの形式です (例: abc12345@one.ocn.ne.jp)"),
}


def account_identifier(data: dict[str, Any]) -> dict[str, str]:
    """The one identifier of a verification request ({kind: normalized value}); 400 otherwise."""
    given = {kind: text_field(data, kind, max_len=spec[0], required=False) for kind, spec in _IDENTIFIERS.items()}
    present = {kind: raw for kind, raw in given.items() if raw is not None}
    if len(present) != 1:
        raise bad_request("customer_number・ocn_id・connection_id のいずれか一つを指定してください.")
    [(kind, raw)] = present.items()
    _max_len, normalize, form = _IDENTIFIERS[kind]
    value = normalize(raw)
    if value is None:
        raise bad_request(f"{kind} は{form}.")
    return {kind: value}


def _register_procedures(app: Sanic) -> None:
    def procedure(path: str, run: Procedure) -> None:
        async def handler(request: Request) -> HTTPResponse:
            data = json_object(request)
            conv = conversation_id(data)
            ref = verification_ref(data)
            return idempotent(request, data, lambda: run(service(request), ref, conv, data))

        app.add_route(handler, path, methods=["POST"], name=path.strip("/").replace("/", "_").replace("-", "_"))

    def connection_credentials(svc: AccountService, ref: str, conv: str, data: dict[str, Any]) -> dict[str, Any]:
        method = data.get("method")
        if method not in METHODS:
            raise bad_request("method は sms / post / mypage のいずれかです.")
        return svc.connection_credentials(ref, conv, method)

    procedure("/v1/procedures/password-reset", lambda svc, ref, conv, _d: svc.password_reset(ref, conv))
    procedure("/v1/procedures/connection-credentials", connection_credentials)
    procedure("/v1/procedures/customer-number", lambda svc, ref, conv, _d: svc.send_customer_number(ref, conv))
    procedure("/v1/procedures/ocn-id", lambda svc, ref, conv, _d: svc.send_ocn_id(ref, conv))


def _register_account_reads(app: Sanic) -> None:
    @app.get("/v1/account")
    async def account(request: Request) -> HTTPResponse:
        q = query(request)
        conv = conversation_id(q)
        return read(request, lambda: service(request).account_summary(verification_ref(q), conv))

    @app.get("/v1/login-history")
    async def login_history(request: Request) -> HTTPResponse:
        q = query(request)
        conv = conversation_id(q)
        return read(request, lambda: service(request).login_history(verification_ref(q), conv))


def _register_outcomes(app: Sanic) -> None:
    @app.get("/v1/outcomes")
    async def outcome(request: Request) -> HTTPResponse:
        """What became of a POST the caller never got an answer to (it timed out): read-only."""
        q = query(request)
        path, key = q.get("path"), q.get("idempotency_key")
        if not isinstance(path, str) or not path.startswith("/v1/") or len(path) > 255:
            raise bad_request("path は POST したパスです (例: /v1/procedures/ocn-id).")
        if not isinstance(key, str) or not valid_idempotency_key(key):
            raise bad_request("idempotency_key は POST に付けた Idempotency-Key です (ASCII 255文字以内).")
        return render(200, service(request).request_outcome(request.app.ctx.token_hash, path, key))


def _register_dev(app: Sanic) -> None:
    @app.get("/dev/outbox")
    async def outbox(request: Request) -> HTTPResponse:
        to, last = normalize_destination(request.args.get("to")), last_param(request.args.get("last"))
        return render(200, service(request).outbox(to, last))

    @app.get("/dev/clock")
    async def get_clock(request: Request) -> HTTPResponse:
        return render(200, clock_state(request.app.ctx.clock))

    @app.post("/dev/clock")
    async def advance_clock(request: Request) -> HTTPResponse:
        data = json_object(request)
        seconds = data.get("advance_seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 10**8:
            raise bad_request("advance_seconds は 0 以上の数値です (the clock only moves forward).")
        request.app.ctx.clock.advance(float(seconds))
        return render(200, clock_state(request.app.ctx.clock))


def clock_state(clock: Clock) -> dict[str, Any]:
    return {"now": iso_jst(clock.now()), "offset_seconds": clock.offset_seconds}
