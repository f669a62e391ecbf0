"""Code limits per client (account_api/README.md "Lockout"): a stranger's client using up its codes for
an account does not stop the customer's own client from getting one, the account-wide ceiling still
bounds the SMS a victim receives (the operators are told long before), and the client reference is
stored only hashed.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from conftest import new_conversation
from in_process import InProcess, wrong

from account_api.clock import Clock
from account_api.errors import ApiError
from account_api.service import AccountService
from account_api.settings import Settings
from account_api.store import Store


def test_a_strangers_client_does_not_use_up_the_customers_codes(api, new_customer):
    customer = new_customer()
    for _ in range(3):  # one stranger, new conversations, the same client (address / LINE user)
        assert (
            api.start(new_conversation(), customer_number=customer.customer_number, client_ref="stranger").status_code
            == 202
        )
    r = api.start(new_conversation(), customer_number=customer.customer_number, client_ref="stranger")
    assert r.status_code == 429 and r.json()["error"] == "too_many_codes"
    assert len(api.outbox(customer.mobile)) == 3

    conv = new_conversation()
    r = api.start(conv, ocn_id=customer.ocn_id, client_ref="customer-phone")
    assert r.status_code == 202
    code = api.latest_code(customer.mobile)
    assert api.confirm(r.json()["verification_id"], conv, code).status_code == 200


def test_the_ceiling_bounds_codes_to_the_victim_and_the_operators_are_told_first(api, new_customer, db):
    customer = new_customer()
    sent = 0
    for client in range(16):  # a stranger with many clients (groups)
        for _ in range(3):
            r = api.start(new_conversation(), customer_number=customer.customer_number, client_ref=f"bot-{client}")
            sent += r.status_code == 202
            if sent == 9:  # below the alarm's 10 codes an hour: nothing told yet
                assert not [
                    e
                    for e in db.audit_entries()
                    if e["customer_number"] == customer.customer_number and e["event"] == "verification.code_alarm"
                ]
    assert sent == 45 == len(api.outbox(customer.mobile))
    alarms = [e for e in db.audit_entries() if e["event"] == "verification.code_alarm"]
    assert {e["customer_number"] for e in alarms} >= {customer.customer_number}


def test_the_client_reference_is_never_stored_or_logged_as_sent(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    settings = Settings(db_path=tmp_path / "sandbox.sqlite3")
    store = Store(settings.db_path)
    store.create_schema()
    service = AccountService(store, settings, Clock())
    ref = "clientref-7f3a9c"
    for n in range(settings.max_codes_per_account_per_window + 1):  # up to the ceiling and its alarm
        try:
            service.start_verification(new_conversation(), customer_number="N123456789", client_ref=f"{ref}-{n}")
        except ApiError as error:
            assert error.status == 429
    assert "ALARM" in caplog.text and ref not in caplog.text
    store.conn.commit()
    dump = "\n".join(sqlite3.connect(settings.db_path).iterdump())
    assert ref not in dump


def test_one_clients_wrong_codes_stop_only_that_client(tmp_path: Path) -> None:
    """However many conversations one client opens, its wrong codes for an account are bounded (10 a day)
    and then only that client is refused; the customer on their own client still verifies."""
    sb = InProcess(tmp_path)
    customer = sb.customer()
    typed = 0
    for _ in range(6):  # new conversations, one client
        conv = new_conversation()
        started = sb.start(conv, "stranger", customer_number=customer.customer_number)
        if started.status != 202:
            assert started.status == 423 and started.body["retry_after"] > 23 * 3600
            break
        code = sb.latest_code(customer)
        while sb.confirm(started.body["verification_id"], conv, wrong(code)).status == 400:
            typed += 1
        typed += 1
    assert typed == sb.settings.client_wrong_codes == 10
    assert not [e for e in sb.store.audit_entries() if e["event"] == "verification.account_alarm"]
    assert sb.verify(customer, "customer").status == 200
    sb.close()
