"""やさしい日本語 in the widget, in a real browser on a phone-size screen: the header toggle (aria-pressed)
switches the conversation's mode, replies show furigana as <ruby> built from DOM nodes (never HTML),
and a mode switched by typing shows on the toggle too. Screenshot: var/screenshots/web-phone-easy.png."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from test_web_chat import fresh_page, messages, open_chat, screenshot, type_and_send, wait_for
from web_support import WebStack

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def toggle_state(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, ".ocn-chat-easy").get_attribute("aria-pressed")


def last_bot_ruby(driver) -> list[list[str]]:
    """[base, reading] of every <ruby> in the bot's bubbles since the toggle was pressed."""
    return driver.execute_script(
        """return Array.from(document.querySelectorAll('.ocn-chat-msg--bot .ocn-chat-bubble ruby'))
             .map(r => [r.firstChild.textContent, r.querySelector('rt').textContent]);"""
    )


def test_easy_mode_on_a_phone_with_furigana(web_stack: WebStack, browser) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
    )
    try:
        fresh_page(browser, web_stack.url)
        open_chat(browser)
        assert toggle_state(browser) == "false" and last_bot_ruby(browser) == []
        bots = len(messages(browser, "bot"))
        browser.find_element(By.CSS_SELECTOR, ".ocn-chat-easy").click()
        assert toggle_state(browser) == "true"
        wait_for(browser, lambda: len(messages(browser, "bot")) > bots, message="no answer to the toggle")
        bots = len(messages(browser, "bot"))
        type_and_send(browser, "パスワードを忘れました")
        wait_for(browser, lambda: len(messages(browser, "bot")) > bots and last_bot_ruby(browser), message="no ruby")
        ruby = last_bot_ruby(browser)
        assert all(base and reading for base, reading in ruby), ruby
        placeholder = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-input").get_attribute("placeholder")
        assert placeholder == "質問を書いてください"
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        screenshot(browser, "web-phone-easy.png")

        bots = len(messages(browser, "bot"))
        type_and_send(browser, "ふつうの日本語")  # typed: the toggle follows the conversation's mode
        wait_for(browser, lambda: toggle_state(browser) == "false", message="the toggle did not follow")
        type_and_send(browser, "やさしい日本語")
        wait_for(browser, lambda: toggle_state(browser) == "true", message="the toggle did not follow")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_furigana_are_text_never_html(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    browser.execute_script(
        """window.ocnChat.receive({text: '<img src=x onerror="window.__xss=1">漢字',
             furigana: [['<img src=x onerror="window.__xss=1">', null], ['漢字', '<b onclick=1>かんじ</b>']]});"""
    )
    bubble = browser.find_elements(By.CSS_SELECTOR, ".ocn-chat-msg--bot .ocn-chat-bubble")[-1]
    assert bubble.find_elements(By.CSS_SELECTOR, "img, b") == []
    assert bubble.find_element(By.CSS_SELECTOR, "rt").text == "<b onclick=1>かんじ</b>"
    # Segments that do not spell the text are not trusted: the plain text is shown.
    browser.execute_script("window.ocnChat.receive({text: '本文', furigana: [['別', 'べつ']]});")
    last = browser.find_elements(By.CSS_SELECTOR, ".ocn-chat-msg--bot .ocn-chat-bubble")[-1]
    assert last.find_elements(By.CSS_SELECTOR, "ruby") == [] and "本文" in last.text
