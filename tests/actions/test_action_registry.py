"""The action server serves exactly the actions domain.yml declares: rasa_sdk (`rasa run actions`) imports
the `actions` package and every module in it and registers every concrete Action subclass by its name(),
so an action lost or renamed in a move (or a base class registered under a half name) shows here."""

from __future__ import annotations

import yaml
from rasa_sdk.executor import ActionExecutor

from devstack.config import ROOT


def served_actions() -> set[str]:
    executor = ActionExecutor()
    executor.register_package("actions")  # as the action server does when it starts
    # Only this package's: Action subclasses defined by other tests in this process register too.
    return {
        name
        for name, run in executor.actions.items()
        if type(getattr(run, "__wrapped__", run).__self__).__module__.startswith("actions.")
    }


def test_the_action_server_serves_every_action_the_domain_declares_and_no_other() -> None:
    declared = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["actions"])
    assert served_actions() == declared
