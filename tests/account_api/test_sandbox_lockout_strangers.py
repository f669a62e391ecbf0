"""Issue 21 item 1 (account_api/README.md "Lockout"): strangers on a handful of clients cannot keep a
customer from verifying, and online guessing from any number of clients stays under the documented
bound of 100 wrong codes per account per 24 hours (a chance of a hit of at most 1 in 10,000 a day).

The client references are made as the channels make them (channels/client_ref.py), so the addresses
of one IPv6 /64 are one client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from in_process import InProcess, new_conversation, wrong

import account_api.verification
from account_api.store import Customer
from channels.client_ref import client_ref

HOUR = 3600
GUESS_BOUND_PER_DAY = 100  # README "Lockout"
CODE_SPACE = 10**6


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[InProcess]:
    sb = InProcess(tmp_path)
    yield sb
    sb.close()


def address_ref(address: str) -> str:
    ref = client_ref("address", address)
    assert ref
    return ref


def do_their_worst(sb: InProcess, customer: Customer, ref: str) -> int:
    """A stranger on one client asks for codes for the customer's account in new conversations, as many
    as they are given, and types a wrong code into each until refused. Returns the wrong codes typed
    that were answered as wrong codes (400)."""
    answered_wrong = 0
    for _ in range(50):  # far more than any limit allows; a bound so a broken limit cannot hang the test
        conv = new_conversation()
        started = sb.start(conv, ref, customer_number=customer.customer_number)
        if started.status != 202:
            return answered_wrong
        code = sb.latest_code(customer)
        for _ in range(10):
            if sb.confirm(started.body["verification_id"], conv, wrong(code)).status != 400:
                break
            answered_wrong += 1
    return answered_wrong


def test_strangers_on_three_addresses_and_a_whole_ipv6_64_cannot_keep_the_customer_out(sandbox: InProcess) -> None:
    customer = sandbox.customer()
    strangers = [address_ref(ip) for ip in ("203.0.113.7", "198.51.100.23", "192.0.2.99")]
    # Forty addresses of one /64 (an attacker's home line has 2^64 of them): one client.
    strangers += [address_ref(f"2001:db8:4c1:77:{n:x}:a1b2:{n * 7:x}:{n * 13:x}") for n in range(1, 41)]
    customers_phone = address_ref("192.0.2.200")
    typed_wrong = 0
    for half_hour in range(48):  # a day, the strangers at it every half hour
        for ref in strangers:
            typed_wrong += do_their_worst(sandbox, customer, ref)
        if half_hour % 6 == 5:  # every three hours the customer, from their own address, needs a code
            reply = sandbox.verify(customer, customers_phone)
            assert reply.status == 200, (half_hour, reply)
        sandbox.clock.advance(HOUR / 2)
    assert typed_wrong >= 30  # the strangers did get codes and guessed


def test_guessing_from_a_thousand_ipv6_64s_for_a_day_stays_under_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated: list[bool] = []
    real_code_matches = account_api.verification.code_matches

    def counting_code_matches(*args: object) -> bool:  # every code the sandbox actually compared
        matched = real_code_matches(*args)  # type: ignore[arg-type]
        evaluated.append(matched)
        return matched

    monkeypatch.setattr(account_api.verification, "code_matches", counting_code_matches)
    sandbox = InProcess(tmp_path, in_memory=True)
    customer = sandbox.customer()
    botnet = [address_ref(f"2001:db8:{n // 256:x}:{n % 256:x}::1") for n in range(1000)]
    # Every two hours each client does its worst. Hourly rounds would give no more: a client's 10 codes
    # and 10 wrong codes a day, and the account's 100 codes a day, bind before the hourly limits do.
    for _round in range(12):
        for ref in botnet:
            do_their_worst(sandbox, customer, ref)
        sandbox.clock.advance(2 * HOUR)
    sandbox.close()
    assert not any(evaluated)
    assert 0 < len(evaluated) <= GUESS_BOUND_PER_DAY
    assert len(evaluated) / CODE_SPACE <= 1e-4  # each guess hits 1 code in 10^6: at most 1 in 10,000 a day
