"""A message sent again with the same client message id (after a timeout, a reconnect, a crash) is
answered with the stored replies and handled once (issue 21 item 8; channels/resends.py)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from line_fakes import LoopThread, StubBot
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from web_client import WebChannelServer, WebClient

from channels.rest import RestChannel
from channels.socketio import SessionTokens, WebChatInput


class ProcedureBot(StubBot):
    """Runs a 'procedure' for every message (counted, like the account API's outbox) and stores the
    turn the way Rasa's tracker store does: the user message with its id, then the bot's replies."""

    def __init__(self) -> None:
        super().__init__()
        self.procedures_run = 0
        self.events: dict[str, list[Any]] = {}
        self.tracker_store = SimpleNamespace(retrieve=self._retrieve)

    async def _retrieve(self, sender_id: str) -> Any:
        events = self.events.get(sender_id)
        return SimpleNamespace(events=list(events)) if events is not None else None

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        self.procedures_run += 1
        if message.text == "slow":
            await asyncio.sleep(self.slow_seconds)
        reply = f"再設定用のリンクをお送りしました（{self.procedures_run}回目）"
        await message.output_channel.send_response(message.sender_id, {"text": reply})
        turn = [UserUttered(message.text, message_id=message.message_id), BotUttered(reply)]
        self.events.setdefault(message.sender_id, []).extend(turn)


@pytest.fixture
def bot() -> ProcedureBot:
    return ProcedureBot()


@pytest.fixture
def rest(loop_thread: LoopThread, bot: ProcedureBot) -> Iterator[WebChannelServer]:
    server = WebChannelServer(loop_thread, RestChannel(), bot)
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())


def post(server: WebChannelServer, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{server.url}/webhooks/rest/webhook", json=body, timeout=20)


def test_rest_the_same_message_id_twice_runs_the_procedure_once(rest: WebChannelServer, bot: ProcedureBot) -> None:
    body = {"sender": "taro", "message": "はい", "message_id": "msg-0001-abcdef"}
    first, again = post(rest, body), post(rest, body)
    assert bot.procedures_run == 1
    assert first.json() == again.json() and "お送りしました" in first.json()[0]["text"]
    assert bot.received[0].message_id == "msg-0001-abcdef"  # the action server's idempotency key comes from it
    assert "_client_message_id" not in bot.received[0].metadata


def test_rest_a_resend_while_the_first_is_still_handled_waits_for_it(rest: WebChannelServer, bot: ProcedureBot) -> None:
    bot.slow_seconds = 1.0
    body = {"sender": "taro", "message": "slow", "message_id": "msg-0002-abcdef"}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: post(rest, body).json(), range(2)))
    assert bot.procedures_run == 1
    assert answers[0] == answers[1] != []


def test_rest_other_ids_other_senders_and_no_id_are_new_messages(rest: WebChannelServer, bot: ProcedureBot) -> None:
    post(rest, {"sender": "taro", "message": "はい", "message_id": "msg-0003-abcdef"})
    post(rest, {"sender": "taro", "message": "はい", "message_id": "msg-0004-abcdef"})
    post(rest, {"sender": "hanako", "message": "はい", "message_id": "msg-0003-abcdef"})
    post(rest, {"sender": "taro", "message": "はい"})
    post(rest, {"sender": "taro", "message": "はい"})
    assert bot.procedures_run == 5


@pytest.mark.parametrize("message_id", [12345, "short", "x" * 65, "has space x", "日本語のidです", ["msg-0001-abcdef"]])
def test_rest_a_malformed_message_id_is_a_clear_400(rest: WebChannelServer, bot: ProcedureBot, message_id: Any) -> None:
    response = post(rest, {"sender": "taro", "message": "はい", "message_id": message_id})
    assert response.status_code == 400 and "message_id" in response.text
    assert bot.procedures_run == 0


@pytest.fixture
def web(loop_thread: LoopThread, bot: ProcedureBot) -> Iterator[WebChannelServer]:
    channel = WebChatInput(tokens=SessionTokens(b"secret"), allowed_origins=[])
    server = WebChannelServer(loop_thread, channel, bot)
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())


@pytest.fixture
def web_client(loop_thread: LoopThread, web: WebChannelServer) -> Iterator[Callable[[], WebClient]]:
    clients: list[WebClient] = []

    def connect() -> WebClient:
        clients.append(WebClient(loop_thread, web.url).connect())
        return clients[-1]

    yield connect
    for client in clients:
        client.close()


def test_web_a_message_resent_after_a_reconnect_runs_the_procedure_once(
    web_client: Callable[[], WebClient], bot: ProcedureBot
) -> None:
    first = web_client()
    session = first.session()
    payload = {"message": "はい", "message_id": "web-0001-abcdef"}
    assert first.call("user_uttered", payload)["message_id"] == "web-0001-abcdef"
    first.close()  # the page lost its connection before it knew the message had arrived
    again = web_client()
    assert again.session(session)["resumed"] is True
    ack = again.call("user_uttered", payload)
    assert ack["message_id"] == "web-0001-abcdef"
    assert "お送りしました" in again.next("bot_uttered")["text"]  # the stored reply, sent again
    assert bot.procedures_run == 1
