"""The console is never reachable without signing in; forms need the CSRF token; sessions expire."""

from __future__ import annotations

import sqlite3

import requests
from console_support import PASSWORD, SERVICE_TOKEN, Operator, enqueue

PAGES = ["/", "/queue", "/api/queue", "/handoffs/x", "/handoffs/x/transcript", "/handoffs/x/stream"]


def test_every_page_needs_a_signed_in_operator(console) -> None:
    for path in PAGES:
        page = requests.get(console.url + path, headers={"Accept": "text/html"}, allow_redirects=False, timeout=10)
        assert page.status_code in (302, 401), path
        if page.status_code == 302:
            assert page.headers["Location"].startswith("/signin")
        api = requests.get(console.url + path, allow_redirects=False, timeout=10)
        assert api.status_code in (302, 401), path
    for path in ("/handoffs/x/take", "/handoffs/x/messages", "/handoffs/x/close", "/signout"):
        assert requests.post(console.url + path, json={}, timeout=10).status_code == 401, path


def test_wrong_password_is_refused_and_right_one_signs_in(console) -> None:
    assert not Operator(console.url, "alice", "wrong password 123").signed_in
    assert not Operator(console.url, "nobody", PASSWORD).signed_in
    alice = Operator(console.url, "alice")
    assert alice.signed_in
    assert alice.get("/api/queue").status_code == 200
    cookie = next(c for c in alice.http.cookies if c.name == "console_session")
    assert cookie.has_nonstandard_attr("HttpOnly") or cookie.get_nonstandard_attr("httponly") is not None


def test_post_without_the_csrf_token_is_rejected(console) -> None:
    alice = Operator(console.url, "alice")
    conversation = enqueue(console.url, "web:csrf-test").json()
    assert alice.post(f"/handoffs/{conversation['handoff_id']}/take", csrf=False).status_code == 403
    forged = alice.http.post(
        f"{console.url}/handoffs/{conversation['handoff_id']}/take",
        json={},
        headers={"X-CSRF-Token": "forged"},
        timeout=10,
    )
    assert forged.status_code == 403
    assert alice.post(f"/handoffs/{conversation['handoff_id']}/take").status_code == 200


def test_sign_in_form_itself_needs_its_token(console) -> None:
    response = requests.post(
        console.url + "/signin", data={"username": "alice", "password": PASSWORD}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 403


def test_an_idle_session_expires(console) -> None:
    alice = Operator(console.url, "alice")
    assert alice.get("/api/queue").status_code == 200
    # Instead of waiting 30 minutes: the session was last used long ago.
    with sqlite3.connect(console.var_dir / "console.sqlite3") as db:
        db.execute("UPDATE console_sessions SET last_seen = last_seen - 3600")
    assert alice.get("/api/queue").status_code == 401
    assert alice.get("/queue", headers={"Accept": "text/html"}, allow_redirects=False).status_code == 302


def test_signing_out_ends_the_session(console) -> None:
    bob = Operator(console.url, "bob")
    cookies = dict(bob.http.cookies)
    assert bob.post("/signout").status_code in (200, 303)
    assert requests.get(console.url + "/api/queue", cookies=cookies, timeout=10).status_code == 401


def test_desk_api_needs_the_service_token(console) -> None:
    body = {"conversation_id": "web:x", "channel": "web"}
    assert requests.post(console.url + "/desk/v1/handoffs", json=body, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert requests.get(console.url + "/desk/v1/availability", headers=wrong, timeout=10).status_code == 401
    right = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    assert requests.get(console.url + "/desk/v1/availability", headers=right, timeout=10).status_code == 200
