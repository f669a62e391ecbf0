"""Where the code went (destination_hint), for 「コードが届きません」, without telling who exists."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

from conftest import new_conversation
from in_process import InProcess
from in_process import new_conversation as new_conversation_id

PHONE_HINT = re.compile(r"^\*\*\*-\*\*\*\*-\*\*\d\d$")


def hint(api, **identifier: str) -> tuple[str, str | None]:
    response = api.start(new_conversation(), **identifier)
    assert response.status_code == 202
    body = response.json()
    return body["channel"], body["destination_hint"]


def test_known_accounts_get_their_phones_last_two_digits_and_no_mail_address(api, new_customer):
    customer = new_customer()
    assert hint(api, customer_number=customer.customer_number) == ("sms", f"***-****-**{customer.mobile[-2:]}")
    mail_only = new_customer(mobile=False)
    assert hint(api, customer_number=mail_only.customer_number) == ("mail", None)


def test_unknown_accounts_get_a_stable_decoy_of_the_same_shapes(api):
    for number in (f"N0000{i:05d}" for i in range(30)):
        first = hint(api, customer_number=number)
        assert first == hint(api, customer_number=number)  # asking again changes nothing
        channel, masked = first
        assert (channel == "sms" and PHONE_HINT.match(masked)) or (channel, masked) == ("mail", None)
    channel, masked = hint(api, ocn_id="nobody.here@example.jp")
    assert (channel, masked) == hint(api, ocn_id="Nobody.Here@example.jp")


def test_the_hint_never_shows_more_of_a_phone_than_two_digits(api, new_customer):
    customer = new_customer()
    _, masked = hint(api, customer_number=customer.customer_number)
    assert sum(c.isdigit() for c in masked) == 2


def hint_shape(channel: str, masked: str | None) -> tuple[str, str | None]:
    """What an onlooker can compare between hints: the channel and the form, digits as D."""
    return channel, None if masked is None else re.sub(r"\d", "D", masked)


def chi_square_of_last_digits(hints: list[str]) -> float:
    counts = Counter(masked[-1] for masked in hints)
    expected = len(hints) / 10
    return sum((counts.get(str(d), 0) - expected) ** 2 / expected for d in range(10))


def test_hints_of_known_and_unknown_accounts_cannot_be_told_apart(tmp_path: Path) -> None:
    """Issue 21 item 9: the same shapes, the same share of mail, phone digits alike."""
    sb = InProcess(tmp_path)
    draw = random.Random(21)
    known = [
        sb.customer(mobile=f"0{draw.choice('789')}0{draw.randrange(10**8):08d}", mail_only=draw.random() < 0.3)
        for _ in range(400)
    ]
    unknown = [f"N0{draw.randrange(10**8):08d}" for _ in range(400)]

    def hints(numbers: list[str]) -> list[tuple[str, str | None]]:
        replies = [sb.start(new_conversation_id(), customer_number=number) for number in numbers]
        assert {reply.status for reply in replies} == {202}
        return [(reply.body["channel"], reply.body["destination_hint"]) for reply in replies]

    of_known, of_unknown = hints([c.customer_number for c in known]), hints(unknown)
    assert {hint_shape(*h) for h in of_known} == {hint_shape(*h) for h in of_unknown}
    assert (
        Counter(len(masked or "") for _, masked in of_known).keys()
        == Counter(len(masked or "") for _, masked in of_unknown).keys()
    )
    mail_share = [sum(channel == "mail" for channel, _ in hs) / len(hs) for hs in (of_known, of_unknown)]
    assert abs(mail_share[0] - mail_share[1]) < 0.08, mail_share
    for hs in (of_known, of_unknown):  # the last phone digit is uniform in both (chi-square, 9 dof, p = 1e-4)
        assert chi_square_of_last_digits([masked for channel, masked in hs if channel == "sms" and masked]) < 33.7
    sb.close()
