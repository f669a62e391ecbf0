"""Shared fixtures: the project root on sys.path, and the running product stack."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.stack import RunningStack, start_stack  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """Account sandbox + action server + Rasa server on free loopback ports (shared)."""
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()
