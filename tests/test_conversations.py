"""Rasa's conversation tests (tests/conversations/) with the trained model, run end to end.

`rasa test core --e2e` sends each story's customer text through the NLU pipeline and compares the
predicted intent as well as the next action. Without `--e2e` Rasa takes the story's intent as given
and only the dialogue policies are tested. In this mode Rasa loads only files named `test_*.yml`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from devstack.config import ROOT
from devstack.model import latest_model


def test_conversation_stories_pass(tmp_path: Path) -> None:
    model = latest_model()
    assert model, "train first (make train)"
    env = dict(
        os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot_server",
            "test",
            "core",
            "--stories",
            "tests/conversations",
            "--model",
            str(model),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
            "--e2e",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = tmp_path / "story_report.json"
    assert report.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
    story_files = sorted((ROOT / "tests" / "conversations").glob("*.yml"))
    assert all(path.name.startswith("test_") for path in story_files), "--e2e loads only test_*.yml files"
    stories = sum(path.read_text().count("- story:") for path in story_files)
    assert stories >= 30
    # Rasa's summary line for the conversations: every one of them was evaluated and correct.
    assert re.search(rf"Correct:\s+{stories} / {stories}\b", result.stdout + result.stderr), details
