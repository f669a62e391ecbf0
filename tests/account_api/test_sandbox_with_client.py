"""The bot's client against the real sandbox: both sides of the contract agree."""

from __future__ import annotations

import pytest
from conftest import TOKEN, new_conversation

from actions.account_client import AccountApiError, AccountClient


@pytest.fixture
def client(sandbox):
    c = AccountClient(sandbox.url, TOKEN, connect_timeout=1, read_timeout=5, retries=1)
    yield c
    c.close()


def test_full_procedure_through_the_client(api, client, new_customer):
    customer = new_customer()
    conv = new_conversation()
    started = client.start_verification(conv, customer_number=customer.customer_number)
    assert started.expires_in == 600
    code = api.latest_code(customer.mobile)
    with pytest.raises(AccountApiError) as info:
        client.confirm_verification(started.verification_id, conv, "000000" if code != "000000" else "111111")
    assert info.value.code == "invalid_code" and info.value.attempts_left == 4
    confirmed = client.confirm_verification(started.verification_id, conv, code)
    assert confirmed.expires_in == 900 and confirmed.verified_until.tzinfo is not None

    vid = started.verification_id
    summary = client.account_summary(vid, conv)
    assert summary.contact_channel == "sms" and summary.contact_masked.endswith(customer.mobile[-4:])
    assert client.send_password_reset(vid, conv).channel == "sms"
    assert client.send_connection_credentials(vid, conv, "post").eta_days == 5
    assert client.send_connection_credentials(vid, conv, "mypage").channel is None
    assert client.send_customer_number(vid, conv).customer_number_masked.startswith(customer.customer_number[:3])
    assert client.send_ocn_id(vid, conv).ocn_id_masked.endswith("@ocn.ne.jp")
    assert client.login_history(vid, conv) == []

    # A repeated key (what a retry sends) does not send a second SMS.
    client.send_ocn_id(vid, conv, idempotency_key="retry-me")
    client.send_ocn_id(vid, conv, idempotency_key="retry-me")
    assert [m["kind"] for m in api.outbox(customer.mobile)].count("ocn_id") == 2  # one above, one here

    with pytest.raises(AccountApiError) as info:
        client.account_summary(vid, new_conversation())
    assert info.value.code == "not_verified"


def test_client_sees_limits_and_lockout(api, client, new_customer):
    customer = new_customer(mobile=False)
    for _ in range(3):  # one client's codes for this account (README "Lockout")
        client.start_verification(new_conversation(), ocn_id=customer.ocn_id, client_ref="one-client")
    with pytest.raises(AccountApiError) as info:
        client.start_verification(new_conversation(), ocn_id=customer.ocn_id, client_ref="one-client")
    assert info.value.code == "too_many_codes" and 0 < info.value.retry_after <= 3600
    client.start_verification(new_conversation(), ocn_id=customer.ocn_id, client_ref="other-client")

    conv = new_conversation()
    api.advance(3601)
    vid = client.start_verification(conv, customer_number=customer.customer_number).verification_id
    code = api.latest_code(customer.contact_mail)
    bad = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(AccountApiError):
            client.confirm_verification(vid, conv, bad)
    with pytest.raises(AccountApiError) as info:
        client.confirm_verification(vid, conv, bad)
    assert info.value.code == "locked" and info.value.retry_after == 1800
    with pytest.raises(AccountApiError) as info:
        client.send_connection_credentials(vid, conv, "sms")
    assert info.value.code == "not_verified"


def test_mail_only_customer_has_no_mobile(api, client, new_customer):
    customer = new_customer(mobile=False)
    vid, conv = api.verify(customer)
    assert client.account_summary(vid, conv).has_mobile is False
    with pytest.raises(AccountApiError) as info:
        client.send_connection_credentials(vid, conv, "sms")
    assert info.value.code == "no_mobile"
