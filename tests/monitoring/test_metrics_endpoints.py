"""GET /metrics on the running product (devstack layout): only with the monitoring token, the named
series, counts that follow a real conversation, no customer data; and the servers' JSON log lines."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot_server.json_logs import conversation_hash
from tests.support.stack import RunningStack, new_sender, texts

TARO = {"number": "N123456789", "phone": "090-1234-5678"}
RASA_SERIES = (
    "ocn_bot_turn_seconds",
    "ocn_bot_intents",
    "ocn_bot_fallbacks",
    "ocn_bot_nlu_confidence",
    "ocn_bot_paused_messages",
    "ocn_bot_pauses",
)
ACTION_SERIES = (
    "ocn_actions_account_api_seconds",
    "ocn_actions_account_api_calls",
    "ocn_actions_codes_sent",
    "ocn_actions_verifications",
    "ocn_actions_lockouts",
    "ocn_actions_code_limits",
)
CONSOLE_SERIES = ("ocn_console_handoffs", "ocn_console_queue_longest_wait_seconds", "ocn_console_operators_available")


@pytest.fixture(autouse=True)
def fresh_hour(stack: RunningStack) -> Iterator[None]:
    stack.start_a_new_day()  # the per-client code limits start afresh
    yield


def urls(stack: RunningStack) -> dict[str, str]:
    return {
        "rasa": f"{stack.rasa_url}/metrics",
        "actions": f"http://127.0.0.1:{stack.ports.actions}/metrics",
        "console": f"{stack.console_url}/metrics",
    }


def scrape(stack: RunningStack, server: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of one server's /metrics."""
    response = requests.get(
        urls(stack)[server], headers={"Authorization": f"Bearer {stack.env['METRICS_TOKEN']}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize("server", ["rasa", "actions", "console"])
def test_metrics_need_the_monitoring_token(stack: RunningStack, server: str) -> None:
    url = urls(stack)[server]
    assert requests.get(url, timeout=10).status_code == 401
    wrong = requests.get(url, headers={"Authorization": "Bearer not-the-token"}, timeout=10)
    assert wrong.status_code == 401 and "ocn_" not in wrong.text


@pytest.mark.parametrize(
    "server, series", [("rasa", RASA_SERIES), ("actions", ACTION_SERIES), ("console", CONSOLE_SERIES)]
)
def test_every_server_exports_its_named_series(stack: RunningStack, server: str, series: tuple[str, ...]) -> None:
    response = requests.get(
        urls(stack)[server], headers={"Authorization": f"Bearer {stack.env['METRICS_TOKEN']}"}, timeout=10
    )
    families = {family.name for family in text_string_to_metric_families(response.text)}
    assert set(series) <= families, set(series) - families


def test_an_faq_turn_and_a_fallback_are_counted_by_channel_and_intent(stack: RunningStack) -> None:
    before = scrape(stack, "rasa")
    sender = new_sender()
    assert "変更できません" in texts(stack.say(sender, "認証IDを別のものに変えたいのですが"))
    stack.say(sender, "ほげほげ ふがふが ぴよ")  # nothing the bot can place
    stack.say(sender, "/no_such_intent")  # Rasa reads it as an intent name: the label stays bounded
    after = scrape(stack, "rasa")
    faq = {"channel": "rest", "intent": "change_connection_id"}
    assert value(after, "ocn_bot_turn_seconds_count", **faq) == value(before, "ocn_bot_turn_seconds_count", **faq) + 1
    assert value(after, "ocn_bot_intents_total", **faq) == value(before, "ocn_bot_intents_total", **faq) + 1
    fallbacks = sum(v for (name, labels), v in after.items() if name == "ocn_bot_fallbacks_total") - sum(
        v for (name, labels), v in before.items() if name == "ocn_bot_fallbacks_total"
    )
    assert fallbacks >= 1
    intents = {dict(labels).get("intent") for (name, labels) in after if name == "ocn_bot_intents_total"}
    assert "no_such_intent" not in intents
    assert value(after, "ocn_bot_nlu_confidence_count") >= value(before, "ocn_bot_nlu_confidence_count") + 2


def test_codes_sent_and_verification_outcomes_are_counted_without_customer_data(stack: RunningStack) -> None:
    before = scrape(stack, "actions")
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}')
    assert "確認コードをお送りしました" in texts(stack.say(sender, TARO["number"]))
    code = stack.latest_code(TARO["phone"])
    assert code
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    stack.say(sender, wrong)
    assert "ご本人確認ができました" in texts(stack.say(sender, code))
    after = scrape(stack, "actions")
    assert value(after, "ocn_actions_codes_sent_total", channel="sms") == (
        value(before, "ocn_actions_codes_sent_total", channel="sms") + 1
    )
    for outcome in ("invalid_code", "verified"):
        assert value(after, "ocn_actions_verifications_total", outcome=outcome) == (
            value(before, "ocn_actions_verifications_total", outcome=outcome) + 1
        )
    call = {"call": "start_verification", "outcome": "ok"}
    assert value(after, "ocn_actions_account_api_calls_total", **call) >= 1
    assert value(after, "ocn_actions_account_api_seconds_count", call="start_verification") >= 1
    body = requests.get(
        urls(stack)["actions"], headers={"Authorization": f"Bearer {stack.env['METRICS_TOKEN']}"}, timeout=10
    ).text
    for secret in (sender, TARO["number"], code, "1234-5678", "09012345678"):
        assert secret not in body


def test_log_lines_are_json_with_the_conversation_hash_and_no_code(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}')
    stack.say(sender, TARO["number"])
    code = stack.latest_code(TARO["phone"])
    assert code
    stack.say(sender, code)
    hashed = conversation_hash(f"rest:{sender}")
    for server in ("rasa", "actions"):
        log_path = stack.service(server).log_path
        assert log_path is not None
        records = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
        assert records and {"time", "level", "logger", "message"} <= set(records[-1])
        ours = [r for r in records if r.get("conversation") == hashed]
        assert ours, f"no {server} log line carries the conversation's hash"
        assert code not in log_path.read_text()
