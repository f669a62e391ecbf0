"""REST senders: checked, confined to `rest:`, and rate-limited whatever they look like."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from line_fakes import USER_ID, LoopThread, StubBot
from web_client import WebChannelServer

from bot_server import client_address, rate_limit
from channels.rest import RestChannel


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RATE_LIMIT_BACKEND", "memory")
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "5")
    monkeypatch.setenv("RATE_LIMIT_PER_CLIENT_PER_MINUTE", "12")
    monkeypatch.setenv("RATE_LIMIT_EXEMPT_CLIENTS", "")  # the test client is on loopback, like a stranger here
    rate_limit._limiters.clear()
    yield
    rate_limit._limiters.clear()


@pytest.fixture
def rest(loop_thread: LoopThread, limits: None) -> Iterator[WebChannelServer]:
    server = WebChannelServer(loop_thread, RestChannel(), StubBot(), limits=True)
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())


def post(server: WebChannelServer, body: Any) -> requests.Response:
    return requests.post(f"{server.url}/webhooks/rest/webhook", json=body, timeout=10)


@pytest.mark.parametrize(
    "sender",
    [None, 12345, ["a"], {"id": "a"}, "", "x" * 129, "x" * 300, "line:" + USER_ID, "名前", "a b", "a\nb"],
    ids=[
        "missing",
        "number",
        "list",
        "object",
        "empty",
        "129-chars",
        "300-chars",
        "colon",
        "kanji",
        "space",
        "newline",
    ],
)
def test_a_bad_sender_gets_a_clear_400_before_the_bot(rest: WebChannelServer, sender: Any) -> None:
    body = {"message": "こんにちは"} if sender is None else {"sender": sender, "message": "こんにちは"}
    response = post(rest, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_sender" and "sender" in response.json()["message"]
    assert rest.bot.received == []


def test_rest_cannot_reach_a_line_users_conversation(rest: WebChannelServer) -> None:
    response = post(rest, {"sender": USER_ID, "message": "ログイン履歴", "input_channel": "line"})
    assert response.status_code == 200
    [message] = rest.bot.received
    assert message.sender_id == f"rest:{USER_ID}" != f"line:{USER_ID}"
    assert message.input_channel == "rest"


def test_one_conversation_is_rate_limited(rest: WebChannelServer) -> None:
    replies = [post(rest, {"sender": "flood", "message": f"質問{i}"}) for i in range(8)]
    assert [r.headers.get("X-Chat-Limit") for r in replies].count("rate") == 3
    assert len(rest.bot.received) == 5


def test_a_new_sender_per_message_is_still_limited_per_client(rest: WebChannelServer) -> None:
    replies = [post(rest, {"sender": f"s{i}", "message": "質問"}) for i in range(15)]
    limited = [r for r in replies if r.headers.get("X-Chat-Limit") == "rate"]
    assert len(limited) == 3 and len(rest.bot.received) == 12
    assert post(rest, {"message": "no sender"}).headers.get("X-Chat-Limit") == "rate"  # bad requests count too


def test_the_addresses_of_one_ipv6_64_are_one_client(rest: WebChannelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review G5: the per-client limit was keyed on the full IPv6 address, so a line's 2^64 addresses
    were 2^64 clients. Behind our nginx (loopback, trusted), a new address of one /64 per message is
    still one client; another /64 is another."""
    monkeypatch.setenv("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1,::1")

    def post_from(address: str, sender: str) -> requests.Response:
        body = {"sender": sender, "message": "質問"}
        return requests.post(
            f"{rest.url}/webhooks/rest/webhook", json=body, headers={"X-Forwarded-For": address}, timeout=10
        )

    replies = [post_from(f"2001:db8:4c1:77:{i:x}::{i * 7:x}", f"v6-{i}") for i in range(1, 16)]
    assert [r.headers.get("X-Chat-Limit") for r in replies].count("rate") == 3
    assert post_from("2001:db8:4c1:78::1", "next-64").headers.get("X-Chat-Limit") is None


def test_the_client_address_comes_from_a_trusted_proxy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # our nginx (loopback) appends the peer it saw; whatever the client wrote before it is ignored
    assert client_address.client_ip("127.0.0.1", "6.6.6.6, 203.0.113.7") == "203.0.113.7"
    assert client_address.client_ip("203.0.113.7", "127.0.0.1") == "203.0.113.7"  # not a proxy: its own address
    monkeypatch.setenv("RATE_LIMIT_TRUSTED_PROXIES", "10.0.0.0/8")  # Kubernetes: the ingress pod network
    assert client_address.client_ip("10.2.3.4", "198.51.100.9, 10.9.9.9") == "198.51.100.9"
    assert client_address.client_ip("127.0.0.1", "198.51.100.9") == "127.0.0.1"


def test_clients_on_this_machine_have_no_per_client_limit(
    rest: WebChannelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_EXEMPT_CLIENTS", "127.0.0.1,::1")  # the default: operators and tests
    replies = [post(rest, {"sender": f"s{i}", "message": "質問"}) for i in range(15)]
    assert not [r for r in replies if r.headers.get("X-Chat-Limit")] and len(rest.bot.received) == 15
