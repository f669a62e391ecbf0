"""The compiled validator accepts what Rasa accepts and rejects what Rasa rejects."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot_server import action_validation


def test_compiled_validator_matches_rasa() -> None:
    action_validation.install()
    action = RemoteAction("action_answer", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"no_event_key": 1}], "responses": []})
