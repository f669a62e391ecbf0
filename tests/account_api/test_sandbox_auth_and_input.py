"""Service token, malformed input (always 400 JSON, never 500), dev-endpoint switch."""

from __future__ import annotations

import json

import pytest
import requests
from conftest import Api, new_conversation, start_sandbox, stop_sandbox


def test_healthz_is_open(sandbox):
    r = requests.get(sandbox.url + "/healthz", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.parametrize("token", [None, "", "wrong", "test-service-token-x", "TEST-SERVICE-TOKEN"])
@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/v1/verifications"),
        ("GET", "/v1/account"),
        ("GET", "/v1/login-history"),
        ("POST", "/v1/procedures/password-reset"),
        ("GET", "/dev/outbox"),
        ("POST", "/dev/clock"),
    ],
)
def test_every_call_needs_the_service_token(sandbox, token, method, path):
    headers = {"Idempotency-Key": "k"} | ({"X-Service-Token": token} if token is not None else {})
    r = requests.request(method, sandbox.url + path, json={}, headers=headers, timeout=5)
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized" and r.json()["message"]


def test_state_changing_calls_need_an_idempotency_key(api):
    for path in (
        "/v1/verifications",
        "/v1/verifications/vrf_x/confirm",
        "/v1/procedures/ocn-id",
        "/v1/procedures/password-reset",
        "/v1/procedures/customer-number",
        "/v1/procedures/connection-credentials",
    ):
        r = api.post(path, {"conversation_id": "c", "customer_number": "N123456789", "code": "123456"}, key=None)
        assert r.status_code == 400, path
        assert r.json()["error"] == "idempotency_key_required"
    r = api.post("/v1/verifications", {"conversation_id": "c", "customer_number": "N123456789"}, key="bad key")
    assert r.status_code == 400
    r = api.post("/v1/verifications", {"conversation_id": "c", "customer_number": "N123456789"}, key="k" * 256)
    assert r.status_code == 400


BAD_START_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"text"',
    b"123",
    b"\xff\xfe\x00",
    b'{"conversation_id": "c"}',
    json.dumps({"customer_number": "N123456789"}).encode(),
    json.dumps({"conversation_id": 5, "customer_number": "N123456789"}).encode(),
    json.dumps({"conversation_id": "", "customer_number": "N123456789"}).encode(),
    json.dumps({"conversation_id": "x" * 300, "customer_number": "N123456789"}).encode(),
    json.dumps({"conversation_id": "c\x00", "customer_number": "N123456789"}).encode(),
    json.dumps({"conversation_id": "c", "customer_number": 123456789}).encode(),
    json.dumps({"conversation_id": "c", "customer_number": "123456789"}).encode(),
    json.dumps({"conversation_id": "c", "customer_number": "N12345"}).encode(),
    json.dumps({"conversation_id": "c", "customer_number": ["N123456789"]}).encode(),
    json.dumps({"conversation_id": "c", "ocn_id": "not-a-mail"}).encode(),
    json.dumps({"conversation_id": "c", "customer_number": "N123456789", "ocn_id": "a@ocn.ne.jp"}).encode(),
]


@pytest.mark.parametrize("body", BAD_START_BODIES)
def test_malformed_verification_request_is_400(api, body):
    r = api.post("/v1/verifications", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request" and r.json()["message"]


@pytest.mark.parametrize("code", [None, 123456, "12345", "1234567", "abcdef", "", "12 34 56", ["123456"]])
def test_malformed_code_is_400_and_costs_no_attempt(api, new_customer, code):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    r = api.post(f"/v1/verifications/{vid}/confirm", {"conversation_id": conv, "code": code})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = api.confirm(vid, conv, "000000" if api.latest_code(customer.mobile) != "000000" else "111111")
    assert r.json()["attempts_left"] == 4


@pytest.mark.parametrize(
    "path",
    [
        "/v1/procedures/password-reset",
        "/v1/procedures/connection-credentials",
        "/v1/procedures/customer-number",
        "/v1/procedures/ocn-id",
        "/v1/verifications/vrf_x/confirm",
        "/dev/clock",
    ],
)
@pytest.mark.parametrize("body", [b"{", b"[1]", b"\xff", b'{"conversation_id": null}'])
def test_malformed_bodies_everywhere_are_400(api, path, body):
    r = api.post(path, data=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request"


def test_bad_method_and_bad_clock_values(api, new_customer):
    vid, conv = api.verify(new_customer())
    for method in (None, "fax", 1, "SMS"):
        r = api.post(
            "/v1/procedures/connection-credentials", {"verification_id": vid, "conversation_id": conv, "method": method}
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    for value in (-1, "10", True, None):
        r = api.post("/dev/clock", {"advance_seconds": value}, key=None)
        assert r.status_code == 400


def test_get_without_conversation_is_400(api):
    assert api.get("/v1/account").status_code == 400
    assert api.get("/v1/login-history", verification_id="vrf_x").status_code == 400
    assert api.get("/dev/outbox", last="many").status_code == 400


def test_oversized_body_is_413_json(api):
    r = api.post("/v1/verifications", data=b'{"conversation_id": "' + b"x" * 100_000 + b'"}')
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"


def test_unknown_route_and_method_are_json(api):
    r = api.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = api.get("/v1/verifications")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_dev_endpoints_can_be_switched_off(tmp_path):
    sb = start_sandbox(tmp_path / "prod-like.sqlite3", ACCOUNT_API_DEV_ENDPOINTS="0")
    try:
        api = Api(sb.url)
        assert api.get("/dev/outbox").status_code == 404
        assert api.post("/dev/clock", {"advance_seconds": 1}, key=None).status_code == 404
        assert api.start(new_conversation(), customer_number="N123456789").status_code == 202
    finally:
        stop_sandbox(sb)
