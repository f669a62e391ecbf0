"""The console's Sanic app: sign-in/out, the base layout and the pages of PAGE_MODULES."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, json, redirect

from console import auth
from console.pages import PAGE_MODULES, NavItem
from console.presence import LABELS as PRESENCE_LABELS
from console.settings import ConsoleSettings
from console.store import QueueLimits, Store

HERE = Path(__file__).resolve().parent


def create_app(settings: ConsoleSettings, store: Store | None = None, name: str = "ocn_console") -> Sanic:
    app = Sanic(name)
    app.config.KEEP_ALIVE_TIMEOUT = 75
    app.config.RESPONSE_TIMEOUT = 3600  # live transcripts are long-lived streams
    # Sanic counts the bytes it reads, so a chunked body (no Content-Length) is cut off at the limit too.
    app.config.REQUEST_MAX_SIZE = settings.max_body_bytes
    app.ctx.settings = settings
    limits = QueueLimits(
        settings.queue_max_waiting,
        settings.queue_max_waiting_per_client,
        settings.queue_max_waiting_per_group,
        settings.queue_reserved_for_priority,
        settings.queue_max_waiting_unverified_per_client,
        settings.queue_max_waiting_unverified_per_network,
        settings.queue_max_waiting_unverified_per_group,
        settings.queue_max_waiting_per_account,
    )
    app.ctx.store = store or Store(settings.store_url, limits)
    app.ctx.nav = []
    app.ctx.signin_throttle = auth.SigninThrottle()
    template_dirs = [HERE / "templates"]
    for module_name in PAGE_MODULES:
        module = importlib.import_module(module_name)
        app.blueprint(module.blueprint)
        app.ctx.nav.extend(getattr(module, "NAV", []))
        if getattr(module, "TEMPLATES", None):
            template_dirs.append(Path(module.TEMPLATES))
        if hasattr(module, "setup"):
            module.setup(app)
    app.ctx.templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    app.static("/static", str(HERE / "static"), name="console_static")
    auth.install(app)
    _register_home(app)
    _register_signin(app)
    return app


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """A page in the base layout: operator, CSRF token and navigation are always available."""
    session = request.ctx.session
    page = request.app.ctx.templates.get_template(template).render(
        operator=session.operator if session else None,
        csrf_token=session.csrf_token if session else "",
        presence=getattr(request.ctx, "presence", None),  # the header's status (console/presence.py)
        presence_labels=PRESENCE_LABELS,
        nav=request.app.ctx.nav,
        current_path=request.path,
        **context,
    )
    return html(page, status=status)


def _safe_next(target: str | None) -> str:
    """Only a path on this console (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _signin_form(request: Request, target: str, status: int = 200, error: str | None = None) -> HTTPResponse:
    """The sign-in page with a fresh token in its form and its cookie (the sign-in form's CSRF check)."""
    token = auth.secrets.token_urlsafe(24)
    errors = {"error": error} if error else {}
    response = render(request, "signin.html", status=status, signin_token=token, next=target, **errors)
    auth.set_cookie(response, auth.SIGNIN_COOKIE, token, request.app.ctx.settings.secure_cookies, max_age=1800)
    return response


def _register_home(app: Sanic) -> None:
    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        first: NavItem | None = app.ctx.nav[0] if app.ctx.nav else None
        return redirect(first.url if first else "/signin")


def _register_signin(app: Sanic) -> None:
    settings: ConsoleSettings = app.ctx.settings

    @app.get("/signin")
    async def signin_page(request: Request) -> HTTPResponse:
        if request.ctx.session:
            return redirect(_safe_next(request.args.get("next")))
        return _signin_form(request, _safe_next(request.args.get("next")))

    @app.post("/signin")
    async def signin(request: Request) -> HTTPResponse:
        form = request.form
        if not auth.same(form.get(auth.CSRF_FIELD), request.cookies.get(auth.SIGNIN_COOKIE)):
            return json({"error": "csrf"}, status=403)
        username = (form.get("username") or "").strip()
        password = form.get("password") or ""
        throttle: auth.SigninThrottle = app.ctx.signin_throttle
        address = auth.client_address(request)
        too_many = throttle.blocked(address, username)
        operator = None
        if not too_many:
            operator = await asyncio.to_thread(auth.check_password, app.ctx.store, username, password)
        target = _safe_next(form.get("next"))
        if too_many:
            return _signin_form(request, target, 429, "しばらく時間をおいてから、もう一度お試しください。")
        if operator is None:
            throttle.failed(address, username)
            return _signin_form(request, target, 401, "ユーザー名またはパスワードが違います。")
        session_token = await asyncio.to_thread(app.ctx.store.sessions.create, operator)
        await asyncio.to_thread(app.ctx.store.presence.signed_in, operator.id)  # 離席 until they choose
        response = redirect(target, status=303)
        auth.set_cookie(response, auth.SESSION_COOKIE, session_token, settings.secure_cookies)
        del response.cookies[auth.SIGNIN_COOKIE]
        return response

    @app.post("/signout")
    async def signout(request: Request) -> HTTPResponse:
        await asyncio.to_thread(app.ctx.store.sessions.end, request.cookies.get(auth.SESSION_COOKIE, ""))
        await asyncio.to_thread(app.ctx.store.presence.signed_out, request.ctx.session.operator.id)  # 対応終了
        response = redirect("/signin", status=303)
        del response.cookies[auth.SESSION_COOKIE]
        return response
