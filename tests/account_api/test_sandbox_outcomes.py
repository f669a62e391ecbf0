"""GET /v1/outcomes: what became of a POST whose reply never arrived, by its Idempotency-Key."""

from __future__ import annotations

import uuid

import pytest
import requests
from conftest import Api, new_conversation

OCN_ID = "/v1/procedures/ocn-id"


def lookup(api: Api, params: dict) -> requests.Response:
    return api.session.get(api.url + "/v1/outcomes", params=params, timeout=10)


def outcome(api: Api, path: str, key: str) -> dict:
    r = lookup(api, {"path": path, "idempotency_key": key})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_carried_out_procedure_reports_its_reply(api, new_customer):
    customer = new_customer()
    vid, conv = api.verify(customer)
    key = uuid.uuid4().hex
    sent = api.post(OCN_ID, {"verification_id": vid, "conversation_id": conv}, key=key)
    assert sent.status_code == 200
    assert outcome(api, OCN_ID, key) == {"state": "completed", "status": 200, "body": sent.json()}
    # Reading the outcome acts on nothing: the OCN ID went out once.
    assert [m["kind"] for m in api.outbox(customer.mobile)].count("ocn_id") == 1


def test_a_refusal_is_an_outcome_too(api, new_customer):
    key = uuid.uuid4().hex
    api.post(OCN_ID, {"verification_id": "vrf_unknown", "conversation_id": new_conversation()}, key=key)
    found = outcome(api, OCN_ID, key)
    assert (found["state"], found["status"], found["body"]["error"]) == ("completed", 401, "not_verified")


def test_an_unknown_key_was_not_carried_out(api, new_customer):
    vid, conv = api.verify(new_customer())
    key = uuid.uuid4().hex
    api.post(OCN_ID, {"verification_id": vid, "conversation_id": conv}, key=key)
    assert outcome(api, OCN_ID, uuid.uuid4().hex) == {"state": "not_found"}
    assert outcome(api, "/v1/procedures/password-reset", key) == {"state": "not_found"}  # scoped to the path


def test_other_service_tokens_see_nothing(api, sandbox):
    r = lookup(Api(sandbox.url, token="someone-else"), {"path": OCN_ID, "idempotency_key": "k"})
    assert r.status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"path": OCN_ID},
        {"idempotency_key": "k"},
        {"path": "/dev/clock", "idempotency_key": "k"},
        {"path": OCN_ID, "idempotency_key": "鍵"},
        {"path": OCN_ID, "idempotency_key": "k" * 256},
    ],
)
def test_malformed_lookups_are_refused_politely(api, params):
    r = lookup(api, params)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
