"""The Sanic application: settings, the store's lifetime, service-token auth and JSON errors around
AccountService; the routes are in routes.py, reading requests in request_fields.py, replies and
idempotency in replies.py."""

from __future__ import annotations

import logging
from typing import Any

from sanic import Sanic
from sanic.exceptions import MethodNotSupported, NotFound, PayloadTooLarge, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from .clock import Clock
from .errors import ApiError
from .replies import render
from .routes import register_routes
from .security import SecretBox, constant_time_equals, keyed_hash
from .seed import seed_demo_customers
from .service import AccountService
from .settings import Settings
from .store import Store

logger = logging.getLogger("account_api")

TOKEN_HEADER = "X-Service-Token"


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
            app.ctx.clock.now()
            - max(settings.guess_window_seconds, settings.lockout_seconds, settings.alarm_window_seconds)
        )
        store.known_clients.purge(app.ctx.clock.now())
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
    register_routes(app, settings)
    return app


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
