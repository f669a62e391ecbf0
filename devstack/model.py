"""Train the model only when what it is trained from has changed since it was trained.

The inputs' fingerprint (a hash of every file's path and content) is stored beside the model: file
times alone miss a deleted or renamed training file, which left a stale model in place.
"""

from __future__ import annotations

import hashlib
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


def inputs_fingerprint(inputs: Iterable[str] = TRAINING_INPUTS, root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in inputs:
        path = root / name
        files = [path] if path.is_file() else path.rglob("*")
        for file in sorted(f for f in files if f.is_file() and "__pycache__" not in f.parts):
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _fingerprint_file(model: Path) -> Path:
    return model.with_name(model.name + ".inputs")


def needs_training() -> bool:
    model = latest_model()
    if model is None or not _fingerprint_file(model).is_file():
        return True
    return _fingerprint_file(model).read_text().strip() != inputs_fingerprint()


def train(env: dict) -> Path:
    fingerprint = inputs_fingerprint()  # of the inputs as they were when training started
    subprocess.run(
        [sys.executable, "-m", "bot_server", "train", "--fixed-model-name", MODEL_NAME, "--out", str(MODELS)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    model = latest_model()
    assert model is not None
    _fingerprint_file(model).write_text(fingerprint + "\n")
    return model
