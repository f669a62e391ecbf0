"""The connection ID's first question in the widget (headless Debian Chromium against the real stack): it
asks how to receive the ID and password and the customer's ID in one bubble, with the methods as buttons.
The customer presses a method first, then types the ID and the code, and is not asked the method again.
Screenshot: var/screenshots/web-connection-id-first-question.png."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from test_web_accessibility import click_choice, start_a_new_day
from test_web_chat import fresh_page, messages, open_chat, screenshot, texts, wait_bot_reply
from test_web_code_step import last_code, say
from web_support import WebStack

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_the_method_pressed_first_then_the_id_and_the_code(web_stack: WebStack, browser) -> None:
    start_a_new_day(web_stack)
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    say(browser, "接続用IDとパスワードを確認したい", "お手続きをご希望ですか")
    asked = say(browser, "チャットで手続きする", "受け取り方法をお選びください")
    assert "お客さま番号" in asked
    bubble = [m for m in messages(browser, "bot") if "受け取り方法をお選びください" in m.text][-1]
    titles = [b.text for b in bubble.find_elements(By.CSS_SELECTOR, "button.ocn-chat-choice")]
    assert titles == ["SMSで受け取る", "郵送で受け取る", "マイページで表示する", "やめる"]
    screenshot(browser, "web-connection-id-first-question.png")

    bots = len(messages(browser, "bot"))
    click_choice(browser, "SMSで受け取る")
    wait_bot_reply(browser, bots, "SMSでのお受け取りで承ります")
    wait_bot_reply(browser, bots, "ご本人確認をいたします")  # then only the ID is asked
    say(browser, "N123456789", "確認コードをお送りしました")
    bots = len(messages(browser, "bot"))
    confirm = say(browser, last_code(web_stack), "よろしいですか")
    assert "SMSで現在の" in confirm
    after_code = texts(browser, "bot")[bots:]
    assert "ご本人確認ができました。" in after_code
    assert not any("受け取り方法" in text for text in after_code)  # chosen before the verification
    done = say(browser, "はい", "お送りしました")
    assert "パスワードは変更していません" in done
