"""The insight pages in a real browser (Debian Chromium): sign in, the report with its charts,
assigning an intent in the review queue, exporting, and the export passing `rasa data validate`.
Nothing secret from a conversation that held a code, a phone number and a customer number shows.

The console runs as its own process on a free port over a tracker store of known conversations.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait
from web_support import ROOT, SCREENSHOTS

from tests.console.console_support import PASSWORD, add_operator, start_console
from tests.insight.known_store import DAY1, DAY2, SECRET_CODE, SECRET_CUSTOMER, SECRET_PHONE, write_store

SECRETS = (SECRET_CODE, SECRET_PHONE, SECRET_PHONE.replace("-", ""), SECRET_CUSTOMER)
REVIEWED = "光回線の速度が遅い"


@pytest.fixture(scope="module")
def insight_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    var_dir = tmp_path_factory.mktemp("insight-console")
    write_store(var_dir / "tracker.sqlite3", "この文はテストセットにない")
    review_file = var_dir / "review.yml"
    stack, url, env = start_console(var_dir, INSIGHT_REVIEW_FILE=str(review_file))
    add_operator(env, "alice")
    try:
        yield url, review_file
    finally:
        stack.stop()


def wait_for(browser, condition, timeout: float = 60):
    # A row read while the page reloads after a form post is stale: read it again on the next poll.
    return WebDriverWait(browser, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def screenshot(browser, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 2400)
    assert browser.save_screenshot(str(SCREENSHOTS / name))


def severe_errors(browser) -> list[dict]:
    # The sign-in page (the console's) declares no icon, so Chromium asks for /favicon.ico before
    # signing in and gets 401; the insight pages declare one and must log nothing.
    return [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "/favicon.ico" not in entry["message"]
    ]


def test_operator_reads_the_report_and_teaches_the_bot(browser, insight_console: tuple[str, Path]) -> None:
    url, review_file = insight_console
    browser.get(f"{url}/insight/report?since={DAY1}&until={DAY2}")
    wait_for(browser, lambda b: "/signin" in b.current_url)
    browser.find_element(By.NAME, "username").send_keys("alice")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()

    # The report, with every chart drawn (signing in lands on the report page without the period).
    # (The default period, the last 7 days in Japan time, has a chart or says it has no data.)
    drawn = "#chart-per-day, #chart-per-day-empty"
    wait_for(browser, lambda b: "/insight/report" in b.current_url and b.find_elements(By.CSS_SELECTOR, drawn), 120)
    browser.get(f"{url}/insight/report?since={DAY1}&until={DAY2}")
    wait_for(browser, lambda b: f"{DAY1} 〜 {DAY2}" in b.find_element(By.TAG_NAME, "body").text, 120)
    charts = browser.find_elements(By.CSS_SELECTOR, ".insight-chart img")
    assert len(charts) == 4
    wait_for(browser, lambda b: all(b.execute_script("return arguments[0].naturalWidth", img) > 100 for img in charts))
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "会話数" in page and "80.0%" not in page  # 9 of 10 contained: 90.0%
    assert "90.0%" in page and "66.7%" in page  # containment, resolution (2 of 3 answers)
    assert not any(secret in browser.page_source for secret in SECRETS)
    screenshot(browser, "insight_report.png")
    errors = severe_errors(browser)  # reading the log empties it
    assert errors == [], errors

    # The review queue: assign an intent to a message, then export.
    browser.get(f"{url}/insight/review")
    row = wait_for(
        browser,
        lambda b: next(
            (r for r in b.find_elements(By.CSS_SELECTOR, "tr[data-item]") if REVIEWED in r.text),
            None,
        ),
    )
    assert not any(secret in browser.page_source for secret in SECRETS)
    assert "[確認コード]" in browser.page_source
    Select(row.find_element(By.NAME, "intent")).select_by_value("out_of_scope")
    row.find_element(By.CSS_SELECTOR, "button[value=assign]").click()
    wait_for(browser, lambda b: not any(REVIEWED in r.text for r in b.find_elements(By.CSS_SELECTOR, "tr[data-item]")))
    browser.find_element(By.ID, "export").click()
    wait_for(browser, lambda b: "1 件を書き出しました" in b.find_element(By.TAG_NAME, "body").text)
    screenshot(browser, "insight_review.png")
    errors = severe_errors(browser)  # reading the log empties it
    assert errors == [], errors

    exported = review_file.read_text(encoding="utf-8")
    assert REVIEWED in exported and "- intent: out_of_scope" in exported
    validate = subprocess.run(
        [sys.executable, "-m", "bot_server", "data", "validate", "--data", "data", str(review_file)],
        cwd=ROOT,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert validate.returncode == 0, (validate.stdout + validate.stderr)[-3000:]
