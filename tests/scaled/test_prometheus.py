"""Debian's real Prometheus against the scaled mode (2 Rasa servers, 1 action server, the console):
it scrapes every server with the metrics token, loads the alert rules, and sees a conversation's turn
in its series (HTTP API /api/v1/query, awaited with bounded polls)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_harness import RunningPrometheus, poll_until, start_prometheus
from scaled_chat import M_ACTIONS, N_RASA

from deploy.scaled import ScaledStack
from devstack import system_packages

pytestmark = pytest.mark.scaled

FAQ_TURNS = 'sum(ocn_bot_turn_seconds_count{channel="rest",intent="change_connection_id"})'


@pytest.fixture(scope="module")
def prometheus(scaled: ScaledStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPrometheus]:
    missing = system_packages.require("prometheus")
    if missing:
        pytest.fail(missing)
    running = start_prometheus(scaled, N_RASA, M_ACTIONS, Path(tmp_path_factory.mktemp("prometheus")))
    yield running
    running.stop()


def _value(result: list[dict]) -> float:
    return float(result[0]["value"][1]) if result else 0.0


def test_prometheus_scrapes_every_server_with_the_token(prometheus: RunningPrometheus) -> None:
    def targets() -> list[dict]:
        return prometheus.api("targets")["activeTargets"]

    up = poll_until(
        targets,
        lambda found: len(found) == N_RASA + M_ACTIONS + 1 and all(t["health"] == "up" for t in found),
        timeout=60,
        what="every Rasa server, action server and the console scraped",
    )
    jobs = sorted(t["labels"]["job"] for t in up)
    assert jobs == sorted(["rasa"] * N_RASA + ["actions"] * M_ACTIONS + ["console"])
    assert _value(prometheus.query('count(ocn_console_operators_available{job="console"})')) == 1


def test_prometheus_loads_the_alert_rules(prometheus: RunningPrometheus) -> None:
    groups = {group["name"]: group for group in prometheus.api("rules")["groups"]}
    alerts = {rule["name"] for rule in groups["ocn-chatbot-alerts"]["rules"]}
    assert {"AccountApiFailing", "FaqLatencyOverBudget", "FallbackRateJump", "GuessAlarm"} <= alerts
    assert {"HandoffQueueWaitLong", "RasaInstanceDown"} <= alerts
    poll_until(
        lambda: [r for g in prometheus.api("rules")["groups"] for r in g["rules"] if r.get("health") != "ok"],
        lambda unhealthy: not unhealthy,
        timeout=30,
        what="every rule evaluated without error",
    )


def test_a_conversation_turn_reaches_prometheus(scaled: ScaledStack, prometheus: RunningPrometheus) -> None:
    before = _value(prometheus.query(FAQ_TURNS))
    reply = requests.post(
        f"{scaled.s.rasa_url}/webhooks/rest/webhook",
        json={"sender": "prometheus-test", "message": "認証IDを別のものに変えたいのですが"},
        timeout=30,
    )
    assert reply.status_code == 200 and "変更できません" in str(reply.json())
    poll_until(
        lambda: _value(prometheus.query(FAQ_TURNS)),
        lambda now: now == before + 1,
        timeout=30,
        what="the FAQ turn counted once, on whichever Rasa server nginx chose",
    )
    p95 = poll_until(
        lambda: prometheus.query("ocn:faq_turn_seconds:p95_5m"),
        lambda result: bool(result) and result[0]["value"][1] != "NaN",
        timeout=30,
        what="the FAQ p95 recording rule over real series",
    )
    assert 0 < float(p95[0]["value"][1]) <= 10
