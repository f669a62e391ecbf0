"""Every channel tells the action server who is asking, as an opaque `client_ref` in the message metadata
(channels/client_ref.py): the account API limits one-time codes per account and client with it. The raw
address or LINE user id never appears, and a client cannot choose its own reference."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from line_fakes import USER_ID, LoopThread, StubBot
from web_client import WebChannelServer, WebClient

from bot_server import rate_limit
from channels.client_ref import (
    METADATA_KEY,
    block_of,
    client_ref,
    from_metadata,
    group_of,
    network_of,
    with_client_ref,
)
from channels.line_events import line_metadata
from channels.rest import RestChannel
from channels.socketio import SessionTokens, WebChatInput

FORGED = {METADATA_KEY: "cr1_chosen-by-the-client", "widget": "v2"}


def test_the_reference_is_stable_opaque_and_differs_per_client() -> None:
    ref = client_ref("address", "203.0.113.7")
    assert ref == client_ref("address", "203.0.113.7") and ref is not None
    assert "203.0.113.7" not in ref and ref.startswith("cr1_")
    assert ref != client_ref("address", "203.0.113.8") != client_ref("line-user", "203.0.113.7")
    assert client_ref("address", "") is None and client_ref("line-user", None) is None


def test_an_ipv6_64_is_one_client_and_a_mapped_ipv4_address_is_that_address() -> None:
    """An attacker's line has 2^64 IPv6 addresses: they count as one client (NIST SP 800-63B §5.2.2)."""
    one_line = {client_ref("address", f"2001:db8:4c1:77:{n:x}:a1b2:c3d4:{n * 7:x}") for n in range(1, 50)}
    assert one_line == {client_ref("address", "2001:db8:4c1:77::1")}
    assert client_ref("address", "2001:db8:4c1:78::1") not in one_line  # the next /64 is another client
    assert client_ref("address", "::ffff:203.0.113.7") == client_ref("address", "203.0.113.7")
    assert client_ref("address", "fe80::1%eth0") == client_ref("address", "fe80::2")
    assert client_ref("line-user", "2001:db8:4c1:77::1") != client_ref("line-user", "2001:db8:4c1:77::2")


def test_the_64s_of_one_ipv6_56_are_one_group_and_the_56s_of_one_48_one_block() -> None:
    """A /56 (256 /64s: one subscriber's line) is one group for the shares and caps; a /48 (256 /56s: a free
    tunnel, or a carrier's pool of unrelated subscribers) is one block, held to a few groups' worth
    (reviews 4 H1, 5 N1); the /64 stays the client."""
    one_56 = [client_ref("address", f"2001:db8:4c1:77{n:02x}::1") or "" for n in range(256)]
    assert len(set(one_56)) == 256 and len({group_of(ref) for ref in one_56}) == 1
    one_48 = [client_ref("address", f"2001:db8:4c1:{n:02x}00::1") or "" for n in range(256)]
    assert len({group_of(ref) for ref in one_48}) == 256
    assert len({block_of(ref) for ref in one_48}) == 1 and len({network_of(ref) for ref in one_48}) == 1
    assert block_of(client_ref("address", "2001:db8:4c2::1") or "") != block_of(one_48[0])
    v4 = [client_ref("address", f"203.0.113.{n}") or "" for n in (1, 2)]
    assert group_of(v4[0]) != group_of(v4[1]) and block_of(v4[0]) != block_of(v4[1])
    assert network_of(v4[0]) == network_of(v4[1])  # one /24: the queue's network
    line = [client_ref("line-user", user) or "" for user in ("U1", "U2")]
    assert group_of(line[0]) != group_of(line[1]) and block_of(line[0]) != block_of(line[1])
    assert all(len(ref) == 64 for ref in (*one_48, *v4, *line))  # the handoffs table's column
    assert group_of("cr1_without_group") == block_of("cr1_without_group") == "cr1_without_group"
    assert group_of("cr1_c.n.only48") == block_of("cr1_c.n.only48") == "only48"  # an older reference


def test_a_client_sent_reference_is_replaced_and_other_metadata_kept() -> None:
    metadata = with_client_ref(FORGED, "address", "198.51.100.1")
    assert metadata == {"widget": "v2", METADATA_KEY: client_ref("address", "198.51.100.1")}
    assert from_metadata(metadata) == client_ref("address", "198.51.100.1")
    assert from_metadata(None) is None and from_metadata({METADATA_KEY: 5}) is None


def test_line_messages_carry_the_users_reference_not_the_user_id() -> None:
    event = {"type": "message", "source": {"type": "user", "userId": USER_ID}, "message": {"id": "1"}}
    metadata = line_metadata(event)
    assert metadata[METADATA_KEY] == client_ref("line-user", USER_ID)
    assert USER_ID not in metadata[METADATA_KEY]


@pytest.fixture
def no_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RATE_LIMIT_BACKEND", "memory")
    rate_limit._limiters.clear()
    yield
    rate_limit._limiters.clear()


def test_rest_messages_carry_the_addresss_reference(loop_thread: LoopThread, no_limits: None) -> None:
    server = WebChannelServer(loop_thread, RestChannel(), StubBot(), limits=True)
    loop_thread.run(server.start())
    try:
        body = {"sender": "alice", "message": "こんにちは", "metadata": FORGED}
        assert requests.post(f"{server.url}/webhooks/rest/webhook", json=body, timeout=10).status_code == 200
    finally:
        loop_thread.run(server.stop())
    [message] = server.bot.received
    assert message.metadata == {"widget": "v2", METADATA_KEY: client_ref("address", "127.0.0.1")}


def test_web_messages_carry_the_addresss_reference(loop_thread: LoopThread, no_limits: None) -> None:
    channel = WebChatInput(tokens=SessionTokens(b"test-secret"), max_body_bytes=2048)
    server = WebChannelServer(loop_thread, channel, StubBot())
    loop_thread.run(server.start())
    client = WebClient(loop_thread, server.url).connect()
    try:
        client.session()
        client.emit("user_uttered", {"message": "こんにちは", "metadata": FORGED})
        client.next("bot_uttered")
    finally:
        client.close()
        loop_thread.run(server.stop())
    [message] = server.bot.received
    assert message.metadata == {"widget": "v2", METADATA_KEY: client_ref("address", "127.0.0.1")}
