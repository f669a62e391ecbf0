"""The operator desk's flow in browsers: two operators (two Chromiums) and three customers (the web
widget, two LINE users through the fake LINE API).

Presence decides availability, capacity holds, a transfer keeps the transcript and carries its note,
the waiting timeout asks the customer (a button on the web, typed on LINE) and, unanswered, ends the
row on both sides, and the queue page is pushed (server-sent events): no fetch while rows come and go.
Screenshots in var/screenshots/ (desk-*.png; README's docs/screenshots/console-queue-desk.png is one)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_web_chat import fresh_page, open_chat, screenshot, texts, type_and_send, wait_bot_reply, wait_for
from web_support import WebStack, chromium, isolated_env, start_stack

from devstack.config import Ports
from devstack.model import latest_model
from devstack.ports import free_ports
from devstack.services import product_services
from tests.channels.line_fakes import ACCESS_TOKEN, CHANNEL_SECRET, FakeLineApi, LoopThread
from tests.console.console_support import PASSWORD, add_operator
from tests.stack.test_channels_same_answer import line_say, line_texts
from tests.stack.test_handoff_line import _pushed_to

pytestmark = [pytest.mark.stack, pytest.mark.browser]
# The LINE customer's answer must fit in WAIT_ANSWER while the transfer part runs on a busy machine.
WAIT_TIMEOUT, WAIT_ANSWER, GRACE = 8, 25, 3


@pytest.fixture(scope="module")
def desk_stack() -> Iterator[tuple[WebStack, FakeLineApi]]:
    """The product (web + LINE over a fake LINE API) with a small desk: one conversation per operator,
    short waiting timeouts and presence grace, every customer from this machine's one address."""
    model = latest_model()
    if model is None:
        pytest.fail("no trained model in models/: run `make train` first")
    loop = LoopThread()
    fake = FakeLineApi()
    loop.run(fake.start())
    tmp = tempfile.mkdtemp(prefix="ocn-desk-test-")
    tmp_path = Path(tmp)
    rasa, actions, account_api, web, console = free_ports(5)
    ports = Ports(rasa=rasa, actions=actions, account_api=account_api, web=web, console=console)
    env = isolated_env(ports, tmp_path)
    env.update(
        {
            "HANDOFF_HOURS": "00:00-24:00",
            "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
            "LINE_API_BASE_URL": fake.url,
            "CONSOLE_MAX_CONVERSATIONS_PER_OPERATOR": "1",
            "CONSOLE_WAIT_TIMEOUT_SECONDS": str(WAIT_TIMEOUT),
            "CONSOLE_WAIT_ANSWER_SECONDS": str(WAIT_ANSWER),
            "CONSOLE_PRESENCE_GRACE_SECONDS": str(GRACE),
        }
    )
    services = product_services(ports, model)
    stack = start_stack(services, env, tmp_path / "logs")
    try:
        yield WebStack(ports, env, tmp_path), fake
    finally:
        stack.stop()
        loop.run(fake.stop())
        loop.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def operators() -> Iterator[tuple[object, object]]:
    with chromium("hanako") as hanako, chromium("taro") as taro:
        yield hanako, taro


def sign_in(driver, console_url: str, username: str) -> None:
    driver.get(console_url + "/queue")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD + Keys.ENTER)
    wait_for(driver, lambda: driver.current_url.endswith("/queue"), 30, "sign-in did not reach the queue")


def choose(driver, label: str) -> None:
    """The header's status buttons (受付中／離席／対応終了)."""
    button = driver.find_element(By.XPATH, f"//div[@id='presence']/button[normalize-space()='{label}']")
    button.click()
    wait_for(driver, lambda: button.get_attribute("aria-pressed") == "true", 10, f"{label} was not chosen")


def pressed(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "#presence button[aria-pressed='true']").text


def available(stack: WebStack) -> int:
    """What the bot's availability check hears (with the action server's token)."""
    token = stack.env.get("CONSOLE_SERVICE_TOKEN") or "dev-console-token"
    answer = requests.get(
        f"http://127.0.0.1:{stack.ports.console}/desk/v1/availability",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["operators_available"]


def until_available(driver, stack: WebStack, count: int, what: str) -> None:
    wait_for(driver, lambda: available(stack) == count, 15, what)


def queue_rows(driver) -> list[dict]:
    return driver.execute_script(
        """return Array.from(document.querySelectorAll('#queue tbody tr[data-id]')).map(tr => ({
             id: tr.dataset.id, status: tr.dataset.status, text: tr.innerText}));"""
    )


def new_row(driver, before: set[str], channel: str) -> dict:
    """Waits for a row not in `before` to be pushed onto the open queue page."""
    found: list[dict] = []

    def appeared() -> bool:
        found[:] = [r for r in queue_rows(driver) if r["id"] not in before and channel in r["text"]]
        return bool(found)

    wait_for(driver, appeared, 20, f"no new {channel} row was pushed to the queue page")
    return found[0]


def row_status(driver, row_id: str) -> str | None:
    return next((r["status"] for r in queue_rows(driver) if r["id"] == row_id), None)


def fetches(driver) -> list[str]:
    """Every fetch/XHR the page made since it loaded (the old queue polled /api/queue every 2 s)."""
    return driver.execute_script(
        """return performance.getEntriesByType('resource')
             .filter(e => e.initiatorType === 'fetch' || e.initiatorType === 'xmlhttprequest').map(e => e.name);"""
    )


def transcript(driver) -> str:
    return " ".join(li.text for li in driver.find_elements(By.CSS_SELECTOR, "#transcript li"))


def open_conversation(driver, console_url: str, row_id: str) -> None:
    driver.get(f"{console_url}/handoffs/{row_id}")
    wait_for(driver, lambda: "担当者と話したい" in transcript(driver), 15, "the transcript did not load")


def test_two_operators_three_customers(desk_stack, browser, operators) -> None:
    stack, fake = desk_stack
    hanako, taro = operators
    console_url = f"http://127.0.0.1:{stack.ports.console}"
    for name in ("hanako", "taro"):
        add_operator(stack.env, name)

    # --- presence: signed in is 離席; only 受付中 counts -----------------------------------------
    sign_in(hanako, console_url, "hanako")
    sign_in(taro, console_url, "taro")
    assert pressed(hanako) == "離席" and pressed(taro) == "離席"
    assert available(stack) == 0
    choose(hanako, "受付中")
    until_available(hanako, stack, 1, "hanako 受付中 did not count")
    choose(taro, "受付中")
    until_available(taro, stack, 2, "taro 受付中 did not count")
    choose(taro, "離席")
    until_available(taro, stack, 1, "taro 離席 still counted")
    hanako.get(console_url + "/queue")  # a fresh page: every request it makes from now on is counted
    wait_for(hanako, lambda: hanako.execute_script("return document.readyState") == "complete", 10)

    # --- customer 1 (web) asks; the row is pushed, announced once; the timeout asks them ----------
    fresh_page(browser, stack.url)
    open_chat(browser)
    type_and_send(browser, "担当者と話したい")
    wait_bot_reply(browser, 0, "担当者におつなぎします")
    web_row = new_row(hanako, set(), "web")
    wait_for(hanako, lambda: hanako.title.startswith("(1) 待機中"), 10, f"no title badge: {hanako.title}")
    announced = hanako.find_element(By.ID, "queue-announce").text
    assert "新しいお客さまが待っています" in announced
    wait_for(  # offered to the one operator 受付中 (as the desk queued it, or by the next sweep)
        hanako,
        lambda: "★あなたに割り当て" in next(r["text"] for r in queue_rows(hanako) if r["id"] == web_row["id"]),
        10,
        "the new customer was not offered to hanako",
    )
    screenshot(hanako, "desk-queue-new-customer.png")
    # The place in the queue shows in the widget's status line (here as the marker the console's sweep
    # sends when it changes: tests/stack/test_handoff_waiting.py), and goes once a person has it.
    browser.execute_script("window.ocnChat.receive({handoff: 'waiting', position: 3});")
    assert browser.find_element(By.CSS_SELECTOR, ".ocn-chat-status").text == "担当者をお待ちの順番：3番目です"
    wait_bot_reply(browser, 0, "このままお待ちになりますか")  # after CONSOLE_WAIT_TIMEOUT_SECONDS
    bot_before = len(texts(browser, "bot"))
    browser.find_element(
        By.XPATH, "//button[contains(@class,'ocn-chat-choice')][normalize-space()='このまま待つ']"
    ).click()
    wait_bot_reply(browser, bot_before, "このままお待ちください")
    assert row_status(hanako, web_row["id"]) == "waiting"

    # --- hanako takes it; at capacity (1) she cannot take customer 2 (LINE) ---------------------
    open_conversation(hanako, console_url, web_row["id"])
    hanako.find_element(By.ID, "take").click()
    wait_bot_reply(browser, 0, "担当者がチャットに参加しました")
    wait_for(browser, lambda: not browser.find_element(By.CSS_SELECTOR, ".ocn-chat-status").is_displayed(), 10)
    line_user = "U" + "a1" * 16
    assert "担当者におつなぎします" in line_texts(line_say(stack, fake, line_user, "担当者と話したい"))
    taro.get(console_url + "/queue")
    line_row = new_row(taro, {web_row["id"]}, "line")
    hanako.get(f"{console_url}/handoffs/{line_row['id']}")
    hanako.find_element(By.ID, "take").click()
    wait_for(hanako, lambda: hanako.find_element(By.ID, "notice").text, 10, "no refusal at capacity")
    assert "上限（1件）" in hanako.find_element(By.ID, "notice").text  # says why, not just 「操作できませんでした」
    assert row_status(taro, line_row["id"]) == "waiting"

    # --- transfer: hanako passes customer 1 to taro with a note; the transcript stays ------------
    choose(taro, "受付中")
    open_conversation(hanako, console_url, web_row["id"])
    note = "お客さま番号は確認済みです。OCN IDの件です。"
    wait_for(hanako, lambda: hanako.find_element(By.ID, "transfer-form").is_displayed(), 10, "no transfer form")
    wait_for(hanako, lambda: "Taro" in hanako.find_element(By.ID, "transfer-to").text, 10, "taro not offered")
    hanako.find_element(By.ID, "transfer-text").send_keys(note)
    hanako.find_element(By.CSS_SELECTOR, "#transfer-form button[type=submit]").click()
    wait_bot_reply(browser, 0, "担当者が交代します")
    wait_for(hanako, lambda: not hanako.find_element(By.ID, "reply").is_displayed(), 15, "hanako still holds it")
    assert not hanako.find_element(By.ID, "transfer-form").is_displayed()
    wait_for(taro, lambda: note in " ".join(r["text"] for r in queue_rows(taro)), 15, "taro's queue shows no note")
    screenshot(taro, "desk-queue-transferred.png")
    open_conversation(taro, console_url, web_row["id"])
    assert note in taro.find_element(By.ID, "transfer-note").text
    assert "このまま待つ" in transcript(taro) or "待ちます" in transcript(taro)  # the earlier lines stayed
    box = taro.find_element(By.ID, "reply-text")
    box.send_keys("担当の太郎です。引き継ぎました。" + Keys.ENTER)
    wait_for(browser, lambda: any("担当の太郎です" in t for t in texts(browser, "operator")), 15)
    screenshot(taro, "desk-conversation-transferred.png")

    # --- customer 2 (LINE) is asked after the timeout and types 「連絡先を教えて」: ended both sides --
    taro.get(console_url + "/queue")
    _pushed_to(fake, line_user, "このままお待ちになりますか", timeout=30)
    answer = line_texts(line_say(stack, fake, line_user, "連絡先を教えて"))
    assert "担当者へのおつなぎを取りやめました" in answer
    wait_for(taro, lambda: row_status(taro, line_row["id"]) == "timed_out", 15, "the queue did not show it ended")
    assert "待ち時間切れ" in next(r["text"] for r in queue_rows(taro) if r["id"] == line_row["id"])
    assert "変更できません" in line_texts(line_say(stack, fake, line_user, "お客さま番号を変更したい"))

    # --- customer 3 (LINE) never answers: the row ends, the bot is back --------------------------
    quiet_user = "U" + "b2" * 16
    assert "担当者におつなぎします" in line_texts(line_say(stack, fake, quiet_user, "担当者と話したい"))
    quiet_row = new_row(taro, {web_row["id"], line_row["id"]}, "line")
    _pushed_to(fake, quiet_user, "このままお待ちになりますか", timeout=30)
    _pushed_to(fake, quiet_user, "担当者におつなぎできませんでした", timeout=WAIT_ANSWER + 20)
    wait_for(taro, lambda: row_status(taro, quiet_row["id"]) == "timed_out", 15, "the queue did not show it ended")
    assert "変更できません" in line_texts(line_say(stack, fake, quiet_user, "お客さま番号を変更したい"))
    screenshot(taro, "desk-queue-timed-out.png")
    assert fetches(taro) == [], "the queue page fetched: it should only listen to its stream"

    # --- hanako closes her last tab: after the grace she no longer counts -------------------------
    hanako.get("about:blank")
    until_available(taro, stack, 1, "hanako's closed tab still counted")  # taro's queue page is open
    refused = f"/handoffs/{line_row['id']}/take - Failed to load resource: the server responded with a status of 409"
    errors = [e for d in (hanako, taro) for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert not [e for e in errors if refused not in e["message"]], errors  # only the refusal at capacity
