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
from .identifiers import normalize_customer_number, normalize_destination, normalize_ocn_id
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
        number_raw = text_field(data, "customer_number", max_len=64, required=False)
        ocn_raw = text_field(data, "ocn_id", max_len=254, required=False)
        client_ref = text_field(data, "client_ref", max_len=128, required=False)
        if (number_raw is None) == (ocn_raw is None):
            raise bad_request("customer_number か ocn_id のどちらか一方を指定してください.")
        number = normalize_customer_number(number_raw) if number_raw is not None else None
        ocn_id = normalize_ocn_id(ocn_raw) if ocn_raw is not None else None
        if number_raw is not None and number is None:
            raise bad_request("customer_number は N と9桁の数字です (例: N123456789).")
        if ocn_raw is not None and ocn_id is None:
            raise bad_request("ocn_id はメールアドレスの形式です.")
        return idempotent(
            request,
            data,
            lambda: service(request).start_verification(conv, number, ocn_id, client_ref),
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
