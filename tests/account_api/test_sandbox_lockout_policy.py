"""The lockout policy (account_api/README.md, "Lockout"): a stranger cannot lock a customer out.

- wrong codes lock the conversation they come from (5 → 30 minutes), then the client (10 a day), not
  the account;
- the account pauses only at the guessing bound (100 wrong codes in 24 hours, 10+ clients), for
  everyone, and that ends by itself;
- a burst of wrong codes across all accounts raises the alarm, which throttles without locking anyone.
(Strangers doing their worst, and a botnet's guessing: test_sandbox_lockout_strangers.py.)
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import new_conversation
from in_process import InProcess, wrong

from account_api.store import Customer
from channels.client_ref import client_ref


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


def spend_budget(sb: InProcess, customer: Customer, ref: str) -> None:
    """One client types wrong codes for the account, hour after hour, until it is refused (423)."""
    for _ in range(30):
        conv = new_conversation()
        started = sb.start(conv, ref, customer_number=customer.customer_number)
        if started.status == 423:
            return
        if started.status == 429:
            sb.clock.advance(3600)
            continue
        code = sb.latest_code(customer)
        while sb.confirm(started.body["verification_id"], conv, wrong(code)).status == 400:
            pass
    raise AssertionError("the client was never refused")


def test_only_the_guessing_bound_pauses_an_account_and_it_takes_ten_groups(tmp_path: Path) -> None:
    """Nine groups' wrong codes (each group counting its share of 10) leave the account open to everyone;
    the 100th counted wrong code, which takes a tenth group, pauses it for every client that never
    verified it (a first-time customer too, the right code included, so the pause tells nothing) until
    the oldest wrong codes are 24 hours old. A client that verified the account before keeps its own
    budget (README "Lockout"). The throttle is off here: with it (one try per code from 30 counted wrong
    codes, 5 codes a day per group) the bound takes 3 + 70 / 5 = 17 groups."""
    sb = InProcess(tmp_path, account_throttle_wrong_codes=1000)
    customer = sb.customer()
    assert sb.verify(customer, "customer").status == 200
    for n in range(9):
        spend_budget(sb, customer, f"stranger-{n}")
    assert sb.store.conn.execute("SELECT count(*) FROM wrong_codes").fetchone()[0] == 90
    assert sb.verify(customer, "another-first-time").status == 200  # 90 counted: still open

    conv = new_conversation()  # a first-time customer asks for a code just before the tenth client's last guess
    theirs = sb.start(conv, "first-time", customer_number=customer.customer_number)
    code = sb.latest_code(customer)
    spend_budget(sb, customer, "stranger-9")
    paused = sb.confirm(theirs.body["verification_id"], conv, code)
    assert paused.status == 423 and 0 < paused.body["retry_after"] <= 24 * 3600
    assert sb.start(new_conversation(), "someone-new", customer_number=customer.customer_number).status == 423
    stages = [e["result"] for e in sb.store.audit_entries() if e["event"] == "verification.account_alarm"]
    assert stages == ["paused"]
    assert sb.verify(customer, "customer").status == 200  # the customer's own client verified before
    sb.clock.advance(paused.body["retry_after"])  # it ends by itself
    assert sb.verify(customer, "first-time").status == 200
    sb.close()


def test_one_conversation_alone_never_locks_the_account(api, new_customer):  # noqa: ANN001
    customer = new_customer()
    conv = new_conversation()
    refused = None
    for _ in range(3):  # a conversation that keeps failing only keeps itself (its client) locked
        r = api.start(conv, customer_number=customer.customer_number)
        if r.status_code == 423:
            refused = r.json()["retry_after"]
            break
        code = api.latest_code(customer.mobile)
        for _ in range(5):
            api.confirm(r.json()["verification_id"], conv, wrong(code))
        api.advance(30 * 60 + 1)
    assert refused is not None and refused > 22 * 3600  # after 10 wrong codes: this client, for about a day
    assert api.verify(customer)[0]


def test_a_burst_of_wrong_codes_across_accounts_throttles_verification_while_the_alarm_is_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 21 item 11: the cross-account alarm acts (one try per code, few codes per client across
    accounts), is on record (audit row, alarm_state()) and ends by itself."""
    caplog.set_level(logging.WARNING, logger="account_api")
    sb = InProcess(tmp_path, alarm_wrong_codes=6, alarm_window_seconds=600, alarm_hold_seconds=3600)
    assert not sb.service.alarm_state().on
    for n in range(6):  # six unknown accounts, one wrong code each
        conv = new_conversation()
        started = sb.start(conv, f"guesser-{n}", customer_number=f"N00000{n:04d}")
        assert sb.confirm(started.body["verification_id"], conv, "000000").status == 400  # nobody locked
    state = sb.service.alarm_state()
    assert state.on and state.wrong_codes == 6 and state.until == state.raised_at + 3600
    assert "ALARM" in caplog.text
    assert [e["result"] for e in sb.store.audit_entries() if e["event"] == "verification.alarm"] == ["on"]

    customer = sb.customer()
    conv = new_conversation()
    started = sb.start(conv, "customer", customer_number=customer.customer_number)
    code = sb.latest_code(customer)
    wrong_once = sb.confirm(started.body["verification_id"], conv, wrong(code))
    assert wrong_once.body == {"error": "invalid_code", "message": "確認コードが正しくありません。", "attempts_left": 4}
    # one try per code, answered like any wrong code (review 3, N2) ...
    assert sb.confirm(started.body["verification_id"], conv, code).status == 410  # ... the code is gone
    assert sb.verify(customer, "customer").status == 200  # a new code, typed right, still verifies
    for n in range(3):  # one client, many accounts: 3 codes an hour in all while the alarm is on
        assert sb.start(new_conversation(), "spreader", customer_number=f"N00001{n:04d}").status == 202
    assert sb.start(new_conversation(), "spreader", customer_number="N000019999").status == 429

    sb.clock.advance(3601)  # the alarm ends by itself: five tries per code again
    assert not sb.service.alarm_state().on
    conv = new_conversation()
    started = sb.start(conv, "customer", customer_number=customer.customer_number)
    assert sb.confirm(started.body["verification_id"], conv, wrong(sb.latest_code(customer))).body["attempts_left"] == 4
    sb.close()


def test_one_client_alone_cannot_keep_the_cross_account_alarm_on(tmp_path: Path) -> None:
    """Security review N4: one client spreading wrong codes over many unknown accounts counts at most
    alarm_wrong_codes_per_client towards the alarm; guessing from enough clients still raises it."""
    sb = InProcess(tmp_path, alarm_wrong_codes=6, alarm_wrong_codes_per_client=2, alarm_window_seconds=600)
    for n in range(8):  # one client, eight accounts, one wrong code each: 8 >= 6, but it counts 2
        conv = new_conversation()
        started = sb.start(conv, "spreader", customer_number=f"N00002{n:04d}")
        assert sb.confirm(started.body["verification_id"], conv, "000000").status == 400
    assert not sb.service.alarm_state().on
    for n in range(4):  # two more clients, two each: 2 + 2 + 2 = 6
        conv = new_conversation()
        started = sb.start(conv, f"guesser-{n // 2}", customer_number=f"N00003{n:04d}")
        assert sb.confirm(started.body["verification_id"], conv, "000000").status == 400
    assert sb.service.alarm_state().on
    sb.close()


def test_one_ipv6_48_alone_cannot_keep_the_cross_account_alarm_on(tmp_path: Path) -> None:
    """Security review 5 (low): the alarm counted per client, so one /48's many /64s raised it alone and
    slowed every customer to one try per code. A group (a /56) counts at most alarm_wrong_codes_per_client,
    a block (a /48) three groups' worth; guessing from enough /48s still raises it."""
    sb = InProcess(tmp_path, alarm_wrong_codes=12, alarm_wrong_codes_per_client=2, alarm_window_seconds=600)

    def spread(address: str, account: int) -> None:
        conv = new_conversation()
        started = sb.start(conv, client_ref("address", address), customer_number=f"N0004{account:05d}")
        assert sb.confirm(started.body["verification_id"], conv, "000000").status == 400

    for n in range(40):  # one /48: 40 /64s in 10 /56s, one wrong code each on its own account: counts 6
        spread(f"2001:db8:77:{n % 10:02x}{n:02x}::1", n)
    assert not sb.service.alarm_state().on
    for n in range(6):  # a second /48's 6: 12
        spread(f"2001:db8:78:{n:02x}00::1", 100 + n)
    assert sb.service.alarm_state().on
    sb.close()
