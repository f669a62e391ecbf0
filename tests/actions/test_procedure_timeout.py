"""After an account-API timeout the customer is told only what is known: the real AccountClient over
a session that never answers the procedure and answers the outcome lookup (GET /v1/outcomes) three ways."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from actions import account_client
from actions.account_client import AccountClient
from actions.procedure_run import ActionRunProcedure
from tests.actions.trackers import responses, run, slot_events, tracker

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
SENT = {"channel": "sms", "destination_masked": "090-****-5678", "ocn_id_masked": "ta****@ocn.ne.jp"}
CONFIRMED = tracker(
    "affirm",
    slots={
        "verification_id": "v-1",
        "verified_until": time.time() + 600,
        "procedure": "send_ocn_id",
        "procedure_confirmed": True,
    },
)


class TimeoutSession(requests.Session):
    """Every POST times out (it may have reached the API); GET /v1/outcomes answers `outcome` (None:
    times out too). Records what was asked."""

    def __init__(self, outcome: dict[str, Any] | None) -> None:
        super().__init__()
        self.outcome = outcome
        self.asked: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.asked.append((method, url, kwargs))
        if method == "POST" or self.outcome is None:
            raise requests.ReadTimeout("no answer")
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(self.outcome).encode()
        return response


def text_of(response: str) -> str:
    return DOMAIN["responses"][response][0]["text"]


def run_with(monkeypatch: pytest.MonkeyPatch, outcome: dict[str, Any] | None) -> tuple[list[str], TimeoutSession]:
    session = TimeoutSession(outcome)
    monkeypatch.setattr(account_client, "_shared", AccountClient(session=session, sleep=lambda _s: None))
    messages, events = run(ActionRunProcedure(), CONFIRMED)
    assert slot_events(events)["procedure"] is None  # the procedure ends either way
    return responses(messages), session


def test_carried_out_says_so_with_its_result(monkeypatch: pytest.MonkeyPatch) -> None:
    said, session = run_with(monkeypatch, {"state": "completed", "status": 200, "body": SENT})
    assert said == ["utter_done_ocn_id", "utter_ask_survey"]
    posted_key = session.asked[0][2]["headers"]["Idempotency-Key"]
    method, url, kwargs = session.asked[-1]
    assert (method, kwargs["params"]) == ("GET", {"path": "/v1/procedures/ocn-id", "idempotency_key": posted_key})


def test_not_carried_out_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    said, _ = run_with(monkeypatch, {"state": "not_found"})
    assert said == ["utter_api_unavailable"]
    assert "行われていません" in text_of("utter_api_unavailable")


def test_unknown_says_it_could_not_be_confirmed_and_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    said, session = run_with(monkeypatch, None)
    assert said == ["utter_api_outcome_unknown"]
    assert session.asked[-1][0] == "GET"  # it did ask before answering
    text = text_of("utter_api_outcome_unknown")
    assert "行われていません" not in text and "確認できませんでした" in text
    assert "SMS" in text and "マイページ" in text and "もう一度" in text
