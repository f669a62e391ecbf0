"""Rasa's training cache must not reuse what the old NLU code made (nlu_components/code_fingerprint.py)."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
import yaml
from rasa.engine.training.fingerprinting import calculate_fingerprint_key

from nlu_components import code_fingerprint as fingerprint_module
from nlu_components.code_fingerprint import CODE_FOLDERS, ROOT, code_fingerprint


def _our_components() -> list[type]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    found = []
    for step in pipeline:
        module, _, name = step["name"].rpartition(".")
        if module.startswith("nlu_components."):
            found.append(getattr(importlib.import_module(module), name))
    return found


def test_a_change_to_the_lexicon_or_the_normalization_changes_the_fingerprint(tmp_path: Path) -> None:
    for folder in CODE_FOLDERS:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_fingerprint(tmp_path)
    assert code_fingerprint(tmp_path) == before
    lexicon = tmp_path / "nlu_components" / "lexicon.py"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n# one more spelling\n", encoding="utf-8")
    after_lexicon = code_fingerprint(tmp_path)
    normalize = tmp_path / "ocn_ids" / "normalize.py"
    normalize.write_text(normalize.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert len({before, after_lexicon, code_fingerprint(tmp_path)}) == 3


@pytest.mark.parametrize("component", _our_components(), ids=lambda c: c.__name__)
def test_every_step_of_ours_is_trained_afresh_when_the_nlu_code_changes(component: type, monkeypatch) -> None:
    # The class's own source is unchanged; only a module it calls (the lexicon, the reading) changed.
    monkeypatch.setattr(fingerprint_module, "_this_checkout", lambda: "code before")
    before = calculate_fingerprint_key(component, {}, {})
    monkeypatch.setattr(fingerprint_module, "_this_checkout", lambda: "code after")
    assert calculate_fingerprint_key(component, {}, {}) != before


def test_the_pipeline_has_components_of_ours() -> None:
    names = {c.__name__ for c in _our_components()}
    assert {"SudachiTokenizer", "SentenceLogisticRegressionClassifier"} <= names
