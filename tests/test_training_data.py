"""`rasa data validate`: no errors, and no warning that matters.

Rasa warns about responses that no story or rule names; ours are sent by custom actions
(actions/*.py), so such a warning matters only for a response no action sends either.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml

from actions.links import CONTACT_RESPONSES, contact_response
from actions.topics import TOPICS
from benchmarks.blind_import import examples, key
from devstack.config import ROOT

UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")


def responses_sent_outside_rules() -> set[str]:
    """Sent by custom actions, or by a form asking for its slots (utter_ask_<slot>)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    sent = {f"utter_ask_{slot}" for form in domain["forms"].values() for slot in form["required_slots"]}
    for folder in ("actions", "bot_server"):
        for path in (ROOT / folder).glob("*.py"):
            sent |= set(re.findall(r'"(utter_\w+)"', path.read_text()))
    sent |= {f"utter_answer_{intent}" for intent in TOPICS}
    sent |= {f"utter_confirm_connection_{method}" for method in ("sms", "post", "mypage")}
    # Sent by actions.links.contact_response while no contact page is configured.
    sent |= {contact_response(name, env={}) for name in CONTACT_RESPONSES}
    return sent


def test_rasa_data_validate_has_no_warnings_that_matter() -> None:
    env = dict(
        os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1"
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot_server", "data", "validate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "UserWarning" in line or " WARNING " in line or "ERROR" in line]
    unused = {m.group(1) for line in warnings for m in [UNUSED.search(line)] if m}
    assert unused <= responses_sent_outside_rules(), (
        f"responses nobody sends: {sorted(unused - responses_sent_outside_rules())}"
    )
    others = [line for line in warnings if not UNUSED.search(line)]
    assert not others, "\n".join(others)


def _examples(pattern: str) -> set[str]:
    """Every example under `pattern`, compared as benchmarks/blind_import.py compares them (no text is printed)."""
    return {key(text) for path in ROOT.glob(pattern) for _, text in examples(path)}


def test_no_blind_message_is_in_the_training_data() -> None:
    """The blind set measures messages the model has never seen; a training example that equals one
    (after NFKC and lower-casing) would turn it into a memory test."""
    shared = _examples("tests/nlu/blind/**/*.yml") & _examples("data/nlu/*.yml")
    assert not shared, f"{len(shared)} blind messages also stand in data/nlu/ (write different training sentences)"


def test_no_new_data_message_is_in_the_training_data() -> None:
    """The issue-23 "new data" (tests/nlu/new_issue23/, tests/nlu/new_noisy/) is what the pipeline is chosen on besides the
    held-out set and CV; a training example equal to one of its messages would score memory."""
    shared = _examples("tests/nlu/new_issue23/*.yml") & _examples("data/nlu/*.yml")
    shared |= _examples("tests/nlu/new_noisy/*.yml") & _examples("data/nlu/*.yml")
    assert not shared, f"new-data messages also in data/nlu/: {sorted(shared)}"
