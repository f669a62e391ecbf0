"""Intent accuracy on the held-out test set (tests/nlu, never used for training) stays >= 0.95."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from devstack.config import ROOT
from devstack.model import latest_model

MIN_ACCURACY = 0.95


def test_intent_accuracy_on_held_out_test_set(tmp_path: Path) -> None:
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
            "nlu",
            "--nlu",
            "tests/nlu",
            "--model",
            str(model),
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "intent_report.json").read_text())
    assert report["macro avg"]["support"] >= 300  # the whole test set was evaluated
    worst = sorted(
        ((name, v["f1-score"]) for name, v in report.items() if isinstance(v, dict) and "confused_with" in v),
        key=lambda item: item[1],
    )[:5]
    assert report["accuracy"] >= MIN_ACCURACY, f"accuracy {report['accuracy']:.3f}; weakest intents {worst}"
