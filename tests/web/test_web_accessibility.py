"""Older customers, phones, screen readers and keyboards (issue 26), in a real browser against the real
stack: the text size control, 44 px touch targets, the one-time-code input, axe-core (WCAG 2.0-2.2 A/AA)
over every state of the widget, and a whole procedure done with the keyboard alone. The handoff and the
console pages: test_web_accessibility_handoff.py. Screenshots go to var/screenshots/; README shows copies
of web-large-text-phone.png and web-code-step-phone.png from docs/screenshots/."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import requests
from axe_check import count, describe, violations
from keyboard import focused, press, tab_to, type_keys
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_web_chat import fresh_page, messages, open_chat, screenshot, texts, type_and_send, wait_bot_reply, wait_for
from test_web_code_step import last_code, sent_codes
from web_support import WebStack

from devstack.ports import free_port

pytestmark = [pytest.mark.stack, pytest.mark.browser]

PHONE = (390, 844)
TOUCH_TARGET = 44


# ---- helpers ------------------------------------------------------------------------------


@contextmanager
def phone(browser, width: int = PHONE[0], height: int = PHONE[1]) -> Iterator[None]:
    """A phone: its viewport, and a touch screen (so `pointer: coarse` matches)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True}
    )
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    try:
        yield
    finally:
        browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def click_choice(browser, title: str) -> None:
    button = next(
        b
        for b in browser.find_elements(By.CSS_SELECTOR, "button.ocn-chat-choice")
        if b.text == title and b.is_enabled()
    )
    button.click()


def say(browser, text: str, expect: str) -> str:
    bots = len(messages(browser, "bot"))
    type_and_send(browser, text)
    return wait_bot_reply(browser, bots, expect)


def start_a_new_day(stack: WebStack) -> None:
    """The sandbox's clock a day on, so its code limits start afresh: every test here asks codes for the
    same customer from one client, 127.0.0.1 (account_api/README.md "Lockout")."""
    requests.post(
        f"http://127.0.0.1:{stack.ports.account_api}/dev/clock",
        json={"advance_seconds": 24 * 3600 + 1},
        headers={"X-Service-Token": stack.env["ACCOUNT_API_TOKEN"]},
        timeout=5,
    ).raise_for_status()


def in_code_step(browser) -> bool:
    return browser.execute_script("return !document.querySelector('.ocn-chat-codebar').hidden")


def small_targets(browser) -> list[str]:
    """Every control of the widget a finger can reach that is under 44 x 44 CSS px. Links inside a
    message are inline text, which WCAG 2.5.5/2.5.8 exempt; everything else counts."""
    return browser.execute_script(
        """const min = arguments[0];
           return Array.from(document.querySelectorAll(
               '.ocn-chat button, .ocn-chat a[href], .ocn-chat input, .ocn-chat textarea, .ocn-chat select,' +
               ' .ocn-chat [tabindex]:not([tabindex="-1"])'))
             .filter(e => e.getClientRects().length && !e.closest('.ocn-chat-bubble'))
             .map(e => [e, e.getBoundingClientRect()])
             .filter(([e, r]) => r.width < min || r.height < min)
             .map(([e, r]) => `${e.className || e.tagName} "${(e.textContent || e.getAttribute('aria-label') || '').trim()}"` +
                              ` ${r.width.toFixed(1)}x${r.height.toFixed(1)}`);""",
        TOUCH_TARGET,
    )


def controls_measured(browser) -> int:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('.ocn-chat button, .ocn-chat textarea'))"
        ".filter(e => e.getClientRects().length).length"
    )


def announcements(browser) -> list[str]:
    """What the screen reader is given to read: the announcer's lines (the log itself is not live)."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('.ocn-chat-announcer > p')).map(p => p.textContent)"
    )


def assert_fits(browser, width: int) -> None:
    """No horizontal scrolling, and every control and the message box inside the screen."""
    page, body_scroll, body_client = browser.execute_script(
        "const b = document.querySelector('.ocn-chat-body');"
        "return [document.documentElement.scrollWidth, b.scrollWidth, b.clientWidth]"
    )
    assert page <= width and body_scroll <= body_client, f"horizontal scroll: page {page}, chat {body_scroll}"
    outside = browser.execute_script(
        """return Array.from(document.querySelectorAll('.ocn-chat-panel button, .ocn-chat-panel textarea'))
             .filter(e => e.getClientRects().length && !e.closest('.ocn-chat-body'))
             .map(e => [e.className, e.getBoundingClientRect()])
             .filter(([c, r]) => r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight)
             .map(([c, r]) => c + ' ' + JSON.stringify(r));"""
    )
    assert outside == [], f"controls outside the screen: {outside}"


def reach_code_step(browser, stack: WebStack, minutes: int = 10) -> None:
    """OCN IDのパスワード再設定 up to the one-time code, by clicks and typing. The bot says how long the
    code is valid: the sandbox's setting, through its expires_in."""
    start_a_new_day(stack)
    say(browser, "パスワードを忘れました", "どちらのパスワード")
    sent = click_on_to_the_code_step(browser)
    assert f"有効期限は{minutes}分です" in sent


def click_on_to_the_code_step(browser) -> str:
    """From 「どちらのパスワード」: OCN IDのパスワード, チャットで手続きする and the customer number, until
    the widget shows the code step; the bot's reply that the code was sent."""
    bots = len(messages(browser, "bot"))
    click_choice(browser, "OCN IDのパスワード")
    wait_bot_reply(browser, bots, "チャットでのお手続きをご希望ですか")
    bots = len(messages(browser, "bot"))
    click_choice(browser, "チャットで手続きする")
    wait_bot_reply(browser, bots, "お客さま番号")
    sent = say(browser, "N123456789", "確認コードをお送りしました")
    wait_for(browser, lambda: in_code_step(browser), 20, "the widget did not show the code step")
    return sent


# ---- text size ----------------------------------------------------------------------------


def test_text_size_is_remembered_and_the_largest_fits_a_phone(web_stack: WebStack, browser) -> None:
    with phone(browser):
        fresh_page(browser, web_stack.url)
        open_chat(browser)
        normal = browser.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('.ocn-chat-bubble')).fontSize)"
        )
        pressed = "return Array.from(document.querySelectorAll('.ocn-chat-size')).map(b => [b.textContent, b.getAttribute('aria-pressed')])"
        assert browser.execute_script(pressed) == [["標準", "true"], ["大", "false"], ["特大", "false"]]
        browser.find_element(By.CSS_SELECTOR, ".ocn-chat-size[data-size=xlarge]").click()
        say(browser, "パスワードを忘れました", "どちらのパスワード")

        browser.refresh()  # remembered across reloads (and tabs: localStorage)
        wait_for(browser, lambda: browser.execute_script("return !!window.ocnChat"), 10)
        wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, ".ocn-chat-panel").is_displayed(), 10)
        assert browser.execute_script(pressed) == [["標準", "false"], ["大", "false"], ["特大", "true"]]
        assert json.loads(browser.execute_script("return localStorage.getItem('ocn-chat:prefs')")) == {
            "textSize": "xlarge"
        }
        large = browser.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('.ocn-chat-bubble')).fontSize)"
        )
        box = browser.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('.ocn-chat-input')).fontSize)"
        )
        assert large == pytest.approx(normal * 1.5) and box >= 24, (normal, large, box)

        assert_fits(browser, PHONE[0])
        assert small_targets(browser) == []
        found = violations(browser)
        assert found == [], describe(found)
        screenshot(browser, "web-large-text-phone.png")

        browser.find_element(By.CSS_SELECTOR, ".ocn-chat-size[data-size=normal]").click()
        assert json.loads(browser.execute_script("return localStorage.getItem('ocn-chat:prefs')")) == {
            "textSize": "normal"
        }


# ---- touch targets ------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["normal", "xlarge"])
def test_every_control_is_a_44px_target_on_a_phone(web_stack: WebStack, browser, size: str) -> None:
    with phone(browser):
        fresh_page(browser, web_stack.url)
        assert small_targets(browser) == []  # the launcher, closed
        open_chat(browser)
        browser.find_element(By.CSS_SELECTOR, f".ocn-chat-size[data-size={size}]").click()
        assert small_targets(browser) == []  # header, size buttons, the greeting's buttons, send
        reach_code_step(browser, web_stack)  # retired buttons, the code bar
        assert small_targets(browser) == []
        assert controls_measured(browser) >= 12


def test_a_touch_screen_wider_than_a_phone_gets_44px_targets_too(web_stack: WebStack, browser) -> None:
    with phone(browser, 820, 1180):  # a tablet: the panel is not full-screen, the pointer is a finger
        fresh_page(browser, web_stack.url)
        open_chat(browser)
        assert browser.execute_script("return matchMedia('(pointer: coarse)').matches")
        assert small_targets(browser) == []


# ---- the one-time code on a phone ---------------------------------------------------------


def test_the_code_step_on_a_phone(web_stack: WebStack, browser) -> None:
    with phone(browser):
        fresh_page(browser, web_stack.url)
        open_chat(browser)
        reach_code_step(browser, web_stack)
        box = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-input")
        assert box.get_attribute("inputmode") == "numeric"
        assert box.get_attribute("autocomplete") == "one-time-code"
        label = browser.find_element(By.CSS_SELECTOR, "label.ocn-chat-code-label")
        assert label.is_displayed() and label.text == "確認コード（6桁の数字）"
        assert label.get_attribute("for") == box.get_attribute("id")
        assert box.get_attribute("aria-label") is None  # named by the visible label
        bar = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-codebar")
        assert bar.is_displayed() and bar.text.startswith("確認コードの有効期限：あと9分")
        assert not browser.find_element(By.CSS_SELECTOR, ".ocn-chat-newcode").is_displayed()  # 10 minutes left
        # Pasting is allowed (WCAG 2.2 3.3.8): nothing cancels a paste into the box.
        pasted = browser.execute_script(
            """const box = arguments[0];
               const data = new DataTransfer(); data.setData('text/plain', '123456');
               return box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));""",
            box,
        )
        assert pasted is True
        found = violations(browser)
        assert found == [], describe(found)
        assert_fits(browser, PHONE[0])
        screenshot(browser, "web-code-step-phone.png")

        # Typed in full width with a space: the bot reads it (ocn_ids/parse.py), the code step ends.
        code = last_code(web_stack)
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
        say(browser, f"{full_width[:3]}　{full_width[3:]}", "ご本人確認ができました")
        wait_for(browser, lambda: not in_code_step(browser), 10, "the code step stayed after verification")
        assert box.get_attribute("inputmode") is None and box.get_attribute("aria-label") == "メッセージ"
        assert not label.is_displayed()


# ---- axe-core over every state of the widget ---------------------------------------------


def _open_with_greeting(browser, stack: WebStack) -> None:
    open_chat(browser)


def _buttons(browser, stack: WebStack) -> None:
    bots = len(messages(browser, "bot"))
    click_choice(browser, "パスワードを忘れた")
    wait_bot_reply(browser, bots, "どちらのパスワード")


def _code_step(browser, stack: WebStack) -> None:
    start_a_new_day(stack)
    click_on_to_the_code_step(browser)


def _large_text(browser, stack: WebStack) -> None:
    browser.find_element(By.CSS_SELECTOR, ".ocn-chat-size[data-size=xlarge]").click()


def _easy_mode(browser, stack: WebStack) -> None:
    # The toggle switches the conversation to やさしい日本語; the bot's reply comes with furigana (<ruby>).
    toggle = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-easy")
    toggle.click()
    wait_for(browser, lambda: toggle.get_attribute("aria-pressed") == "true", 20, "easy mode not on")
    wait_for(browser, lambda: browser.find_elements(By.CSS_SELECTOR, ".ocn-chat-log ruby"), 20, "no furigana")


# In order, each from the one before. The handoff states (waiting, with an operator) and the console's
# pages are in test_web_accessibility_handoff.py (they need an operator); the code step's warning and
# expiry in test_web_code_time_left.py; the error state below.
WIDGET_STATES: list[tuple[str, Callable[[object, WebStack], None]]] = [
    ("closed", lambda browser, stack: fresh_page(browser, stack.url)),
    ("open", _open_with_greeting),
    ("buttons", _buttons),
    ("code step", _code_step),
    ("large text", _large_text),
    ("easy mode", _easy_mode),
]


def test_axe_finds_nothing_in_any_state_of_the_widget(web_stack: WebStack, browser) -> None:
    found_per_state = {}
    for name, reach in WIDGET_STATES:
        reach(browser, web_stack)
        found_per_state[name] = violations(browser)
    with phone(browser):
        browser.refresh()
        wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, ".ocn-chat-panel").is_displayed(), 10)
        found_per_state["code step, phone"] = violations(browser)
    print("axe violations per state:", {name: count(found) for name, found in found_per_state.items()})
    assert {name: describe(found) for name, found in found_per_state.items() if found} == {}


def test_axe_finds_nothing_when_the_bot_cannot_be_reached(web_stack: WebStack, browser) -> None:
    """The error state: nothing listens on the chat port; the widget says it is (re)connecting, and a
    message typed meanwhile waits in the log."""
    script = browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": f"window.OCN_CHAT = {{rasaPort: {free_port()}}};"},
    )
    try:
        fresh_page(browser, web_stack.url)
        browser.find_element(By.CSS_SELECTOR, ".ocn-chat-launcher").click()
        status = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-status")
        wait_for(browser, lambda: status.is_displayed() and "接続" in status.text, 10, "no connection notice")
        type_and_send(browser, "パスワードを忘れました")
        assert texts(browser, "user") == ["パスワードを忘れました"] and "接続" in status.text
        found = violations(browser)
        print("axe violations, bot unreachable:", count(found))
        assert found == [], describe(found)
        screenshot(browser, "web-a11y-unreachable.png")
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


# ---- keyboard only -----------------------------------------------------------------------


def choose_by_keyboard(browser, title: str, key: str = Keys.ENTER) -> None:
    """From the message box back (Shift+Tab) to the button labelled `title`, then press it."""
    tab_to(browser, lambda e: e.tag_name == "button" and e.text == title and e.is_enabled(), backwards=True)
    press(browser, key)


def send_by_keyboard(browser, text: str, expect: str) -> str:
    bots = len(messages(browser, "bot"))
    assert "ocn-chat-input" in focused(browser).get_attribute("class"), "the message box lost the focus"
    type_keys(browser, text)
    press(browser, Keys.ENTER)
    return wait_bot_reply(browser, bots, expect)


def expect_announced_once(browser, text: str) -> None:
    """The new message is in the announcer exactly once, as its last line, after who says it."""
    lines = announcements(browser)
    assert sum(text in line for line in lines) == 1, lines
    assert len(lines) <= 3, lines


def test_keyboard_only_password_reset_with_a_code(web_stack: WebStack, browser) -> None:
    """OCN IDのパスワード再設定 from the page to the end with Tab, Shift+Tab, Enter, Space and typing
    only; every focused element shows a focus indicator (tab_to checks each); new messages are read
    out once and the history never again."""
    start_a_new_day(web_stack)
    fresh_page(browser, web_stack.url)
    tab_to(browser, lambda e: "ocn-chat-launcher" in (e.get_attribute("class") or ""))
    press(browser, Keys.ENTER)
    wait_for(browser, lambda: len(messages(browser, "bot")) >= 1, message="no greeting")
    assert "ocn-chat-input" in focused(browser).get_attribute("class")
    wait_for(browser, lambda: announcements(browser), 10, "the greeting was not announced")
    expect_announced_once(browser, "こんにちは")

    send_by_keyboard(browser, "パスワードを忘れました", "どちらのパスワード")
    expect_announced_once(browser, "どちらのパスワードでしょうか")
    assert "選択肢：OCN IDのパスワード、接続用IDのパスワード" in announcements(browser)[-1]
    bots = len(messages(browser, "bot"))
    choose_by_keyboard(browser, "OCN IDのパスワード", Keys.SPACE)
    wait_bot_reply(browser, bots, "チャットでのお手続きをご希望ですか")
    assert "ocn-chat-input" in focused(browser).get_attribute("class"), "focus fell off the chosen button"
    bots = len(messages(browser, "bot"))
    choose_by_keyboard(browser, "チャットで手続きする")
    wait_bot_reply(browser, bots, "お客さま番号")
    send_by_keyboard(browser, "N123456789", "確認コードをお送りしました")
    wait_for(browser, lambda: in_code_step(browser), 20, "no code step")
    assert focused(browser).get_attribute("autocomplete") == "one-time-code"

    codes_before = len(sent_codes(web_stack))
    bots = len(messages(browser, "bot"))
    type_keys(browser, last_code(web_stack))
    press(browser, Keys.ENTER)
    wait_bot_reply(browser, bots, "ご本人確認ができました")
    wait_bot_reply(browser, bots, "パスワード再設定用のリンクをお送りします。よろしいですか")
    wait_for(browser, lambda: not in_code_step(browser), 10, "the code step stayed after verification")
    bots = len(messages(browser, "bot"))
    choose_by_keyboard(browser, "はい")
    done = wait_bot_reply(browser, bots, "パスワード再設定用のリンクをお送りしました")
    assert len(sent_codes(web_stack)) == codes_before  # one code was enough
    expect_announced_once(browser, done.splitlines()[0])

    # A reload shows the history but reads none of it out again.
    shown = len(messages(browser))
    browser.refresh()
    wait_for(browser, lambda: len(messages(browser)) == shown, 10, "history not restored")
    assert announcements(browser) == []
    live = browser.execute_script(
        """const live = Array.from(document.querySelectorAll('.ocn-chat [aria-live]'))
             .filter(e => e.getAttribute('aria-live') !== 'off');
           return [live.map(e => e.className + ':' + e.getAttribute('aria-live')),
                   document.querySelector('.ocn-chat-log').getAttribute('aria-live')];"""
    )
    # One polite region for messages (the announcer) and one for the connection notice; the log is quiet.
    assert live == [["ocn-chat-status:polite", "ocn-chat-sr ocn-chat-announcer:polite"], "off"], live
    screenshot(browser, "web-keyboard-procedure.png")
