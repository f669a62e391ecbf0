from __future__ import annotations

from pathlib import Path

import pytest

from console.insight.nlu_files import examples
from tests.insight.known_store import write_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def test_message() -> str:
    """A message of the (non-blind) NLU test set."""
    return next(text for _, text in examples(ROOT / "tests" / "nlu" / "test_nlu.yml") if "[" not in text)


@pytest.fixture
def tracker_url(tmp_path: Path, test_message: str) -> str:
    return write_store(tmp_path / "tracker.sqlite3", test_message)
