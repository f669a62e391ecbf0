"""Train the model only when it is missing or older than what it is trained from."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from devstack.config import ROOT

MODELS = ROOT / "models"
MODEL_NAME = "ocn-bot"
TRAINING_INPUTS = ("data", "domain.yml", "config.yml", "nlu_components", "ocn_ids")


def latest_model(models: Path = MODELS) -> Path | None:
    found = sorted(models.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def _newest_input_mtime(inputs: Iterable[str]) -> float:
    newest = 0.0
    for name in inputs:
        path = ROOT / name
        files = (
            [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        )
        newest = max([newest] + [f.stat().st_mtime for f in files])
    return newest


def needs_training() -> bool:
    model = latest_model()
    return model is None or model.stat().st_mtime < _newest_input_mtime(TRAINING_INPUTS)


def train(env: dict) -> Path:
    subprocess.run(
        [sys.executable, "-m", "bot_server", "train", "--fixed-model-name", MODEL_NAME, "--out", str(MODELS)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    model = latest_model()
    assert model is not None
    return model
