"""The lockout policy (account_api/README.md, "Lockout"): a stranger cannot lock a customer out.

- wrong codes lock the conversation they come from (5 → 30 minutes), not the account;
- the account is locked only by many wrong codes (20) from several conversations (3) within 30 minutes,
  and that lock ends by itself after 30 minutes;
- a burst of wrong codes across all accounts raises an alarm (log + audit) without locking anyone.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import new_conversation

from account_api.clock import Clock
from account_api.errors import ApiError
from account_api.service import AccountService
from account_api.settings import Settings
from account_api.store import Store


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def stranger_fails(api, customer, times: int = 5) -> tuple[str, int]:  # noqa: ANN001
    """A stranger asks for a code for `customer` in a conversation of their own and guesses wrong."""
    conv = new_conversation()
    vid = api.start(conv, ocn_id=customer.ocn_id).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    status = 0
    for _ in range(times):
        status = api.confirm(vid, conv, wrong(code)).status_code
    return conv, status


def test_a_strangers_wrong_codes_do_not_lock_the_customers_own_conversation(api, new_customer):  # noqa: ANN001
    customer = new_customer()
    mine = new_conversation()
    my_vid = api.start(mine, customer_number=customer.customer_number).json()["verification_id"]
    my_code = api.latest_code(customer.mobile)
    _, status = stranger_fails(api, customer)
    assert status == 423  # the stranger's conversation is locked ...
    assert api.confirm(my_vid, mine, my_code).status_code == 200  # ... the customer's is not
    vid, conv = api.verify(customer)  # and a new conversation of the customer works too
    assert vid and conv


def test_a_locked_conversation_cannot_start_over_with_another_code(api, new_customer):  # noqa: ANN001
    customer = new_customer()
    conv, status = stranger_fails(api, customer)
    assert status == 423
    r = api.start(conv, customer_number=customer.customer_number)
    assert r.status_code == 423 and 1790 <= r.json()["retry_after"] <= 1800


def test_the_account_lock_needs_many_wrong_codes_from_several_conversations(api, new_customer):  # noqa: ANN001
    customer = new_customer()
    for _ in range(3):  # 15 wrong codes from 3 conversations: still below 20
        stranger_fails(api, customer)
    assert api.verify(customer)[0]
    _, status = stranger_fails(api, customer)  # 20 from 4 conversations: the account is locked
    assert status == 423
    r = api.start(new_conversation(), customer_number=customer.customer_number)
    assert r.status_code == 423 and 0 < r.json()["retry_after"] <= 1800
    api.advance(30 * 60 + 1)  # bounded: the lock ends by itself
    assert api.verify(customer)[0]


def test_one_conversation_alone_never_locks_the_account(api, new_customer):  # noqa: ANN001
    customer = new_customer()
    conv = new_conversation()
    for _ in range(3):  # a conversation that keeps failing only keeps itself locked
        vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
        code = api.latest_code(customer.mobile)
        for _ in range(5):
            api.confirm(vid, conv, wrong(code))
        api.advance(30 * 60 + 1)
    assert api.verify(customer)[0]


@pytest.fixture
def service(tmp_path: Path) -> AccountService:
    store = Store(tmp_path / "sandbox.sqlite3")
    store.create_schema()
    settings = Settings(db_path=tmp_path / "sandbox.sqlite3", alarm_wrong_codes=6, alarm_window_seconds=600)
    return AccountService(store, settings, Clock())


def test_a_burst_of_wrong_codes_raises_the_alarm_without_locking_anyone(
    service: AccountService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="account_api.lockout")
    for n in range(6):  # six unknown accounts, one wrong code each
        conv = f"web:c{n}"
        vid = service.start_verification(conv, customer_number=f"N00000{n:04d}")["verification_id"]
        with pytest.raises(ApiError) as info:
            service.confirm_verification(vid, conv, "000000")
        assert info.value.status == 400  # a wrong code, nobody locked
    assert "ALARM" in caplog.text
    assert [e["result"] for e in service.store.audit_entries() if e["event"] == "verification.alarm"] == ["alarm"]
