"""Review N3 across servers: two Rasa servers' socket.io channels sharing Redis (the scaled mode's
SOCKETIO_MESSAGE_QUEUE and session registry). A session resumed on the second server ends the socket
that held it on the first: it is told, disconnected, and hears nothing more of the conversation."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "channels"))
from line_fakes import LoopThread, StubBot  # noqa: E402
from web_client import WebChannelServer, WebClient  # noqa: E402

from channels.session_tokens import RedisRegistry, SessionTokens  # noqa: E402
from channels.socketio import WebChatInput  # noqa: E402


@pytest.fixture
def two_servers(redis_port: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LoopThread, list[str]]]:
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", f"redis://127.0.0.1:{redis_port}/6")
    loop = LoopThread()
    servers = []
    for _ in range(2):
        tokens = SessionTokens(b"shared-secret", registry=RedisRegistry(f"redis://127.0.0.1:{redis_port}/6"))
        server = WebChannelServer(loop, WebChatInput(tokens=tokens, max_body_bytes=2048, allowed_origins=[]), StubBot())
        loop.run(server.start())
        servers.append(server)
    yield loop, [server.url for server in servers]
    for server in servers:
        loop.run(server.stop())
    loop.stop()


def test_a_resume_on_another_server_ends_the_socket_on_the_first(two_servers: tuple[LoopThread, list[str]]) -> None:
    loop, (first_url, second_url) = two_servers
    old = WebClient(loop, first_url).connect()
    issued = old.session()
    new = WebClient(loop, second_url).connect()
    resumed = new.session({"session_id": issued["session_id"], "session_token": issued["session_token"]})
    assert resumed["resumed"] is True
    assert old.next("session_ended") == {"reason": "resumed_elsewhere"}
    old.next("disconnect")
    assert new.say("こんにちは")["text"]
    new.close()
