"""Issue 21 item 7: the connection ID (OCN接続用ID, printed on the letter; the help page says it carries an
@ but is no mail address) identifies the account like the customer number and the OCN ID, in the
contract (`connection_id`), the sandbox and the bot's client."""

from __future__ import annotations

import pytest
from conftest import TOKEN, new_conversation

from actions.account_client import AccountClient


def test_a_connection_id_gets_the_customer_a_code_and_verifies(api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    r = api.start(conv, connection_id=customer.connection_id.upper())
    assert r.status_code == 202 and r.json()["channel"] == "sms"
    assert api.confirm(r.json()["verification_id"], conv, api.latest_code(customer.mobile)).status_code == 200


def test_an_unknown_connection_id_looks_the_same_and_sends_nothing(api, new_customer):
    customer = new_customer()
    known = api.start(new_conversation(), connection_id=customer.connection_id).json()
    unknown = api.start(new_conversation(), connection_id="zz999999@one.ocn.ne.jp").json()
    assert set(known) == set(unknown)
    assert len(api.outbox(customer.mobile)) == 1


@pytest.mark.parametrize(
    "identifier",
    [
        {"connection_id": "not-an-id"},
        {"connection_id": "abc12345@one.ocn.ne.jp", "ocn_id": "taro.yamada@ocn.ne.jp"},
        {"connection_id": "abc12345@one.ocn.ne.jp", "customer_number": "N123456789"},
    ],
)
def test_exactly_one_well_formed_identifier(api, identifier):
    r = api.start(new_conversation(), **identifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_the_bots_client_sends_a_connection_id_as_one(sandbox, api, new_customer):
    customer = new_customer()
    conv = new_conversation()
    with AccountClient(sandbox.url, TOKEN, connect_timeout=1, read_timeout=5, retries=0) as client:
        started = client.start_verification(conv, connection_id=customer.connection_id)
        confirmed = client.confirm_verification(started.verification_id, conv, api.latest_code(customer.mobile))
    assert confirmed.expires_in == 900
