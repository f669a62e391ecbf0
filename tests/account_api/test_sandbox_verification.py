"""Verification: happy path, wrong codes, lockout, expiry, binding, rate limits, no enumeration."""

from __future__ import annotations

from datetime import datetime

from conftest import new_conversation


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_happy_path_sms(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    r = api.start(conv, customer_number=customer.customer_number)
    assert r.status_code == 202
    body = r.json()
    assert set(body) == {"verification_id", "expires_in", "message", "channel", "destination_hint"}
    assert body["expires_in"] == 600
    [sms] = api.outbox(customer.mobile)
    assert sms["channel"] == "sms" and sms["kind"] == "verification_code"
    r = api.confirm(body["verification_id"], conv, api.latest_code(customer.mobile))
    assert r.status_code == 200
    confirmed = r.json()
    assert confirmed["verified"] is True and confirmed["expires_in"] == 900
    assert datetime.fromisoformat(confirmed["verified_until"]).tzinfo is not None


def test_demo_customer_by_full_width_number_and_by_ocn_id(api):
    conv = new_conversation()
    r = api.start(conv, customer_number="Ｎ１２３－４５６－７８９")
    assert r.status_code == 202
    assert api.confirm(r.json()["verification_id"], conv, api.latest_code("090-1234-5678")).status_code == 200
    conv = new_conversation()
    r = api.start(conv, ocn_id="Taro.Yamada@OCN.ne.jp")
    assert r.status_code == 202
    assert api.confirm(r.json()["verification_id"], conv, api.latest_code("09012345678")).status_code == 200


def test_mail_only_customer_gets_the_code_by_mail(api, new_customer):
    customer = new_customer(mobile=False)
    conv = new_conversation()
    vid = api.start(conv, ocn_id=customer.ocn_id).json()["verification_id"]
    [mail] = api.outbox(customer.contact_mail)
    assert mail["channel"] == "mail" and mail["subject"]
    assert api.confirm(vid, conv, api.latest_code(customer.contact_mail)).status_code == 200


def test_full_width_code_is_accepted(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert api.confirm(vid, conv, full_width).status_code == 200


def test_wrong_codes_count_down_then_lock_for_30_minutes(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    for left in (4, 3, 2, 1):
        r = api.confirm(vid, conv, wrong(code))
        assert r.status_code == 400
        assert r.json() == {"error": "invalid_code", "message": r.json()["message"], "attempts_left": left}
    r = api.confirm(vid, conv, wrong(code))
    assert r.status_code == 423 and r.json()["error"] == "locked"
    assert 1790 <= r.json()["retry_after"] <= 1800 and r.headers["Retry-After"]
    # This conversation is locked: even the right code, and a new code for any account in it.
    assert api.confirm(vid, conv, code).status_code == 423
    r = api.start(conv, ocn_id=customer.ocn_id)
    assert r.status_code == 423 and 0 < r.json()["retry_after"] <= 1800
    assert api.start(conv, customer_number=new_customer().customer_number).status_code == 423
    # The account is not: its owner, in their own conversation, still gets a code and verifies.
    vid, conv = api.verify(customer)
    assert vid


def test_lock_ends_after_30_minutes(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    for _ in range(5):
        r = api.confirm(vid, conv, wrong(code))
    assert r.status_code == 423
    api.advance(29 * 60)
    assert api.start(conv, customer_number=customer.customer_number).status_code == 423
    api.advance(61)
    r = api.start(conv, customer_number=customer.customer_number)  # the same conversation again
    assert r.status_code == 202
    r = api.confirm(r.json()["verification_id"], conv, wrong(api.latest_code(customer.mobile)))
    assert r.json()["attempts_left"] == 4  # the counter starts again from zero


def test_wrong_codes_of_one_conversation_share_one_counter(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    for expected_left in (4, 3):  # asking for a new code does not reset the count
        vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
        r = api.confirm(vid, conv, wrong(api.latest_code(customer.mobile)))
        assert r.json()["attempts_left"] == expected_left
    # Another conversation has its own count.
    other = new_conversation()
    vid = api.start(other, customer_number=customer.customer_number).json()["verification_id"]
    assert api.confirm(vid, other, wrong(api.latest_code(customer.mobile))).json()["attempts_left"] == 4
    # A success resets the conversation's count.
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    assert api.confirm(vid, conv, api.latest_code(customer.mobile)).status_code == 200
    api.advance(3601)  # out of the codes-per-hour window
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    assert api.confirm(vid, conv, wrong(api.latest_code(customer.mobile))).json()["attempts_left"] == 4


def test_code_expires_after_10_minutes(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    api.advance(10 * 60 + 1)
    r = api.confirm(vid, conv, code)
    assert r.status_code == 410 and r.json()["error"] == "expired"


def test_code_just_before_expiry_still_works(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    api.advance(9 * 60 + 50)
    assert api.confirm(vid, conv, api.latest_code(customer.mobile)).status_code == 200


def test_code_is_single_use_and_a_new_code_replaces_the_old(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    first = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    first_code = api.latest_code(customer.mobile)
    second = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    assert api.confirm(first, conv, first_code).status_code == 410
    second_code = api.latest_code(customer.mobile)
    assert api.confirm(second, conv, second_code).status_code == 200
    assert api.confirm(second, conv, second_code).status_code == 410


def test_wrong_conversation_or_unknown_id_is_404(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    r = api.confirm(vid, new_conversation(), code)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert api.confirm("vrf_doesnotexist", conv, code).status_code == 404
    assert api.confirm(vid, conv, code).status_code == 200  # the 404s cost nothing


def test_forty_five_codes_per_account_per_hour_whatever_the_clients(api, new_customer):
    customer = new_customer()
    for n in range(45):  # the ceiling (README "Lockout"): 3 per group, so 15 groups are needed
        conv = new_conversation()
        assert api.start(conv, customer_number=customer.customer_number, client_ref=f"c{n // 3}").status_code == 202
    r = api.start(new_conversation(), ocn_id=customer.ocn_id, client_ref="fresh-client")
    assert r.status_code == 429 and r.json()["error"] == "too_many_codes"
    assert 3500 <= r.json()["retry_after"] <= 3600 and int(r.headers["Retry-After"]) == r.json()["retry_after"]
    assert len(api.outbox(customer.mobile)) == 45
    api.advance(3601)
    assert api.start(new_conversation(), customer_number=customer.customer_number).status_code == 202


def test_three_codes_per_conversation_per_hour(api, new_customer):
    conv = new_conversation()
    for _ in range(3):
        assert api.start(conv, customer_number=new_customer().customer_number).status_code == 202
    victim = new_customer()
    r = api.start(conv, customer_number=victim.customer_number)
    assert r.status_code == 429 and r.json()["retry_after"] > 0
    assert api.outbox(victim.mobile) == []
    assert api.start(new_conversation(), customer_number=victim.customer_number).status_code == 202


def shape(response):
    body = response.json()
    return response.status_code, sorted(body), body.get("error"), body.get("message")


def test_unknown_number_looks_exactly_like_a_known_one(api, new_customer):
    known = new_customer()
    unknown_number = "N000000001"
    conv_k, conv_u = new_conversation(), new_conversation()
    rk = api.start(conv_k, customer_number=known.customer_number)
    ru = api.start(conv_u, customer_number=unknown_number)
    assert shape(rk) == shape(ru)
    assert len(rk.json()["verification_id"]) == len(ru.json()["verification_id"])
    assert api.outbox(unknown_number) == []
    # Same answers to wrong codes, same lockout.
    vk, vu = rk.json()["verification_id"], ru.json()["verification_id"]
    code = api.latest_code(known.mobile)
    for _ in range(4):
        assert shape(api.confirm(vk, conv_k, wrong(code))) == shape(api.confirm(vu, conv_u, wrong(code)))
    lk, lu = api.confirm(vk, conv_k, wrong(code)), api.confirm(vu, conv_u, wrong(code))
    assert shape(lk) == shape(lu) and lk.status_code == 423
    assert shape(api.start(new_conversation(), customer_number=known.customer_number)) == shape(
        api.start(new_conversation(), customer_number=unknown_number)
    )


def test_unknown_ocn_id_is_rate_limited_like_a_known_one(api, new_customer):
    known = new_customer()
    results = {}
    for label, ocn_id in (("known", known.ocn_id), ("unknown", "nobody.here@ocn.ne.jp")):
        results[label] = [shape(api.start(new_conversation(), ocn_id=ocn_id)) for _ in range(46)]
    assert results["known"] == results["unknown"]
    assert [s[0] for s in results["known"]] == [202] * 45 + [429]


def test_a_decoy_can_never_succeed(api, db):
    conv = new_conversation()
    vid = api.start(conv, customer_number="N000000777").json()["verification_id"]
    row = db.verification(vid)
    assert row is not None and row.customer_number is None and row.code_hash is None
    assert api.confirm(vid, conv, "123456").status_code == 400
    r = api.get("/v1/account", verification_id=vid, conversation_id=conv)
    assert r.status_code == 401


def test_audit_log_records_every_step_without_codes(api, db, new_customer):
    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    api.confirm(vid, conv, wrong(code))
    api.confirm(vid, conv, code)
    api.post("/v1/procedures/ocn-id", {"verification_id": vid, "conversation_id": conv})
    api.get("/v1/account", verification_id=vid, conversation_id=new_conversation())
    entries = [dict(r) for r in db.audit_entries() if r["verification_id"] == vid]
    assert [(e["event"], e["result"]) for e in entries] == [
        ("verification.start", "sent"),
        ("verification.confirm", "invalid_code"),
        ("verification.confirm", "verified"),
        ("procedure.ocn_id", "ok"),
        ("account.summary", "not_verified"),
    ]
    assert all(e["at"] for e in entries)
    assert entries[0]["customer_number"] == customer.customer_number and entries[0]["conversation_id"] == conv
    assert not any(code in str(v) for e in entries for v in e.values())


def test_how_long_a_code_works_is_one_setting_from_the_environment() -> None:
    """ACCOUNT_API_CODE_TTL_SECONDS is the one source of the code's life (the API's expires_in, which the
    bot says and the web widget counts down); the default is 10 minutes and it is never below 10 s."""
    from account_api.settings import Settings

    assert Settings.from_env({}).code_ttl_seconds == 600
    assert Settings.from_env({"ACCOUNT_API_CODE_TTL_SECONDS": "45"}).code_ttl_seconds == 45
    assert Settings.from_env({"ACCOUNT_API_CODE_TTL_SECONDS": "1"}).code_ttl_seconds == 10
