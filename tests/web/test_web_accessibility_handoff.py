"""A handoff by keyboard alone, and axe-core over the widget while a person answers and over every page
of the operator console. The console's pages are read from its route table (console/pages.py
PAGE_MODULES and console/app.py), so a page added later is checked without touching this test."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

import pytest
import requests
from axe_check import count, describe, violations
from keyboard import focused, press, tab_to, type_keys
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_handoff_web import choose_outcome, operator_browser, sign_in, transcript  # noqa: F401  (operator_browser: a fixture)
from test_web_accessibility import announcements
from test_web_chat import fresh_page, messages, screenshot, texts, wait_bot_reply, wait_for
from web_support import WebStack

from tests.console.console_support import add_operator

pytestmark = [pytest.mark.stack, pytest.mark.browser]

_PARAM = re.compile(r"<([A-Za-z_]\w*)(?::[^>]*)?>")


def console_get_routes() -> list[str]:
    """Every GET route of the console app, from the app's own route table (static files left out)."""
    from console.app import create_app
    from console.settings import load_settings

    scratch = Path(tempfile.mkdtemp(prefix="ocn-console-routes-"))
    settings = dataclasses.replace(
        load_settings(),
        store_url=f"sqlite:///{scratch / 'console.sqlite3'}",
        tracker_store_url=f"sqlite:///{scratch / 'tracker.sqlite3'}",
    )
    app = create_app(settings, name="ocn_console_route_table")
    return sorted(
        {"/" + route.path for route in app.router.routes if "GET" in route.methods and "__file_uri__" not in route.path}
    )


def fill(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"no test value for <{name}> in {path}: add one to the console page check"
        return values[name]

    return _PARAM.sub(value, path)


def html_pages(console_url: str, cookies: dict[str, str], paths: list[str]) -> list[str]:
    """The paths that answer the signed-in operator with an HTML page (not JSON, CSS, a stream, a redirect)."""
    pages = []
    for path in paths:
        with requests.get(console_url + path, cookies=cookies, stream=True, timeout=30, allow_redirects=False) as r:
            if r.status_code == 200 and r.headers.get("Content-Type", "").startswith("text/html"):
                pages.append(path)
    return pages


def widget_violations(browser, state: str, figures: dict[str, int]) -> None:
    found = violations(browser)
    figures[state] = count(found)
    assert found == [], f"{state}:\n{describe(found)}"


def test_keyboard_handoff_and_axe_over_the_console(web_stack: WebStack, browser, operator_browser) -> None:  # noqa: F811
    figures: dict[str, int] = {}
    console_url = web_stack.console_url
    add_operator(web_stack.env, "kenji")

    # The console's sign-in page, before signing in.
    operator_browser.get(console_url + "/queue")
    wait_for(operator_browser, lambda: "/signin" in operator_browser.current_url, 15)
    widget_violations(operator_browser, "console /signin", figures)
    sign_in(operator_browser, console_url, "kenji")

    # The customer asks for a person, keyboard only.
    fresh_page(browser, web_stack.url)
    tab_to(browser, lambda e: "ocn-chat-launcher" in (e.get_attribute("class") or ""))
    press(browser, Keys.ENTER)
    wait_for(browser, lambda: len(messages(browser, "bot")) >= 1, message="no greeting")
    bots = len(messages(browser, "bot"))
    type_keys(browser, "担当者と話したい")
    press(browser, Keys.ENTER)
    wait_bot_reply(browser, bots, "担当者におつなぎします")
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.state.handoff") == "waiting", 15)
    widget_violations(browser, "widget: handoff waiting", figures)

    # An operator takes it (the operator's clicks are not what this test is about).
    row = wait_for(
        operator_browser, lambda: operator_browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr[data-id]"), 15
    )[0]
    handoff_id = row.get_attribute("data-id")
    row.find_element(By.LINK_TEXT, "開く").click()
    wait_for(operator_browser, lambda: "担当者と話したい" in " ".join(transcript(operator_browser, "customer")), 15)
    operator_browser.find_element(By.ID, "take").click()
    wait_for(operator_browser, lambda: operator_browser.find_element(By.ID, "reply").is_displayed(), 15)
    wait_bot_reply(browser, 0, "担当者がチャットに参加しました")

    # The customer writes by keyboard; the operator's answer is read out once, as the operator's.
    assert "ocn-chat-input" in focused(browser).get_attribute("class")
    type_keys(browser, "IDがわからなくなりました")
    press(browser, Keys.ENTER)
    wait_for(
        operator_browser, lambda: "IDがわからなくなりました" in " ".join(transcript(operator_browser, "customer")), 15
    )
    box = operator_browser.find_element(By.ID, "reply-text")
    box.send_keys("担当の健二です。お客さま番号はお手元にありますか？")
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda: any("担当の健二です" in t for t in texts(browser, "operator")), 15)
    lines = announcements(browser)
    assert sum("担当の健二です" in line for line in lines) == 1 and lines[-1].startswith("担当者："), lines
    widget_violations(browser, "widget: with an operator", figures)
    screenshot(browser, "web-a11y-with-operator.png")

    # Every page of the console, from its route table, while this handoff is active.
    routes = console_get_routes()
    cookies = {c["name"]: c["value"] for c in operator_browser.get_cookies()}
    paths = [fill(route, {"handoff_id": handoff_id}) for route in routes]
    pages = html_pages(console_url, cookies, paths) + ["/no-such-page"]  # and the not-found page
    assert {"/queue", f"/handoffs/{handoff_id}", "/insight/report", "/insight/review"} <= set(pages), pages
    for path in pages:
        operator_browser.get(console_url + path)
        wait_for(operator_browser, lambda: operator_browser.execute_script("return document.readyState") == "complete")
        widget_violations(operator_browser, f"console {path.replace(handoff_id, '<id>')}", figures)

    # Handed back: the bot answers the customer's next question, typed.
    operator_browser.get(f"{console_url}/handoffs/{handoff_id}")
    wait_for(operator_browser, lambda: operator_browser.find_element(By.ID, "handback").is_displayed(), 15)
    operator_browser.find_element(By.ID, "handback").click()
    # The outcome dialog handing back opens (issue 24) is part of the console too.
    wait_for(operator_browser, lambda: operator_browser.find_element(By.ID, "outcome-dialog").is_displayed(), 10)
    widget_violations(operator_browser, "console outcome dialog", figures)
    choose_outcome(operator_browser, "resolved")
    wait_bot_reply(browser, 0, "ここからはチャットボットがお答えします")
    bots = len(messages(browser, "bot"))
    type_keys(browser, "お客さま番号を変更したい")
    press(browser, Keys.ENTER)
    wait_bot_reply(browser, bots, "変更できません")
    widget_violations(browser, "widget: back to the bot", figures)
    print("axe violations per state and page:", figures)
