"""An action that raises answers the customer with an apology and keeps the conversation's state
(actions/safety_net.py): run through rasa_sdk's own executor, as the action server runs it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

import actions  # noqa: F401 - installs the safety net, as the action server's import of the package does
from actions.procedure_form import ValidateProcedureForm
from actions.safety_net import FAILED_RESPONSE, guarded
from devstack.config import ROOT
from tests.actions.trackers import tracker

DOMAIN_YML = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


class HalfDoneThenBroken(Action):
    """Says something and then fails, like a reply built from a slot nobody expected to be empty."""

    def name(self) -> str:
        return "action_test_half_done_then_broken"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_answer_half")
        raise KeyError(f"the code {tracker.latest_message['text']} for 090-1234-5678")


class Rejecting(Action):
    def name(self) -> str:
        return "action_test_rejecting"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> list[dict[str, Any]]:
        raise ActionExecutionRejection(self.name())


def failures(action: str) -> float:
    return REGISTRY.get_sample_value("ocn_actions_failures_total", {"action": action}) or 0.0


def call(executor: ActionExecutor, action: str, t: Tracker, domain: dict[str, Any] | None = None) -> dict[str, Any]:
    return asyncio.run(executor.run({"next_action": action, "tracker": t.current_state(), "domain": domain or {}}))


def test_a_raising_action_answers_with_the_apology_keeps_no_half_reply_and_is_counted(caplog) -> None:
    executor = ActionExecutor()
    executor.register_action(HalfDoneThenBroken())
    before = failures("action_test_half_done_then_broken")
    with caplog.at_level(logging.ERROR, logger="actions.safety_net"):
        answer = call(executor, "action_test_half_done_then_broken", tracker("inform", text="コードは 482913 です"))
    assert answer["events"] == []
    assert [m["response"] for m in answer["responses"]] == [FAILED_RESPONSE]
    assert failures("action_test_half_done_then_broken") == before + 1
    assert "action_test_half_done_then_broken failed" in caplog.text and "KeyError" in caplog.text
    assert "482913" not in caplog.text and "1234-5678" not in caplog.text  # the traceback is redacted too


def test_a_form_rejecting_the_message_is_not_a_failure() -> None:
    executor = ActionExecutor()
    executor.register_action(Rejecting())
    before = failures("action_test_rejecting")
    with pytest.raises(ActionExecutionRejection):
        call(executor, "action_test_rejecting", tracker())
    assert failures("action_test_rejecting") == before


def test_the_form_validation_raising_sets_no_slot_so_the_form_asks_again(monkeypatch) -> None:
    """The customer's ID would otherwise be taken unvalidated or the form's events lost with the call."""

    async def broken(*_: Any) -> dict[str, Any]:
        raise ValueError("an ID nobody expected")

    monkeypatch.setattr(ValidateProcedureForm, "validate_account_ref", broken)
    executor = ActionExecutor()
    executor.register_action(ValidateProcedureForm())
    t = tracker(
        "inform",
        text="N123456789",
        slots={"procedure": "send_ocn_id", "requested_slot": "account_ref", "account_ref": "N123456789"},
        active_loop="procedure_form",
        events=[{"event": "slot", "name": "account_ref", "value": "N123456789"}],
    )
    domain = {"forms": {"procedure_form": {"required_slots": []}}, "slots": DOMAIN_YML["slots"]}
    answer = call(executor, "validate_procedure_form", t, domain)
    assert answer["events"] == []
    assert [m["response"] for m in answer["responses"]] == [FAILED_RESPONSE]


def test_every_action_the_server_serves_is_guarded_and_its_failures_start_at_zero() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    ours = {n: r for n, r in executor.actions.items() if n in DOMAIN_YML["actions"]}
    assert set(ours) == set(DOMAIN_YML["actions"])
    for name, run in ours.items():
        assert run.__code__ is guarded(name, run).__code__, f"{name} is not guarded"
        assert REGISTRY.get_sample_value("ocn_actions_failures_total", {"action": name}) is not None


def test_the_apology_offers_a_person() -> None:
    [variant] = DOMAIN_YML["responses"][FAILED_RESPONSE]
    assert [b["payload"] for b in variant["buttons"]] == ["/request_human"]
