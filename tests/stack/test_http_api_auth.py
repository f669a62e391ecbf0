"""The bot's own HTTP API on the one-machine stack: nothing without the checkout's token, and no web
page but the help page gets CORS answers (issue 21 item 2; bot_server/http_api.py)."""

from __future__ import annotations

import requests

from tests.support.stack import RunningStack

FOREIGN_PAGE = "https://evil.example"


def test_the_http_api_needs_the_token(stack: RunningStack) -> None:
    tracker = f"{stack.rasa_url}/conversations/rest:someone/tracker"
    assert requests.get(tracker, timeout=10).status_code == 401
    assert requests.get(tracker, headers={"X-Rasa-Token": "wrong"}, timeout=10).status_code == 401
    assert requests.delete(f"{stack.rasa_url}/model", timeout=10).status_code == 401
    assert requests.get(tracker, headers=stack.api_headers, timeout=10).status_code == 200
    status = requests.get(f"{stack.rasa_url}/status", params={"token": stack.env["RASA_API_TOKEN"]}, timeout=10)
    assert status.status_code == 401  # never in a URL (proxy and access logs): the header only


def test_only_the_help_page_gets_cors_answers(stack: RunningStack) -> None:
    help_page = stack.env["WEB_ORIGINS"].split(",")[0]
    preflight = {"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}
    url = f"{stack.rasa_url}/model"
    foreign = requests.options(url, headers={"Origin": FOREIGN_PAGE, **preflight}, timeout=10)
    assert "Access-Control-Allow-Origin" not in foreign.headers
    ours = requests.options(url, headers={"Origin": help_page, **preflight}, timeout=10)
    assert ours.headers.get("Access-Control-Allow-Origin") == help_page
