"""The widget resumes its conversation only with the token the server gave it (channels/socketio.py):
a session id copied into the browser's storage, with a made-up or another session's token, starts a
new conversation instead of joining someone else's."""

from __future__ import annotations

import json

import pytest
from test_web_chat import fresh_page, open_chat, session_id, type_and_send, wait_bot_reply, wait_for
from web_support import WebStack

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_a_known_session_id_without_its_token_gets_a_new_conversation(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.ready"), 10, "not connected")
    victim = session_id(browser)
    token = browser.execute_script("return JSON.parse(sessionStorage.getItem('ocn-chat')).sessionToken")
    assert victim and token and "." in token  # the widget keeps the proof the server issued

    # Another visitor learns the session id and plants it with a made-up token.
    fresh_page(browser, web_stack.url)
    forged = {
        "v": 2,
        "sessionId": victim,
        "sessionToken": "9999999999.forged",
        "messages": [],
        "open": True,
        "greeted": True,
        "updated": 0,
    }
    forged["updated"] = browser.execute_script("return Date.now()")
    browser.execute_script("sessionStorage.setItem('ocn-chat', arguments[0])", json.dumps(forged))
    browser.refresh()
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.ready"), 10, "not connected")
    assert session_id(browser) != victim

    # The new conversation works normally.
    type_and_send(browser, "パスワードを忘れました")
    wait_bot_reply(browser, 0, "パスワード")


def test_a_window_whose_conversation_is_resumed_elsewhere_says_so_and_stops(web_stack: WebStack, browser) -> None:
    """Review N3: the widget that held a conversation is told when another window resumes it (its token
    copied there), says so politely, and no longer takes part (channels/socketio.py `session_ended`)."""
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.ready"), 10, "not connected")
    first_window = browser.current_window_handle
    stored = browser.execute_script("return sessionStorage.getItem('ocn-chat')")

    browser.switch_to.new_window("tab")
    browser.get(web_stack.url + "config.js")
    browser.execute_script("sessionStorage.setItem('ocn-chat', arguments[0])", stored)
    browser.get(web_stack.url)
    wait_for(browser, lambda: browser.execute_script("return !!(window.ocnChat && window.ocnChat.ready)"), 10)
    assert session_id(browser) == json.loads(stored)["sessionId"]  # resumed here
    browser.close()

    browser.switch_to.window(first_window)
    status = "return window.ocnChat.statusText"
    wait_for(browser, lambda: "別の画面で続いています" in (browser.execute_script(status) or ""), 10, "not told")
    assert browser.execute_script("return window.ocnChat.ready") is False
