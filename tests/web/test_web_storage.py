"""What the widget leaves in the browser's web storage (issue 21 item 3), and its resume token.

Typed one-time codes are stored only as the tracker store keeps them (bot_server/redaction.py, the
one redaction: the server acknowledges each message with that text), the resume token changes on
every resume and stops working after 「最初から」, and a message whose acknowledgement was lost is
sent again with the same id without running anything twice (item 8)."""

from __future__ import annotations

import json
import re
import threading

import pytest
import socketio
from selenium.webdriver.common.by import By
from test_web_chat import fresh_page, messages, open_chat, texts, type_and_send, wait_bot_reply, wait_for
from web_support import WebStack

from bot_server.redaction import redact_message
from tests.support.stack import sandbox_outbox

pytestmark = [pytest.mark.stack, pytest.mark.browser]

TARO = {"number": "N123456789", "phone": "090-1234-5678"}


def outbox(web_stack: WebStack) -> list[dict]:
    return sandbox_outbox(
        f"http://127.0.0.1:{web_stack.ports.account_api}", web_stack.env["ACCOUNT_API_TOKEN"], TARO["phone"]
    )


def last_code(web_stack: WebStack) -> str:
    found = [m.group(1) for x in outbox(web_stack) for m in [re.search(r"確認コード: (\d{6})", x["body"])] if m]
    assert found
    return found[-1]


def say(browser, text: str, expect: str) -> str:
    bots = len(messages(browser, "bot"))
    type_and_send(browser, text)
    return wait_bot_reply(browser, bots, expect)


def web_storage(browser) -> dict[str, str]:
    return browser.execute_script(
        "const all = {};"
        "for (const s of [sessionStorage, localStorage]) for (let i = 0; i < s.length; i++) all[s.key(i)] = s.getItem(s.key(i));"
        "return all;"
    )


def stored_state(browser) -> dict:
    return json.loads(browser.execute_script("return sessionStorage.getItem('ocn-chat')"))


def acknowledged(browser) -> bool:
    return browser.execute_script("return window.ocnChat.outbox.length === 0")


def resumes(web_stack: WebStack, session_id: str, token: str) -> bool:
    """Whether a client holding this (session id, token) would get the conversation back."""
    client = socketio.Client(reconnection=False)
    confirmed: dict = {}
    arrived = threading.Event()
    client.on("session_confirm", lambda data: (confirmed.update(data), arrived.set()))
    client.connect(f"http://127.0.0.1:{web_stack.ports.rasa}", transports=["websocket"])
    try:
        client.emit("session_request", {"session_id": session_id, "session_token": token})
        assert arrived.wait(10), "no session_confirm"
    finally:
        client.disconnect()
    return bool(confirmed["resumed"])


def test_typed_codes_are_stored_masked_as_the_tracker_store_keeps_them(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    say(browser, "ログイン履歴を確認したい", "お手続きをご希望ですか")
    say(browser, "チャットで手続きする", "お客さま番号")
    say(browser, "ｎ１２３４５６７８９", "確認コードをお送りしました")  # the ID, typed in full width
    code = last_code(web_stack)
    typed_code = f"{code[:3]} {code[3:]}"  # as people type it
    say(browser, f"コードは{typed_code}です", "ご本人確認ができました")
    wait_for(browser, lambda: acknowledged(browser), 10, "the messages were not acknowledged")

    assert texts(browser, "user")[-1] == f"コードは{typed_code}です"  # the page shows what was typed
    dump = json.dumps(web_storage(browser), ensure_ascii=False)
    assert code not in dump and typed_code not in dump and code[:3] + "\\u3000" not in dump
    typed = ["ログイン履歴を確認したい", "チャットで手続きする", "ｎ１２３４５６７８９", f"コードは{typed_code}です"]
    stored = [m["text"] for m in stored_state(browser)["messages"] if m["from"] == "user"]
    assert stored == [redact_message(t) for t in typed]  # one redaction: bot_server/redaction.py
    assert stored[-1] == "コードは[確認コード]です" and stored[2] == "ｎ１２３４５６７８９"

    browser.refresh()  # after a reload the history shows what storage holds
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.ready"), 10, "not reconnected")
    assert texts(browser, "user")[-1] == "コードは[確認コード]です"


def test_the_resume_token_rotates_and_dies_with_the_conversation(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    first = stored_state(browser)
    browser.refresh()
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.ready"), 10, "not reconnected")
    second = stored_state(browser)
    assert second["sessionId"] == first["sessionId"] and second["sessionToken"] != first["sessionToken"]
    assert not resumes(web_stack, first["sessionId"], first["sessionToken"])  # used: no longer valid

    browser.find_element(By.CSS_SELECTOR, ".ocn-chat-restart").click()  # 「最初から」
    wait_for(browser, lambda: stored_state(browser)["sessionId"] not in (None, second["sessionId"]), 10)
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.ready"), 10, "no new session")
    assert not resumes(web_stack, second["sessionId"], second["sessionToken"])  # revoked


def test_a_message_whose_acknowledgement_was_lost_is_resent_and_runs_once(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    say(browser, "ログイン履歴を確認したい", "お手続きをご希望ですか")
    say(browser, "チャットで手続きする", "お客さま番号")
    codes_before = len(outbox(web_stack))
    # The connection drops after the message went out and before its acknowledgement came back.
    browser.execute_script(
        """const socket = window.ocnChat.socket, emit = socket.emit.bind(socket);
           socket.emit = function (event, data) {
             if (event !== 'user_uttered' || window.__dropped) return emit.apply(null, arguments);
             window.__dropped = data.message_id;
             return emit(event, data, function () { socket.io.engine.close(); });
           };"""
    )
    bots = len(messages(browser, "bot"))
    type_and_send(browser, TARO["number"])
    wait_bot_reply(browser, bots, "確認コードをお送りしました")
    wait_for(browser, lambda: acknowledged(browser), 20, "the resent message was not acknowledged")
    assert browser.execute_script("return window.__dropped")
    assert len(outbox(web_stack)) == codes_before + 1  # one verification, one code
    stored = [m["text"] for m in stored_state(browser)["messages"] if m["from"] == "user"]
    assert stored[-1] == TARO["number"]
