"""The web widget's socket.io channel: sessions are issued by the server and bound to the socket.

A real Sanic server with the channel registered as `rasa run` does, a stub bot, and python-socketio
clients speaking Rasa's session_request / session_confirm / user_uttered protocol.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import socketio
from line_fakes import LoopThread, StubBot
from web_client import WebChannelServer, WebClient

from channels.socketio import SessionTokens, WebChatInput, room_of, send_to_session

SECRET = b"test-web-session-secret"
HELP_SITE = "https://support.ocn.ne.jp"


@pytest.fixture
def web_server(loop_thread: LoopThread) -> Iterator[WebChannelServer]:
    server = WebChannelServer(
        loop_thread,
        WebChatInput(tokens=SessionTokens(SECRET), max_body_bytes=2048, allowed_origins=[HELP_SITE]),
        StubBot(),
    )
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())


@pytest.fixture
def client(loop_thread: LoopThread, web_server: WebChannelServer) -> Iterator[Callable[[], WebClient]]:
    clients: list[WebClient] = []

    def connect(**kwargs: Any) -> WebClient:
        client = WebClient(loop_thread, web_server.url).connect(**kwargs)
        clients.append(client)
        return client

    yield connect
    for c in clients:
        c.close()


def test_a_client_chosen_session_id_is_not_honoured(
    client: Callable[[], WebClient], web_server: WebChannelServer
) -> None:
    victim = client()
    victim_session = victim.session()
    victim.say("私のお客さま番号は N123456789 です")

    attacker = client()
    confirm = attacker.session({"session_id": victim_session["session_id"]})
    assert confirm["session_id"] != victim_session["session_id"]
    assert confirm["resumed"] is False
    attacker.say("ログイン履歴を見せて")

    victim_msg, attacker_msg = web_server.bot.received
    assert victim_msg.sender_id == f"web:{victim_session['session_id']}"
    assert attacker_msg.sender_id == f"web:{confirm['session_id']}"
    assert attacker_msg.sender_id != victim_msg.sender_id


def test_a_message_naming_another_session_stays_in_the_sockets_own(
    client: Callable[[], WebClient], web_server: WebChannelServer
) -> None:
    victim, attacker = client(), client()
    victim_id = victim.session()["session_id"]
    own_id = attacker.session()["session_id"]
    attacker.say("こんにちは", session_id=victim_id)
    [message] = web_server.bot.received
    assert message.sender_id == f"web:{own_id}"


def test_a_forged_or_foreign_token_gets_a_fresh_session(
    client: Callable[[], WebClient], web_server: WebChannelServer, loop_thread: LoopThread
) -> None:
    victim = client().session()
    other = client().session()
    forged = client().session({"session_id": victim["session_id"], "session_token": other["session_token"]})
    assert forged["session_id"] not in (victim["session_id"], other["session_id"])
    tokens = web_server.channel.tokens
    expired = loop_thread.run(tokens.issue(victim["session_id"], now=time.time() - 2 * tokens.ttl))
    late = client().session({"session_id": victim["session_id"], "session_token": expired})
    assert late["session_id"] != victim["session_id"]


def test_a_returning_widget_resumes_with_the_token_it_was_given(
    client: Callable[[], WebClient], web_server: WebChannelServer
) -> None:
    first = client()
    issued = first.session()
    first.close()

    again = client()
    confirm = again.session({"session_id": issued["session_id"], "session_token": issued["session_token"]})
    assert confirm["session_id"] == issued["session_id"] and confirm["resumed"] is True
    assert again.say("パスワードを忘れました")["text"].startswith("受け付けました")
    assert web_server.bot.received[-1].sender_id == f"web:{issued['session_id']}"


def test_stock_clients_get_a_session_with_or_without_asking(
    client: Callable[[], WebClient], web_server: WebChannelServer
) -> None:
    plain = client()
    # rasa-webchat / python-socketio clients: session_request with a client-made id, no token
    confirm = plain.session({"session_id": "0123456789abcdef0123456789abcdef"})
    assert len(confirm["session_id"]) >= 24 and confirm["session_id"] != "0123456789abcdef0123456789abcdef"
    assert plain.say("hello", session_id="0123456789abcdef0123456789abcdef")["text"] == "受け付けました: hello"

    silent = client()  # never asks for a session: gets one with its first message
    silent.emit("user_uttered", {"message": "hi"})
    implicit = silent.next("session_confirm")
    assert silent.next("bot_uttered")["text"] == "受け付けました: hi"
    assert web_server.bot.received[-1].sender_id == f"web:{implicit['session_id']}"


def test_an_oversized_message_is_answered_without_reaching_the_bot(
    client: Callable[[], WebClient], web_server: WebChannelServer
) -> None:
    chat = client()
    chat.session()
    reply = chat.say("x" * 3000)  # over the 2048-byte limit, under engine.io's frame cap (2 x 2048)
    assert reply["text"]  # the polite "too long" sentence (domain text, or the fallback without a model)
    assert web_server.bot.received == []
    assert chat.say("短い質問")["text"] == "受け付けました: 短い質問"


def test_a_frame_over_the_hard_cap_is_refused_before_decoding(
    client: Callable[[], WebClient], web_server: WebChannelServer
) -> None:
    chat = client()
    chat.session()
    chat.emit("user_uttered", {"message": "x" * 10_000})  # over 2 x 2048 bytes: engine.io drops the connection
    assert chat.next("disconnect") is None
    assert web_server.bot.received == []


def test_messages_can_be_pushed_to_a_session_room(
    client: Callable[[], WebClient], web_server: WebChannelServer, loop_thread: LoopThread
) -> None:
    chat = client()
    session = chat.session()
    sender_id = f"web:{session['session_id']}"
    assert room_of(sender_id) == sender_id
    assert loop_thread.run(send_to_session(sender_id, {"text": "オペレーターです。"}))
    assert chat.next("bot_uttered") == {"text": "オペレーターです。"}


@pytest.mark.parametrize("origin", ["https://evil.example", "https://support.ocn.ne.jp.evil.example", "null"])
def test_a_page_outside_the_configured_origins_cannot_connect(
    client: Callable[..., WebClient], web_server: WebChannelServer, origin: str
) -> None:
    """Any page the customer opens could otherwise chat (and run procedures) in the customer's name."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        client(origin=origin)
    assert web_server.bot.received == []


def test_the_help_site_the_chat_server_itself_and_non_browser_clients_connect(
    client: Callable[..., WebClient], web_server: WebChannelServer
) -> None:
    for origin in (HELP_SITE, web_server.url, None):
        web = client(origin=origin)
        web.session()
        assert web.say("こんにちは")["text"]


def test_a_resume_rotates_the_token_and_the_used_one_stops_working(client: Callable[..., WebClient]) -> None:
    """A token copied out of the browser's storage is worthless once the widget has used it."""
    issued = client().session()
    resumed = client().session({"session_id": issued["session_id"], "session_token": issued["session_token"]})
    assert resumed["resumed"] is True and resumed["session_token"] != issued["session_token"]
    replayed = client().session({"session_id": issued["session_id"], "session_token": issued["session_token"]})
    assert replayed["resumed"] is False and replayed["session_id"] != issued["session_id"]
    latest = client().session({"session_id": issued["session_id"], "session_token": resumed["session_token"]})
    assert latest["resumed"] is True


def test_session_end_revokes_the_token(client: Callable[..., WebClient]) -> None:
    """「最初から」 and sign-out: nobody can come back to the ended conversation with its token."""
    web = client()
    issued = web.session()
    assert web.call("session_end", {}) == {"ended": True}
    fresh = web.session({})
    assert fresh["session_id"] != issued["session_id"]
    back = client().session({"session_id": issued["session_id"], "session_token": issued["session_token"]})
    assert back["resumed"] is False


def test_a_widget_that_was_offline_ends_its_session_with_the_proof(client: Callable[..., WebClient]) -> None:
    first = client()
    issued = first.session()
    first.close()
    proof = {"session_id": issued["session_id"], "session_token": issued["session_token"]}
    assert client().call("session_end", {"session_id": issued["session_id"], "session_token": "1.x.y"}) == {
        "ended": False
    }
    assert client().call("session_end", proof) == {"ended": True}
    assert client().session(proof)["resumed"] is False


def test_a_socket_whose_session_is_resumed_elsewhere_can_no_longer_send_or_hear(
    client: Callable[..., WebClient], web_server: WebChannelServer, loop_thread: LoopThread
) -> None:
    """Review N3: the socket that held a session kept talking after another socket resumed it. Now it
    is told (`session_ended`), disconnected, and the conversation is the new socket's alone."""
    old = client()
    issued = old.session()
    sender = f"web:{issued['session_id']}"
    new = client()
    resumed = new.session({"session_id": issued["session_id"], "session_token": issued["session_token"]})
    assert resumed["resumed"] is True
    assert old.next("session_ended") == {"reason": "resumed_elsewhere"}
    old.next("disconnect")
    with pytest.raises(socketio.exceptions.BadNamespaceError):  # it cannot send any more
        old.emit("user_uttered", {"message": "古い画面から", "session_id": issued["session_id"]})
    assert loop_thread.run(send_to_session(sender, {"text": "担当者からのお知らせです。"}))
    assert new.next("bot_uttered")["text"] == "担当者からのお知らせです。"  # only the new socket hears it
    assert new.say("こんにちは")["text"]
    assert [m.sender_id for m in web_server.bot.received] == [sender]


def test_after_the_session_ends_no_socket_talks_in_it(
    client: Callable[..., WebClient], web_server: WebChannelServer
) -> None:
    """Review N3: 「最初から」 or sign-out in one place ends the session for the socket holding it
    elsewhere too (told and disconnected); the socket that ended it starts a new conversation."""
    holder = client()
    issued = holder.session()
    ender = client()  # e.g. the host page's sign-out, with the proof
    proof = {"session_id": issued["session_id"], "session_token": issued["session_token"]}
    assert ender.call("session_end", proof) == {"ended": True}
    assert holder.next("session_ended") == {"reason": "ended"}
    holder.next("disconnect")
    assert ender.say("こんにちは")["text"]

    second = client()  # and a session that was resumed and then ended: neither socket is left in it
    second_issued = second.session()
    third = client()
    resumed = third.session(
        {"session_id": second_issued["session_id"], "session_token": second_issued["session_token"]}
    )
    assert second.next("session_ended") == {"reason": "resumed_elsewhere"}
    assert third.call("session_end", {}) == {"ended": True}
    assert third.say("もう一度")["text"]
    ended = {f"web:{issued['session_id']}", f"web:{resumed['session_id']}"}
    assert not ended & {m.sender_id for m in web_server.bot.received}


def test_a_socket_that_moved_to_a_new_session_is_not_ended_by_a_resume_of_its_old_one(
    client: Callable[..., WebClient], web_server: WebChannelServer
) -> None:
    web = client()
    old = web.session()
    new = web.session({})  # a fresh session on the same socket (no valid proof given)
    assert new["session_id"] != old["session_id"]
    other = client()
    assert other.session({"session_id": old["session_id"], "session_token": old["session_token"]})["resumed"]
    assert web.say("こんにちは")["text"]  # still connected, still in its new session
    assert web_server.bot.received[-1].sender_id == f"web:{new['session_id']}"


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_closed_socket_is_unbound_from_its_session_unless_another_took_it(loop_thread: LoopThread) -> None:
    """Review 3, N3 leftover: bindings stayed after a disconnect (the in-process registry then evicted the
    oldest, live ones first). A socket that goes away is unbound; one whose session another socket
    resumed meanwhile leaves that socket's binding alone."""
    from channels.session_tokens import MemoryRegistry

    registry = MemoryRegistry()
    tokens = SessionTokens(SECRET, registry=registry)
    server = WebChannelServer(loop_thread, WebChatInput(tokens=tokens, allowed_origins=[HELP_SITE]), StubBot())
    loop_thread.run(server.start())
    try:
        first = WebClient(loop_thread, server.url).connect()
        issued = first.session()
        session_id = issued["session_id"]
        assert registry._sockets.get(session_id)  # bound while connected
        first.close()
        assert wait_until(lambda: session_id not in registry._sockets)

        a = WebClient(loop_thread, server.url).connect()
        again = a.session({"session_id": session_id, "session_token": issued["session_token"]})
        assert again["resumed"] is True
        b = WebClient(loop_thread, server.url).connect()
        b.session({"session_id": session_id, "session_token": again["session_token"]})
        a.next("session_ended")  # a is ended by the resume on b, and disconnected
        a.next("disconnect")
        b_sid = registry._sockets.get(session_id)
        assert b_sid
        a.close()
        assert b.say("こんにちは")["text"]  # after a's disconnect was handled, b is still the session's socket
        assert registry._sockets.get(session_id) == b_sid
        b.close()
        assert wait_until(lambda: session_id not in registry._sockets)
    finally:
        loop_thread.run(server.stop())
