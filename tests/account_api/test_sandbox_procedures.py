"""Procedures and reads: need a verification bound to the same conversation, valid 15 minutes."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from conftest import new_conversation, stored_connection_password

PROCEDURES = [
    ("/v1/procedures/password-reset", {}),
    ("/v1/procedures/connection-credentials", {"method": "sms"}),
    ("/v1/procedures/customer-number", {}),
    ("/v1/procedures/ocn-id", {}),
]
READS = ["/v1/account", "/v1/login-history"]


def call(api, path, vid, conv, extra=None):
    if path in READS:
        return api.get(path, verification_id=vid, conversation_id=conv)
    return api.post(path, {"verification_id": vid, "conversation_id": conv, **(extra or {})})


ALL = [(p, e) for p, e in PROCEDURES] + [(p, None) for p in READS]


@pytest.mark.parametrize("path,extra", ALL)
def test_needs_a_verification(api, new_customer, path, extra):
    customer = new_customer()
    conv = new_conversation()
    pending = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    for vid in (pending, "vrf_unknown", ""):
        r = call(api, path, vid, conv, extra)
        assert r.status_code == 401 and r.json()["error"] == "not_verified", (vid, r.text)
    if path not in READS:
        r = api.post(path, {"conversation_id": conv, **(extra or {})})
        assert r.status_code == 401
    assert [m["kind"] for m in api.outbox(customer.mobile)] == ["verification_code"]


@pytest.mark.parametrize("path,extra", ALL)
def test_verification_is_bound_to_its_conversation(api, new_customer, path, extra):
    vid, conv = api.verify(new_customer())
    r = call(api, path, vid, new_conversation(), extra)
    assert r.status_code == 401 and r.json()["error"] == "not_verified"
    assert call(api, path, vid, conv, extra).status_code == 200


@pytest.mark.parametrize("path,extra", ALL)
def test_verification_expires_after_15_minutes(api, new_customer, path, extra):
    vid, conv = api.verify(new_customer())
    api.advance(14 * 60 + 50)
    assert call(api, path, vid, conv, extra).status_code == 200
    api.advance(11)
    r = call(api, path, vid, conv, extra)
    assert r.status_code == 401 and r.json()["error"] == "not_verified"


def test_account_summary_is_masked(api):
    vid, conv = verify_demo(api, "N123456789", "09012345678")
    r = api.get("/v1/account", verification_id=vid, conversation_id=conv)
    assert r.status_code == 200
    assert r.json() == {
        "customer_number_masked": "N12*****89",
        "ocn_id_masked": "ta****@ocn.ne.jp",
        "connection_id_masked": "ab****@one.ocn.ne.jp",
        "contact_channel": "sms",
        "contact_masked": "090-****-5678",
        "has_mobile": True,
        "address_masked": "東京都千代田区****",
    }


def verify_demo(api, number, contact):
    conv = new_conversation()
    vid = api.start(conv, customer_number=number).json()["verification_id"]
    assert api.confirm(vid, conv, api.latest_code(contact)).status_code == 200
    return vid, conv


def test_mail_only_customer(api):
    vid, conv = verify_demo(api, "N987654321", "hanako.sato@example.jp")
    summary = api.get("/v1/account", verification_id=vid, conversation_id=conv).json()
    assert summary["contact_channel"] == "mail" and summary["contact_masked"] == "ha****@example.jp"
    assert summary["has_mobile"] is False and summary["ocn_id_masked"] == "ha****@example.jp"
    r = api.post(
        "/v1/procedures/connection-credentials", {"verification_id": vid, "conversation_id": conv, "method": "sms"}
    )
    assert r.status_code == 400 and r.json()["error"] == "no_mobile"
    r = api.post("/v1/procedures/password-reset", {"verification_id": vid, "conversation_id": conv})
    assert r.json() == {"channel": "mail", "destination_masked": "ha****@example.jp"}
    assert api.outbox("hanako.sato@example.jp")[-1]["kind"] == "password_reset"


def test_password_reset_sends_a_link_never_a_password(api, new_customer):
    customer = new_customer()
    vid, conv = api.verify(customer)
    r = api.post("/v1/procedures/password-reset", {"verification_id": vid, "conversation_id": conv})
    assert r.status_code == 200
    assert r.json() == {"channel": "sms", "destination_masked": f"070-****-{customer.mobile[-4:]}"}
    message = api.outbox(customer.mobile)[-1]
    assert message["kind"] == "password_reset"
    assert re.search(r"https://\S+/password-reset\?token=[\w-]{20,}", message["body"])
    assert "メールソフト" in message["body"]  # reminds that mail apps need the new password


def test_connection_credentials_send_the_current_password_and_never_replace_it(api, db, new_customer):
    """「確認」 tells the customer the password their router uses today: two requests, same password."""
    customer = new_customer()
    current = stored_connection_password(db, customer)
    vid, conv = api.verify(customer)
    sent = []
    for method in ("sms", "sms", "post"):
        r = api.post(
            "/v1/procedures/connection-credentials", {"verification_id": vid, "conversation_id": conv, "method": method}
        )
        assert r.status_code == 200
        message = api.outbox(customer.customer_number)[-1]
        assert customer.connection_id in message["body"]
        sent.append(re.search(r"接続用パスワード: (\S+)", message["body"]).group(1))
    assert r.json()["method"] == "post"
    assert sent == [current, current, current]
    assert stored_connection_password(db, customer) == current
    assert "新規発行" not in message["body"] and "使えなくなりました" not in message["body"]


def test_database_file_holds_no_clear_text_connection_password(api, db, sandbox, new_customer):
    customer = new_customer()
    password = stored_connection_password(db, customer)
    vid, conv = api.verify(customer)
    for method in ("sms", "post"):
        api.post(
            "/v1/procedures/connection-credentials", {"verification_id": vid, "conversation_id": conv, "method": method}
        )
    assert password in api.outbox(customer.customer_number)[-1]["body"]  # it was sent...
    for path in (sandbox.db_path, sandbox.db_path.with_name(sandbox.db_path.name + "-wal")):
        if path.exists():  # ...but neither the database nor its write-ahead log holds it in clear
            assert password.encode() not in path.read_bytes(), f"{path.name} holds the password in clear text"


def test_connection_credentials_by_post(api, new_customer):
    customer = new_customer(mobile=False)
    vid, conv = api.verify(customer)
    r = api.post(
        "/v1/procedures/connection-credentials", {"verification_id": vid, "conversation_id": conv, "method": "post"}
    )
    assert r.status_code == 200
    assert r.json() == {"method": "post", "channel": "post", "destination_masked": "東京都千代田区****", "eta_days": 5}
    [letter] = api.outbox(customer.customer_number)[-1:]
    assert letter["channel"] == "post" and customer.address_line in letter["to"]
    assert customer.connection_id in letter["body"]


def test_connection_credentials_on_mypage_sends_nothing(api, new_customer):
    customer = new_customer()
    vid, conv = api.verify(customer)
    r = api.post(
        "/v1/procedures/connection-credentials", {"verification_id": vid, "conversation_id": conv, "method": "mypage"}
    )
    assert r.status_code == 200
    body = r.json()
    # No My Page address is verified: none is given until ACCOUNT_API_MYPAGE_URL is set.
    assert body["method"] == "mypage" and body["mypage_url"] is None and body["mypage_section"]
    assert [m["kind"] for m in api.outbox(customer.mobile)] == ["verification_code"]


def test_customer_number_is_sent_in_full_and_shown_masked(api, new_customer):
    customer = new_customer()
    vid, conv = api.verify(customer)
    r = api.post("/v1/procedures/customer-number", {"verification_id": vid, "conversation_id": conv})
    n = customer.customer_number
    assert r.json()["customer_number_masked"] == f"{n[:3]}*****{n[-2:]}"
    assert r.json()["channel"] == "sms"
    assert n in api.outbox(customer.mobile)[-1]["body"]


def test_ocn_id_is_sent_in_full_and_shown_masked(api, new_customer):
    customer = new_customer()
    vid, conv = api.verify(customer)
    r = api.post("/v1/procedures/ocn-id", {"verification_id": vid, "conversation_id": conv})
    assert r.json()["ocn_id_masked"] == f"{customer.ocn_id[:2]}****@ocn.ne.jp"
    assert customer.ocn_id in api.outbox(customer.mobile)[-1]["body"]


def test_login_history_flags_unfamiliar_logins(api):
    vid, conv = verify_demo(api, "N555000111", "080-5555-6666")
    r = api.get("/v1/login-history", verification_id=vid, conversation_id=conv)
    assert r.status_code == 200
    logins = r.json()["logins"]
    assert len(logins) == 10
    assert all(set(x) == {"time", "region", "device", "success", "unfamiliar"} for x in logins)
    times = [datetime.fromisoformat(x["time"]) for x in logins]
    assert times == sorted(times, reverse=True)
    unfamiliar = [x for x in logins if x["unfamiliar"]]
    assert len(unfamiliar) == 3 == r.json()["unfamiliar_count"]
    assert any(not x["success"] for x in unfamiliar) and all("海外" in x["region"] for x in unfamiliar)


def test_new_customer_without_logins_has_empty_history(api, new_customer):
    vid, conv = api.verify(new_customer())
    assert api.get("/v1/login-history", verification_id=vid, conversation_id=conv).json()["logins"] == []


# -- idempotency --------------------------------------------------------------------------------


def test_same_key_acts_once(api, new_customer):
    customer = new_customer()
    vid, conv = api.verify(customer)
    body = {"verification_id": vid, "conversation_id": conv, "method": "sms"}
    first = api.post("/v1/procedures/connection-credentials", body, key="same-key-1")
    again = api.post("/v1/procedures/connection-credentials", body, key="same-key-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    kinds = [m["kind"] for m in api.outbox(customer.mobile)]
    assert kinds.count("connection_credentials") == 1
    api.post("/v1/procedures/connection-credentials", body, key="same-key-2")
    assert [m["kind"] for m in api.outbox(customer.mobile)].count("connection_credentials") == 2


def test_same_key_on_start_sends_one_code(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    first = api.post(
        "/v1/verifications", {"conversation_id": conv, "customer_number": customer.customer_number}, key="start-key"
    )
    again = api.post(
        "/v1/verifications", {"conversation_id": conv, "customer_number": customer.customer_number}, key="start-key"
    )
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    assert len(api.outbox(customer.mobile)) == 1


def test_replayed_wrong_code_costs_one_attempt(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    bad = "000000" if code != "000000" else "111111"
    r1 = api.confirm(vid, conv, bad, key="confirm-key")
    r2 = api.confirm(vid, conv, bad, key="confirm-key")
    assert r1.status_code == r2.status_code == 400 and r1.json() == r2.json()
    assert r1.json()["attempts_left"] == 4
    assert api.confirm(vid, conv, bad).json()["attempts_left"] == 3


def test_key_reused_for_a_different_request_is_422(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    api.post("/v1/verifications", {"conversation_id": conv, "customer_number": customer.customer_number}, key="reuse")
    r = api.post("/v1/verifications", {"conversation_id": conv, "ocn_id": customer.ocn_id}, key="reuse")
    assert r.status_code == 422 and r.json()["error"] == "idempotency_key_reused"
    # Keys are scoped per path: the same key elsewhere is a different request.
    r = api.post("/v1/procedures/ocn-id", {"verification_id": "vrf_x", "conversation_id": conv}, key="reuse")
    assert r.status_code == 401
