"""A person takes over in the browser: the customer in the widget asks for a person, an operator
signed in to the console (a second Chromium) takes the conversation, they write both ways live,
the operator hands back and the bot answers the next question. Screenshots in var/screenshots/."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_web_chat import fresh_page, open_chat, screenshot, texts, type_and_send, wait_bot_reply, wait_for
from web_support import WebStack, chromium

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import PASSWORD, add_operator  # noqa: E402

pytestmark = [pytest.mark.stack, pytest.mark.browser]


@pytest.fixture(scope="module")
def operator_browser() -> Iterator[object]:
    """The operator's own browser (own cookies), next to the customer's."""
    with chromium("console") as driver:
        yield driver


def sign_in(driver, console_url: str, username: str) -> None:
    driver.get(console_url + "/queue")
    assert "/signin" in driver.current_url  # never reachable without signing in
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD + Keys.ENTER)
    wait_for(driver, lambda: driver.current_url.endswith("/queue"), 30, "sign-in did not reach the queue")
    # Signing in starts 離席: the operator takes customers once 受付中 (console/presence.py).
    status = driver.find_element(By.XPATH, "//div[@id='presence']/button[normalize-space()='受付中']")
    status.click()
    wait_for(driver, lambda: status.get_attribute("aria-pressed") == "true", 10, "受付中 was not chosen")


def new_operator_signed_in(stack: WebStack, driver, username: str) -> None:
    """A new operator account, signed in and 受付中 in `driver`."""
    add_operator(stack.env, username)
    sign_in(driver, stack.console_url, username)


def transcript(driver, kind: str) -> list[str]:
    return [li.text for li in driver.find_elements(By.CSS_SELECTOR, f"#transcript li.{kind}")]


def choose_outcome(driver, outcome: str) -> None:
    """The outcome dialog that closing or handing back opens: choose and record."""
    dialog = driver.find_element(By.ID, "outcome-dialog")
    wait_for(driver, lambda: dialog.is_displayed(), 10, "the outcome dialog did not open")
    dialog.find_element(By.CSS_SELECTOR, f'input[name="outcome"][value="{outcome}"]').click()
    driver.find_element(By.ID, "outcome-submit").click()
    wait_for(driver, lambda: not dialog.is_displayed(), 10, "the outcome dialog did not close")


def operator_texts(driver) -> list[str]:
    return [t for t in texts(driver, "operator")]


def test_customer_asks_for_a_person_operator_takes_over_and_hands_back(
    web_stack: WebStack, browser, operator_browser
) -> None:
    new_operator_signed_in(web_stack, operator_browser, "hanako")

    fresh_page(browser, web_stack.url)
    open_chat(browser)
    bot_before = len(texts(browser, "bot"))
    type_and_send(browser, "担当者と話したい")
    wait_bot_reply(browser, bot_before, "担当者におつなぎします")

    # The queue page is pushed (server-sent events): the conversation appears, with its channel.
    wait_for(
        operator_browser,
        lambda: operator_browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr[data-id]"),
        15,
        "the conversation did not appear in the queue",
    )
    row = operator_browser.find_element(By.CSS_SELECTOR, "#queue tbody tr[data-id]")
    assert "web" in row.text and "待機中" in row.text
    screenshot(operator_browser, "console-queue.png")
    row.find_element(By.LINK_TEXT, "開く").click()
    wait_for(operator_browser, lambda: "担当者と話したい" in " ".join(transcript(operator_browser, "customer")), 15)
    operator_browser.find_element(By.ID, "take").click()
    wait_for(operator_browser, lambda: operator_browser.find_element(By.ID, "reply").is_displayed(), 15)
    wait_bot_reply(browser, 0, "担当者がチャットに参加しました")
    bot_before = len(texts(browser, "bot"))

    # Customer -> operator, live.
    type_and_send(browser, "IDがわからなくなりました")
    wait_for(
        operator_browser,
        lambda: "IDがわからなくなりました" in " ".join(transcript(operator_browser, "customer")),
        10,
        "the customer's message did not reach the console",
    )
    # Operator -> customer, live, shown as the operator's message.
    box = operator_browser.find_element(By.ID, "reply-text")
    box.send_keys("担当の花子です。お客さま番号はお手元にありますか？")
    box.send_keys(Keys.ENTER)
    wait_for(
        browser,
        lambda: any("担当の花子です" in t for t in texts(browser, "operator")),
        10,
        "the operator's message did not reach the widget",
    )
    assert browser.find_elements(By.CSS_SELECTOR, ".ocn-chat-typing[hidden]"), "typing indicator while a person answers"
    # The bot stayed silent: the customer's message reached the console (so it was processed) and the
    # operator's reply came after it on the same socket, so any bot reply would be shown by now.
    # (The operator's bubble is drawn on the bot's side, so it is the one new bubble there.)
    assert texts(browser, "bot")[bot_before:] == ["担当の花子です。お客さま番号はお手元にありますか？"]
    screenshot(browser, "handoff-widget.png")
    wait_for(operator_browser, lambda: any("担当の花子です" in t for t in transcript(operator_browser, "operator")), 10)
    screenshot(operator_browser, "console-conversation.png")

    # Hand back (with the outcome the dialog asks for): the bot answers the next question again.
    operator_browser.find_element(By.ID, "handback").click()
    choose_outcome(operator_browser, "resolved")
    wait_bot_reply(browser, 0, "ここからはチャットボットがお答えします")
    bot_before = len(texts(browser, "bot"))
    type_and_send(browser, "お客さま番号を変更したい")
    wait_bot_reply(browser, bot_before, "変更できません")
    screenshot(browser, "handoff-widget-back-to-bot.png")
    errors = [e for e in operator_browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
