"""Where the code went (destination_hint), for 「コードが届きません」, without telling who exists."""

from __future__ import annotations

import re

from conftest import new_conversation

PHONE_HINT = re.compile(r"^\*\*\*-\*\*\*\*-\*\*\d\d$")
MAIL_HINT = re.compile(r"^[a-z0-9._%+\-]{1,2}\*\*\*\*@[a-z0-9.\-]+$")


def hint(api, **identifier: str) -> tuple[str, str]:
    response = api.start(new_conversation(), **identifier)
    assert response.status_code == 202
    body = response.json()
    return body["channel"], body["destination_hint"]


def test_known_accounts_get_their_contact_masked_more_than_after_verification(api, new_customer):
    customer = new_customer()
    assert hint(api, customer_number=customer.customer_number) == ("sms", f"***-****-**{customer.mobile[-2:]}")
    mail_only = new_customer(mobile=False)
    channel, masked = hint(api, customer_number=mail_only.customer_number)
    assert (
        channel == "mail" and MAIL_HINT.match(masked) and masked.split("@")[1] == mail_only.contact_mail.split("@")[1]
    )


def test_unknown_accounts_get_a_stable_decoy_of_the_same_shapes(api):
    seen = set()
    for number in (f"N0000{i:05d}" for i in range(30)):
        first = hint(api, customer_number=number)
        assert first == hint(api, customer_number=number)  # asking again changes nothing
        channel, masked = first
        assert (channel == "sms" and PHONE_HINT.match(masked)) or (channel == "mail" and MAIL_HINT.match(masked))
        seen.add(channel)
    assert seen == {"sms", "mail"}  # both shapes occur, as for real accounts
    channel, masked = hint(api, ocn_id="nobody.here@example.jp")
    assert (channel, masked) == hint(api, ocn_id="Nobody.Here@example.jp")
    assert PHONE_HINT.match(masked) or masked == "no****@example.jp"


def test_the_hint_never_shows_more_of_a_phone_than_two_digits(api, new_customer):
    customer = new_customer()
    _, masked = hint(api, customer_number=customer.customer_number)
    assert sum(c.isdigit() for c in masked) == 2
