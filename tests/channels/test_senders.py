"""Sender ids: one conversation = one person on one channel (channels/senders.py)."""

from __future__ import annotations

import pytest

from channels.senders import (
    InvalidSender,
    channel_of,
    is_shared_chat,
    line_chat_id,
    line_sender,
    rest_sender,
    web_sender,
)


def test_every_channel_has_its_own_namespace() -> None:
    user = "U4af4980629aaaaaaaaaaaaaaaaaaaaaa"
    ids = {
        line_sender({"type": "user", "userId": user}),
        line_sender({"type": "group", "groupId": user, "userId": user}),
        line_sender({"type": "room", "roomId": user, "userId": user}),
        rest_sender(user),
        web_sender(user),
    }
    assert ids == {f"line:{user}", f"line:group:{user}", f"line:room:{user}", f"rest:{user}", f"web:{user}"}
    assert [channel_of(i) for i in sorted(ids)] == ["line", "line", "line", "rest", "web"]


def test_a_group_member_never_gets_the_members_own_conversation() -> None:
    source = {"type": "group", "groupId": "Cgroup", "userId": "Umember"}
    assert line_sender(source) == "line:group:Cgroup" != line_sender({"type": "user", "userId": "Umember"})
    assert is_shared_chat("line:group:Cgroup") and is_shared_chat("line:room:Rroom")
    assert not is_shared_chat("line:Umember") and not is_shared_chat("rest:line:group:x")


def test_line_chat_ids_for_delivery() -> None:
    assert line_chat_id("line:U1") == "U1"
    assert line_chat_id("line:group:C1") == "C1" and line_chat_id("line:room:R1") == "R1"
    assert line_chat_id("web:abc") is None
    assert line_sender({}) is None


@pytest.mark.parametrize("value", [None, 1, 1.5, True, [], {}, "", "a" * 129, "a:b", "a/b", "ａ", "a b"])
def test_client_senders_are_checked(value: object) -> None:
    with pytest.raises(InvalidSender):
        rest_sender(value)


def test_a_valid_client_sender() -> None:
    assert rest_sender("test-abc_1.2@x") == "rest:test-abc_1.2@x"
    assert rest_sender("a" * 128) == "rest:" + "a" * 128
