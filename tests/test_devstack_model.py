"""`make run` / `make test` retrain exactly when what the model is trained from has changed."""

from __future__ import annotations

from pathlib import Path

from devstack.model import inputs_fingerprint

INPUTS = ("data", "config.yml")


def _project(root: Path) -> None:
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "data" / "nlu" / "a.yml").write_text("a")
    (root / "data" / "nlu" / "b.yml").write_text("b")
    (root / "config.yml").write_text("pipeline: []")


def test_deleting_a_training_file_changes_the_fingerprint(tmp_path: Path) -> None:
    _project(tmp_path)
    before = inputs_fingerprint(INPUTS, tmp_path)
    (tmp_path / "data" / "nlu" / "b.yml").unlink()
    assert inputs_fingerprint(INPUTS, tmp_path) != before


def test_editing_or_renaming_changes_it_and_touching_does_not(tmp_path: Path) -> None:
    _project(tmp_path)
    before = inputs_fingerprint(INPUTS, tmp_path)
    (tmp_path / "config.yml").touch()
    assert inputs_fingerprint(INPUTS, tmp_path) == before
    (tmp_path / "data" / "nlu" / "a.yml").rename(tmp_path / "data" / "nlu" / "c.yml")
    renamed = inputs_fingerprint(INPUTS, tmp_path)
    assert renamed != before
    (tmp_path / "data" / "nlu" / "c.yml").write_text("changed")
    assert inputs_fingerprint(INPUTS, tmp_path) != renamed
