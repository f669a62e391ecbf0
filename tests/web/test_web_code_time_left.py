"""No time limit a slow typist hits without warning (WCAG 2.2.1): with the sandbox's code life cut to
45 seconds (ACCOUNT_API_CODE_TTL_SECONDS, its one setting), the widget counts down what the bot's
marker says is left, warns and offers a new code 2 minutes before the end (here: at once), says when
the code has expired and offers a new one again; both offers send a new code through the bot's resend
flow (actions/code_step.py), and the last one verifies. Screenshots in var/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_check import describe, violations
from selenium.webdriver.common.by import By
from test_web_accessibility import announcements, in_code_step, phone, reach_code_step, say, small_targets
from test_web_chat import fresh_page, messages, open_chat, screenshot, texts, wait_bot_reply, wait_for
from test_web_code_step import sent_codes
from web_support import WebStack, running_web_stack

pytestmark = [pytest.mark.stack, pytest.mark.browser]

CODE_LIFE_SECONDS = 45


@pytest.fixture(scope="module")
def short_code_stack() -> Iterator[WebStack]:
    with running_web_stack(ACCOUNT_API_CODE_TTL_SECONDS=str(CODE_LIFE_SECONDS)) as stack:
        yield stack


def deadline(browser) -> float:
    return browser.execute_script("return window.ocnChat.state.codeStep.deadline")


def code_bar(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".ocn-chat-codebar").text


def new_code_button(browser):
    return browser.find_element(By.CSS_SELECTOR, "button.ocn-chat-newcode")


def ask_for_a_new_code(browser, stack: WebStack) -> str:
    """Press the bar's 「新しいコードを送る」: exactly one new code is sent, and the countdown starts again."""
    before, sent_before = deadline(browser), len(sent_codes(stack))
    bots = len(messages(browser, "bot"))
    new_code_button(browser).click()
    wait_bot_reply(browser, bots, "新しい確認コード")
    assert texts(browser, "user")[-1] == "新しいコードを送る"
    wait_for(browser, lambda: in_code_step(browser) and deadline(browser) > before, 15, "the countdown did not restart")
    codes = sent_codes(stack)
    assert len(codes) == sent_before + 1
    return codes[-1]


def test_the_code_step_warns_before_and_after_the_code_runs_out(short_code_stack: WebStack, browser) -> None:
    with phone(browser):
        fresh_page(browser, short_code_stack.url)
        open_chat(browser)
        reach_code_step(browser, short_code_stack, minutes=1)

        # Less than 2 minutes left from the start: warned at once, once, with the offer of a new code.
        wait_for(browser, lambda: new_code_button(browser).is_displayed(), 5, "no new-code offer before the end")
        assert code_bar(browser).startswith("確認コードの有効期限：あと") and "秒" in code_bar(browser)
        warnings = [line for line in announcements(browser) if line.startswith("確認コードの有効期限まで、あと")]
        assert len(warnings) == 1, announcements(browser)
        assert small_targets(browser) == []
        found = violations(browser)
        assert found == [], describe(found)
        screenshot(browser, "web-code-time-left-warning.png")
        ask_for_a_new_code(browser, short_code_stack)

        # The new code runs out while the customer waits: said on the bar and read out once, offered again.
        wait_for(
            browser,
            lambda: code_bar(browser).startswith("確認コードの有効期限が切れました。"),
            CODE_LIFE_SECONDS + 15,
            "the widget never said the code expired",
        )
        assert new_code_button(browser).is_displayed()
        assert sum(line.startswith("確認コードの有効期限が切れました。") for line in announcements(browser)) == 1
        found = violations(browser)
        assert found == [], describe(found)
        screenshot(browser, "web-code-expired.png")
        code = ask_for_a_new_code(browser, short_code_stack)

        full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
        say(browser, f"{full_width[:3]} {full_width[3:]}", "ご本人確認ができました")
        wait_for(browser, lambda: not in_code_step(browser), 10, "the code step stayed after verification")
