"""Figures the account system decides (code lifetime, lock length, attempts left, days for a letter)
reach the customer as the API gave them, and are never made up when a reply lacks one (issue 10)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import account_client
from actions.account_client import AccountApiError, ConnectionCredentialsResult, VerificationStarted
from actions.procedure_form import ValidateProcedureForm
from actions.procedure_run import ActionRunProcedure
from tests.actions.fake_account_client import FakeClient
from tests.actions.trackers import responses, run, tracker

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
CHOSEN = tracker(slots={"procedure": "send_ocn_id"})
# (response, the placeholder the account system's figure fills)
FIGURES = [
    ("utter_too_many_codes", "minutes"),
    ("utter_verification_locked", "minutes"),
    ("utter_wrong_code", "attempts_left"),
    ("utter_done_connection_post", "eta_days"),
]


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch) -> FakeClient:
    fake = FakeClient()
    monkeypatch.setattr(account_client, "_shared", fake)
    return fake


def _texts(response: str) -> list[str]:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    return [variation["text"] for variation in domain["responses"][response]]


@pytest.mark.parametrize("response, placeholder", FIGURES)
def test_each_figure_has_a_text_without_a_number(response: str, placeholder: str) -> None:
    assert all("{" + placeholder + "}" in text for text in _texts(response))
    unnumbered = _texts(f"{response}_unnumbered")
    assert unnumbered and not any("{" + placeholder + "}" in text for text in unnumbered)
    assert not any(character.isdigit() for text in unnumbered for character in text)


@pytest.mark.parametrize(
    "code, response", [("too_many_codes", "utter_too_many_codes"), ("locked", "utter_verification_locked")]
)
@pytest.mark.parametrize("retry_after, minutes", [(1500, 25), (45, 1), (None, None)])
def test_waiting_time_is_the_apis(
    client: FakeClient, code: str, response: str, retry_after: int | None, minutes: int | None
) -> None:
    client.fail = AccountApiError(429 if code == "too_many_codes" else 423, code, retry_after=retry_after)
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateProcedureForm().validate_account_ref("N123456789", dispatcher, CHOSEN, {}))
    if minutes is None:
        assert responses(dispatcher.messages) == [f"{response}_unnumbered"]
        assert "minutes" not in dispatcher.messages[0]
    else:
        assert responses(dispatcher.messages) == [response] and dispatcher.messages[0]["minutes"] == minutes


@pytest.mark.parametrize("attempts_left", [2, None])
def test_attempts_left_is_the_apis(client: FakeClient, attempts_left: int | None) -> None:
    client.fail = AccountApiError(400, "invalid_code", attempts_left=attempts_left)
    dispatcher = CollectingDispatcher()
    waiting = tracker(slots={"verification_id": "v-1"})
    asyncio.run(ValidateProcedureForm().validate_otp_code("000000", dispatcher, waiting, {}))
    if attempts_left is None:
        assert responses(dispatcher.messages) == ["utter_wrong_code_unnumbered"]
        assert "attempts_left" not in dispatcher.messages[0]
    else:
        assert responses(dispatcher.messages) == ["utter_wrong_code"]
        assert dispatcher.messages[0]["attempts_left"] == attempts_left


def test_code_lifetime_is_the_apis(client: FakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "start_verification", lambda *a, **k: VerificationStarted("v-1", 420))
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateProcedureForm().validate_account_ref("N123456789", dispatcher, CHOSEN, {}))
    assert responses(dispatcher.messages) == ["utter_code_sent"] and dispatcher.messages[0]["minutes"] == 7


@pytest.mark.parametrize("eta_days", [3, None])
def test_days_for_the_letter_are_the_apis(
    client: FakeClient, monkeypatch: pytest.MonkeyPatch, eta_days: int | None
) -> None:
    letter = ConnectionCredentialsResult("post", "post", "東京都千代田区****", eta_days=eta_days)
    monkeypatch.setattr(client, "send_connection_credentials", lambda *a, **k: letter)
    slots: dict[str, Any] = {
        "verification_id": "v-1",
        "verified_until": time.time() + 600,
        "procedure": "send_connection_id",
        "delivery_method": "post",
        "procedure_confirmed": True,
    }
    messages, _ = run(ActionRunProcedure(), tracker("affirm", slots=slots))
    done = messages[0]
    assert done["destination"] == "東京都千代田区****"
    if eta_days is None:
        assert done["response"] == "utter_done_connection_post_unnumbered" and "eta_days" not in done
    else:
        assert done["response"] == "utter_done_connection_post" and done["eta_days"] == eta_days


@pytest.mark.parametrize("code", ["too_many_codes", "locked"])
def test_a_customer_refused_for_now_is_offered_a_person(client: FakeClient, code: str) -> None:
    """Strangers on many groups can still refuse a first-time customer for a while (account_api/README.md
    "Lockout"): the bot then offers a person (request_human: the queue or the contact page)."""
    client.fail = AccountApiError(429 if code == "too_many_codes" else 423, code, retry_after=1500)
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateProcedureForm().validate_account_ref("N123456789", dispatcher, CHOSEN, {}))
    assert dispatcher.messages[0]["buttons"] == [{"title": "担当者と話す", "payload": "/request_human"}]
