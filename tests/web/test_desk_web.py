"""The operator desk in the browser (issue 24): a customer verified in the widget asks for a person; the
operator takes the conversation, sees the side panel (verified when — never the code —, the procedure),
inserts a canned reply and edits it before sending, adds an internal note the customer never sees,
closes with an outcome chosen by keyboard in the dialog, and finds the outcome in the report.
Screenshots: var/screenshots/console-desk-conversation.png, console-desk-outcome.png, console-desk-report.png
(the report's desk section) and console-desk-report-page.png."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from test_handoff_web import new_operator_signed_in, operator_browser, transcript  # noqa: F401  (operator_browser: a fixture)
from test_web_chat import fresh_page, open_chat, screenshot, texts, wait_for
from test_web_code_step import last_code, say
from web_support import SCREENSHOTS, WebStack

from console.canned_replies import SEED

pytestmark = [pytest.mark.stack, pytest.mark.browser]

GREETING = next(text for _, title, text in SEED if title == "はじめのご挨拶")
NOTE = "社内メモ：ログイン履歴の見方を案内済み"


def panel_text(driver, item: str) -> str:
    return driver.find_element(By.ID, f"context-{item}").text


def test_operator_sees_the_context_uses_a_canned_reply_notes_and_closes_with_an_outcome(
    web_stack: WebStack,
    browser,
    operator_browser,  # noqa: F811  (the imported fixture)
) -> None:
    new_operator_signed_in(web_stack, operator_browser, "sakura")

    # The customer verifies with a code in the widget, then asks for a person.
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    say(browser, "ログイン履歴を確認したい", "お手続きをご希望ですか")
    say(browser, "チャットで手続きする", "お客さま番号")
    say(browser, "N123456789", "確認コードをお送りしました")
    code = last_code(web_stack)
    say(browser, code, "ご本人確認ができました")
    say(browser, "担当者と話したい", "担当者におつなぎします")

    wait_for(
        operator_browser,
        lambda: operator_browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr[data-id]"),
        15,
        "the conversation did not appear in the queue",
    )
    operator_browser.find_element(By.CSS_SELECTOR, "#queue tbody tr[data-id]").find_element(
        By.LINK_TEXT, "開く"
    ).click()
    wait_for(operator_browser, lambda: "担当者と話したい" in " ".join(transcript(operator_browser, "customer")), 15)
    operator_browser.find_element(By.ID, "take").click()
    wait_for(operator_browser, lambda: operator_browser.find_element(By.ID, "reply").is_displayed(), 15)

    # The side panel: channel, verified (with the time), the procedure; the code nowhere on the page.
    assert "Web" in panel_text(operator_browser, "channel")
    assert panel_text(operator_browser, "verified").startswith("確認済み（")
    # Verified, then asked for a person before confirming the history: the bot ended it there, not complete.
    assert "ログイン履歴を確認：中断（本人確認済み）" in panel_text(operator_browser, "procedure")
    assert panel_text(operator_browser, "answers") != "ありません"
    assert code not in operator_browser.page_source
    assert code not in " ".join(transcript(operator_browser, "customer"))  # typed, shown masked

    # A canned reply goes into the box, is edited there, then sent.
    Select(operator_browser.find_element(By.ID, "canned-select")).select_by_visible_text("はじめのご挨拶")
    operator_browser.find_element(By.ID, "canned-insert").click()
    box = operator_browser.find_element(By.ID, "reply-text")
    assert box.get_attribute("value") == GREETING
    box.send_keys("担当のサクラです。")  # the cursor is after the inserted text
    sent = GREETING + "担当のサクラです。"
    assert box.get_attribute("value") == sent
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda: sent in texts(browser, "operator"), 10, "the edited canned reply did not arrive")

    # An internal note: shown to operators, never to the customer.
    operator_browser.find_element(By.ID, "note-text").send_keys(NOTE)
    operator_browser.find_element(By.CSS_SELECTOR, "#note-form button[type=submit]").click()
    wait_for(operator_browser, lambda: NOTE in operator_browser.find_element(By.ID, "notes").text, 10)
    box.send_keys("少々お待ちください。" + Keys.ENTER)
    wait_for(browser, lambda: "少々お待ちください。" in texts(browser, "operator"), 10)
    # The widget shows what was sent after the note, and never the note.
    assert not any("社内メモ" in t or "案内済み" in t for t in texts(browser))
    operator_browser.set_window_size(1400, 1250)
    operator_browser.execute_script("window.scrollTo(0, 0)")
    screenshot(operator_browser, "console-desk-conversation.png")

    # Closing asks for an outcome: without one nothing ends; chosen by keyboard, it closes.
    operator_browser.find_element(By.ID, "close").click()
    dialog = operator_browser.find_element(By.ID, "outcome-dialog")
    wait_for(operator_browser, lambda: dialog.is_displayed(), 10, "the outcome dialog did not open")
    focused = operator_browser.switch_to.active_element
    assert focused.get_attribute("name") == "outcome"  # the dialog took the focus
    operator_browser.find_element(By.ID, "outcome-submit").click()
    assert dialog.is_displayed()  # the browser asks for a choice first
    assert operator_browser.find_element(By.ID, "status").text == "対応中"
    focused.send_keys(Keys.SPACE)  # 解決, the first choice
    operator_browser.find_element(By.ID, "outcome-note").send_keys("履歴の見方を案内")
    screenshot(operator_browser, "console-desk-outcome.png")
    operator_browser.find_element(By.ID, "outcome-submit").send_keys(Keys.ENTER)
    wait_for(operator_browser, lambda: operator_browser.find_element(By.ID, "status").text == "終了", 15)
    wait_for(browser, lambda: any("担当者とのチャットを終了しました" in t for t in texts(browser, "bot")), 10)
    assert not any("社内メモ" in t for t in texts(browser))

    # The report counts it for Sakura.
    operator_browser.get(web_stack.console_url + "/insight/report")
    row = wait_for(
        operator_browser,
        lambda: next(
            (
                r
                for r in operator_browser.find_elements(By.CSS_SELECTOR, "#desk-per-operator tr")
                if r.text.startswith("Sakura")
            ),
            None,
        ),
        120,
        "the outcome did not reach the report",
    )
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
    assert cells[:5] == ["Sakura", "1", "1", "0", "0"]  # handled, 解決, 未解決, 折り返し要
    operator_browser.set_window_size(1400, 2400)
    screenshot(operator_browser, "console-desk-report-page.png")
    desk = operator_browser.find_element(By.ID, "desk")
    operator_browser.execute_script("arguments[0].scrollIntoView()", desk)
    assert desk.screenshot(str(SCREENSHOTS / "console-desk-report.png"))
    errors = [
        e for e in operator_browser.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]
    ]
    assert not errors, errors
