"""The help page and chat widget in a real browser (headless Debian Chromium + Selenium) against
the real product stack: Japanese input, buttons, links, reload, IME, escaping, typing indicator,
phone screen. Screenshots go to var/screenshots/."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from same_origin_proxy import SameOriginProxy
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from web_support import ROOT, SCREENSHOTS, WebStack

from actions.settings import VERIFIED_HELP_PAGE_URL
from devstack.ports import free_ports
from devstack.processes import wait_healthy

pytestmark = [pytest.mark.stack, pytest.mark.browser]

REPLY_TIMEOUT = 20


# ---- helpers ------------------------------------------------------------------------------


def wait_for(driver, condition, timeout: float = REPLY_TIMEOUT, message: str = ""):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(), message)


def fresh_page(driver, url: str) -> None:
    """The page with no stored conversation (every test starts a new customer). Storage is cleared
    from a plain file of the same origin, where no widget runs that could save its state again."""
    driver.get(url + "config.js")
    driver.execute_script("sessionStorage.clear(); localStorage.clear();")
    driver.get(url)
    wait_for(driver, lambda: driver.execute_script("return !!window.ocnChat"), 10, "widget did not start")


def messages(driver, who: str = "") -> list[WebElement]:
    selector = ".ocn-chat-msg" + (f".ocn-chat-msg--{who}" if who else "")
    return driver.find_elements(By.CSS_SELECTOR, selector)


def texts(driver, who: str = "") -> list[str]:
    """Bubble texts without the screen-reader prefix (「お客さま：」/「チャットボット：」)."""
    return driver.execute_script(
        """return Array.from(document.querySelectorAll('.ocn-chat-msg' + arguments[0] + ' .ocn-chat-bubble'))
             .map(b => Array.from(b.childNodes).filter(n => !(n.classList && n.classList.contains('ocn-chat-sr')))
             .map(n => n.textContent).join(''));""",
        f".ocn-chat-msg--{who}" if who else "",
    )


def open_chat(driver) -> None:
    driver.find_element(By.CSS_SELECTOR, ".ocn-chat-launcher").click()
    wait_for(driver, lambda: driver.find_element(By.CSS_SELECTOR, ".ocn-chat-panel").is_displayed(), 5)
    # First opening: the bot's greeting (sent as /greet, not shown as a customer message).
    wait_for(driver, lambda: len(messages(driver, "bot")) >= 1, message="no greeting from the bot")
    assert messages(driver, "user") == []


def type_and_send(driver, text: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, ".ocn-chat-input")
    # A restored or re-rendered panel may still be opening: type only once the box takes input.
    wait_for(driver, lambda: box.is_displayed() and box.is_enabled(), 10, "the message box does not take input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def wait_bot_reply(driver, after: int, containing: str) -> str:
    """The first bot message after the first `after` bot messages that contains `containing`."""

    def found():
        for text in texts(driver, "bot")[after:]:
            if containing in text:
                return text
        return None

    try:
        return wait_for(driver, found)
    except Exception:
        pytest.fail(f"no bot reply containing {containing!r}; bot said: {texts(driver, 'bot')[after:]}")


def session_id(driver) -> str:
    return driver.execute_script("return JSON.parse(sessionStorage.getItem('ocn-chat')).sessionId")


def screenshot(driver, name: str) -> None:
    path = SCREENSHOTS / name
    assert driver.save_screenshot(str(path)), f"could not save {path}"


def settle(driver) -> None:
    """Returns once the page has run every task queued so far: a timer turn, then a frame. Handlers
    that would send something (even asynchronously) have run by then, so "nothing was sent" holds."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; setTimeout(() => requestAnimationFrame(() => done()), 0);"
    )


def injected_after_images_fail(driver):
    """window.__xss once an image added now has failed to load: any image the page added before
    (e.g. an injected <img src=x onerror=...>) has failed and run its handler by then."""
    return driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           const probe = new Image();
           probe.onerror = probe.onload = () => done(window.__xss === undefined ? null : window.__xss);
           probe.src = 'x?probe=' + Date.now();"""
    )


def composed_enter(driver, init: str, extra: str = "") -> None:
    driver.execute_script(
        f"""const box = document.querySelector('.ocn-chat-input');
            const ev = new KeyboardEvent('keydown', Object.assign({{key: 'Enter', code: 'Enter', bubbles: true, cancelable: true}}, {init}));
            {extra}
            box.dispatchEvent(ev);"""
    )


# ---- tests --------------------------------------------------------------------------------


def test_page_is_the_help_page_with_an_accessible_launcher(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    assert browser.execute_script("return document.documentElement.lang") == "ja"
    assert "OCN IDとパスワードのお手続き" in browser.title
    assert browser.find_element(By.TAG_NAME, "h1").text == "OCN IDとパスワードのお手続き"
    assert "JavaScript" in browser.execute_script("return document.querySelector('noscript').textContent")

    launcher = browser.find_element(By.CSS_SELECTOR, "button.ocn-chat-launcher")
    assert launcher.get_attribute("aria-label") == "チャットで質問する"
    assert launcher.get_attribute("aria-expanded") == "false"
    rect = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.right, r.bottom, innerWidth, innerHeight];", launcher
    )
    assert rect[2] - rect[0] < 40 and rect[3] - rect[1] < 40, f"launcher is not at the bottom right: {rect}"

    # Keyboard focus is visible: Tab from the page's last link reaches the launcher.
    browser.execute_script("Array.from(document.querySelectorAll('main a')).pop().focus()")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "ocn-chat-launcher"
    style = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth];", focused
    )
    assert style[0] != "none" and style[1] != "0px", f"no visible focus style: {style}"

    # Everything comes from the page server or Rasa's socket.io (no CDN, no web fonts).
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    allowed = {urlsplit(web_stack.url).netloc, urlsplit(web_stack.rasa_url).netloc}
    assert {urlsplit(u).netloc for u in loaded if not u.startswith("data:")} <= allowed, loaded
    names = {urlsplit(u).path for u in loaded}
    assert {"/vendor/socket.io.min.js", "/config.js", "/chat.js", "/chat.css"} <= names


def test_conversation_buttons_links_and_reload(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    assert browser.find_element(By.CSS_SELECTOR, ".ocn-chat-launcher").get_attribute("aria-expanded") == "true"

    # Japanese typed by the customer → the which-password question with three buttons.
    bots = len(messages(browser, "bot"))
    type_and_send(browser, "パスワードを忘れました")
    wait_bot_reply(browser, bots, "どちらのパスワード")
    assert texts(browser, "user") == ["パスワードを忘れました"]
    question = messages(browser, "bot")[-1]
    buttons = question.find_elements(By.CSS_SELECTOR, "button.ocn-chat-choice")
    assert [b.text for b in buttons] == ["OCN IDのパスワード", "接続用IDのパスワード", "わからない"]
    assert all(b.is_enabled() for b in buttons)

    # Clicking a button sends its payload; its title is the customer's message.
    bots = len(messages(browser, "bot"))
    buttons[0].click()
    answer = wait_bot_reply(browser, bots, "再設定")
    assert texts(browser, "user")[-1] == "OCN IDのパスワード"
    assert not any(b.is_enabled() for b in buttons), "answered buttons must not be clickable again"
    assert "/forgot_ocn_id_password" not in " ".join(texts(browser))

    # The link in the answer is a real link that opens in a new tab: with no deep link configured, the
    # verified help page (actions/links.py).
    links = browser.find_elements(By.CSS_SELECTOR, ".ocn-chat-msg--bot a.ocn-chat-link")
    assert links, f"no link in the answer: {answer!r}"
    link = links[-1]
    assert link.get_attribute("href") == VERIFIED_HELP_PAGE_URL
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel").split()
    before = set(browser.window_handles)
    main = browser.current_window_handle
    link.click()
    wait_for(browser, lambda: len(browser.window_handles) == len(before) + 1, 10, "the link did not open a new tab")
    for handle in set(browser.window_handles) - before:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(main)

    # The procedure offer follows; then the page is reloaded.
    wait_bot_reply(browser, bots, "お手続きをご希望ですか")
    shown = texts(browser)
    conversation = session_id(browser)
    screenshot(browser, "web-desktop.png")

    browser.refresh()
    wait_for(browser, lambda: len(messages(browser)) == len(shown), 10, "history not shown after reload")
    assert browser.find_element(By.CSS_SELECTOR, ".ocn-chat-panel").is_displayed(), "the open chat should stay open"
    assert texts(browser) == shown
    assert session_id(browser) == conversation
    wait_for(browser, lambda: browser.execute_script("return window.ocnChat.ready"), 10, "no reconnection after reload")

    # The same conversation continues: 「はい」 accepts the procedure offer → verification starts.
    bots = len(messages(browser, "bot"))
    type_and_send(browser, "はい")
    wait_bot_reply(browser, bots, "お客さま番号")
    assert texts(browser, "user")[-1] == "はい"
    assert session_id(browser) == conversation
    screenshot(browser, "web-desktop-after-reload.png")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_typing_indicator_shows_until_the_reply(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    typing = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-typing")
    assert not typing.is_displayed()
    bots = len(messages(browser, "bot"))
    # Send and look in one script run: the reply cannot arrive in between.
    shown, replies = browser.execute_script(
        """const box = document.querySelector('.ocn-chat-input');
           box.value = 'IDの種類を教えてください';
           document.querySelector('.ocn-chat-form').requestSubmit();
           const t = document.querySelector('.ocn-chat-typing');
           return [!t.hidden && getComputedStyle(t).display !== 'none',
                   document.querySelectorAll('.ocn-chat-msg--bot').length];"""
    )
    assert shown, "no typing indicator right after sending"
    assert replies == bots
    assert typing.get_attribute("role") == "status"
    wait_for(browser, lambda: len(messages(browser, "bot")) > bots)
    wait_for(browser, lambda: not typing.is_displayed(), 5, "typing indicator still shown after the reply")


def test_enter_while_ime_is_composing_does_not_send(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    box = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-input")
    browser.execute_script("arguments[0].value = 'ぱすわーど'", box)

    composed_enter(browser, "{isComposing: true}")  # Chrome, Firefox
    composed_enter(browser, "{}", "Object.defineProperty(ev, 'keyCode', {get: () => 229});")  # Safari
    browser.execute_script("arguments[0].dispatchEvent(new CompositionEvent('compositionstart', {data: ''}))", box)
    composed_enter(browser, "{}")  # between composition events
    settle(browser)
    assert messages(browser, "user") == [], "Enter during IME composition sent the message"
    assert box.get_attribute("value") == "ぱすわーど"

    # After the conversion is confirmed, Enter sends.
    browser.execute_script(
        "arguments[0].dispatchEvent(new CompositionEvent('compositionend', {data: 'パスワード'}))", box
    )
    browser.execute_script("arguments[0].value = 'パスワード'", box)
    composed_enter(browser, "{isComposing: false}")
    wait_for(browser, lambda: texts(browser, "user") == ["パスワード"], 5, "Enter after composition did not send")
    assert box.get_attribute("value") == ""


def test_html_is_shown_as_text_never_run(web_stack: WebStack, browser) -> None:
    fresh_page(browser, web_stack.url)
    open_chat(browser)
    typed = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
    bots = len(messages(browser, "bot"))
    type_and_send(browser, typed)
    wait_for(browser, lambda: texts(browser, "user") == [typed], 5, "the customer's text is not shown literally")
    wait_for(browser, lambda: len(messages(browser, "bot")) > bots)

    # Bot text is rendered safely too (as it would be if a reply ever contained markup).
    browser.execute_script(
        """window.ocnChat.receive({text: '<img src=x onerror="window.__xss = 3"> [x](javascript:window.__xss=4) '
                                        + 'javascript:window.__xss=5 詳しくは https://example.jp/a?b=1&c=2。',
                                  quick_replies: [{title: '<b onclick="window.__xss=6">太字</b>', payload: '/greet'}]});"""
    )
    log = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-log")
    assert log.find_elements(By.CSS_SELECTOR, "img, script, b") == []
    # The links of that reply (the bot's own answer before it may carry the help page's link).
    hrefs = [a.get_attribute("href") for a in messages(browser, "bot")[-1].find_elements(By.TAG_NAME, "a")]
    assert hrefs == ["https://example.jp/a?b=1&c=2"], hrefs  # only http(s), without the 。
    assert texts(browser, "bot")[-1].startswith('<img src=x onerror="window.__xss = 3">')
    assert (
        log.find_elements(By.CSS_SELECTOR, "button.ocn-chat-choice")[-1].text == '<b onclick="window.__xss=6">太字</b>'
    )

    # History is rebuilt from storage on reload: still text only.
    browser.refresh()
    wait_for(browser, lambda: len(texts(browser, "user")) == 1, 10)
    assert texts(browser, "user") == [typed]
    assert browser.find_element(By.CSS_SELECTOR, ".ocn-chat-log").find_elements(By.CSS_SELECTOR, "img, script, b") == []
    assert injected_after_images_fail(browser) is None
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text


def test_phone_screen(web_stack: WebStack, browser) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 667, "deviceScaleFactor": 2, "mobile": True}
    )
    try:
        fresh_page(browser, web_stack.url)
        width = "return [document.documentElement.scrollWidth, innerWidth, innerHeight]"
        scroll_width, inner_width, inner_height = browser.execute_script(width)
        assert (inner_width, inner_height) == (375, 667)
        assert scroll_width <= 375, f"horizontal scroll on the page: {scroll_width}px"
        launcher = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-launcher")
        assert launcher.is_displayed()
        screenshot(browser, "web-phone-page.png")

        open_chat(browser)
        bots = len(messages(browser, "bot"))
        type_and_send(browser, "パスワードを忘れました")
        wait_bot_reply(browser, bots, "どちらのパスワード")
        bots = len(messages(browser, "bot"))
        type_and_send(browser, "とても長い文章" * 20 + "https://example.jp/" + "x" * 120)
        wait_for(browser, lambda: len(messages(browser, "bot")) > bots)
        panel = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-panel")
        box = browser.find_element(By.CSS_SELECTOR, ".ocn-chat-input")
        p = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height];", panel
        )
        assert p[2] >= 375 * 0.95 and p[3] >= 667 * 0.9, f"chat is not (nearly) full-screen on a phone: {p}"
        b = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right];", box
        )
        assert box.is_displayed() and b[0] >= 0 and b[1] <= 667 and b[2] >= 0 and b[3] <= 375, f"input not visible: {b}"
        assert browser.execute_script(width)[0] <= 375
        overflow = browser.execute_script(
            "const body = document.querySelector('.ocn-chat-body'); return [body.scrollWidth, body.clientWidth]"
        )
        assert overflow[0] <= overflow[1], f"horizontal scroll inside the chat: {overflow}"
        screenshot(browser, "web-phone.png")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_same_origin_behind_a_reverse_proxy(web_stack: WebStack, browser) -> None:
    """`python -m web --socket-url same-origin` behind a proxy that also routes /socket.io/ to Rasa."""
    (page_port,) = free_ports(1)
    page = subprocess.Popen(
        [sys.executable, "-m", "web", "--port", str(page_port), "--socket-url", "same-origin"],
        cwd=ROOT,
        env=web_stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = SameOriginProxy(("127.0.0.1", page_port), ("127.0.0.1", web_stack.ports.rasa)).start()
    try:
        wait_healthy(
            f"http://127.0.0.1:{page_port}/", name="page server", timeout=10, alive=lambda: page.poll() is None
        )
        fresh_page(browser, proxy.url)
        open_chat(browser)
        assert browser.execute_script("return window.ocnChat.socket.io.uri").rstrip("/") == proxy.url.rstrip("/")
        assert proxy.routed["rasa"] > 0
    finally:
        proxy.stop()
        page.terminate()
        page.wait(10)
