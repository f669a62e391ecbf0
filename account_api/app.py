"""The Sanic HTTP layer: auth, request parsing, idempotency and JSON errors around AccountService."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from sanic import Sanic
from sanic.exceptions import MethodNotSupported, NotFound, PayloadTooLarge, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from .clock import Clock, iso_jst
from .errors import ApiError, bad_request
from .identifiers import normalize_customer_number, normalize_destination, normalize_ocn_id
from .security import SecretBox, constant_time_equals, keyed_hash
from .seed import seed_demo_customers
from .service import AccountService
from .settings import Settings
from .store import Store

logger = logging.getLogger("account_api")

TOKEN_HEADER = "X-Service-Token"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
_CODE_RE = re.compile(r"^[0-9]{6}$")
_ID_RE = re.compile(r"^[\x21-\x7e]{1,64}$")
METHODS = ("sms", "post", "mypage")


def create_app(settings: Settings | None = None, name: str = "account_api") -> Sanic:
    settings = settings or Settings.from_env()
    if settings.refusals():  # however it is started: public defaults never serve beyond loopback
        raise RuntimeError(f"account_api refuses to serve on {settings.host}: " + "; ".join(settings.refusals()))
    app = Sanic(name, configure_logging=True)
    app.config.REQUEST_MAX_SIZE = settings.max_body_bytes
    app.config.KEEP_ALIVE_TIMEOUT = 75  # longer than the client's idle pool, so reused sockets are alive
    app.ctx.settings = settings
    app.ctx.clock = Clock()
    app.ctx.token_hash = keyed_hash(settings.pepper, "service-token", settings.service_token)

    @app.before_server_start
    async def open_store(app: Sanic, _loop: Any) -> None:
        store = Store(settings.db_path)
        store.create_schema()
        seed_demo_customers(store, SecretBox(settings.encryption_key), app.ctx.clock.now())
        store.idempotency.purge(app.ctx.clock.now() - settings.idempotency_ttl_seconds)
        store.lockout.purge_wrong_codes(
            app.ctx.clock.now() - max(settings.lockout_seconds, settings.alarm_window_seconds)
        )
        app.ctx.store = store
        app.ctx.service = AccountService(store, settings, app.ctx.clock)
        if settings.uses_dev_secrets:
            logger.warning("account_api: using the public dev token/pepper (sandbox only)")

    @app.after_server_stop
    async def close_store(app: Sanic, _loop: Any) -> None:
        app.ctx.store.close()

    @app.on_request
    async def authenticate(request: Request) -> HTTPResponse | None:
        if not request.path.startswith(("/v1/", "/dev/")):
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if not constant_time_equals(given, settings.service_token):
            return render(401, {"error": "unauthorized", "message": "サービストークンが正しくありません。"})
        return None

    _register_error_handlers(app)
    _register_routes(app, settings)
    return app


# -- responses ------------------------------------------------------------------------------------


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


def _register_error_handlers(app: Sanic) -> None:
    def api_error(_request: Request, exc: ApiError) -> HTTPResponse:
        return render(exc.status, exc.body())

    def sanic_error(_request: Request, exc: SanicException) -> HTTPResponse:
        status = getattr(exc, "status_code", 500) or 500
        code = {
            NotFound: "not_found",
            MethodNotSupported: "method_not_allowed",
            PayloadTooLarge: "payload_too_large",
        }.get(type(exc), "invalid_request" if status < 500 else "internal_error")
        return render(status, {"error": code, "message": str(exc) or code})

    def unexpected(_request: Request, exc: Exception) -> HTTPResponse:
        logger.exception("account_api: unexpected error")
        return render(500, {"error": "internal_error", "message": "内部エラーが発生しました。"})

    app.error_handler.add(ApiError, api_error)
    app.error_handler.add(SanicException, sanic_error)
    app.error_handler.add(Exception, unexpected)


# -- request parsing ------------------------------------------------------------------------------


def json_object(request: Request) -> dict[str, Any]:
    try:
        data = json.loads((request.body or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request("リクエスト本文がJSONとして読めません (malformed JSON).") from None
    if not isinstance(data, dict):
        raise bad_request("リクエスト本文はJSONオブジェクトにしてください (JSON object expected).")
    return data


def text_field(data: dict[str, Any], name: str, *, max_len: int = 256, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise bad_request(f"{name} は {max_len} 文字以内の文字列で指定してください ({name} required).")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise bad_request(f"{name} に制御文字は使えません.")
    return value


def conversation_id(data: dict[str, Any]) -> str:
    value = text_field(data, "conversation_id")
    assert value is not None
    return value


def verification_ref(data: dict[str, Any]) -> str:
    """The verification id, or '' when absent/malformed (which simply means not verified)."""
    value = data.get("verification_id")
    return value if isinstance(value, str) and _ID_RE.match(value) else ""


def query(request: Request) -> dict[str, Any]:
    return {k: request.args.get(k) for k in request.args}


# -- idempotency ----------------------------------------------------------------------------------


def idempotent(
    request: Request, data: dict[str, Any] | None, action: Callable[[], dict[str, Any]], success_status: int = 200
) -> HTTPResponse:
    """Run `action` once per (service token, path, Idempotency-Key); a repeat gets the stored reply."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if not key or not _IDEMPOTENCY_KEY_RE.match(key):
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


# -- routes ---------------------------------------------------------------------------------------


def _register_routes(app: Sanic, settings: Settings) -> None:
    def service(request: Request) -> AccountService:
        return request.app.ctx.service

    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        request.app.ctx.store.conn.execute("SELECT 1").fetchone()
        return render(200, {"status": "ok"})

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
        if not _ID_RE.match(verification_id):
            raise ApiError(404, "not_found", "確認手続きが見つかりません。")
        return idempotent(request, data, lambda: service(request).confirm_verification(verification_id, conv, code))

    def procedure(path: str, run: Callable[[AccountService, str, str, dict[str, Any]], dict[str, Any]]) -> None:
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

    if not settings.dev_endpoints:
        return

    @app.get("/dev/outbox")
    async def outbox(request: Request) -> HTTPResponse:
        return render(
            200,
            service(request).outbox(
                normalize_destination(request.args.get("to")), last_param(request.args.get("last"))
            ),
        )

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


def last_param(raw: str | None, default: int = 20) -> int:
    try:
        return max(1, min(500, int(raw))) if raw else default
    except ValueError:
        raise bad_request("last は整数です.") from None
