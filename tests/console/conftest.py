"""A console process of its own (no Rasa behind it) for the sign-in, CSRF and queue tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from console_support import add_operator, start_console


@dataclass
class RunningConsole:
    url: str
    env: dict[str, str]
    var_dir: Path


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningConsole]:
    var_dir = tmp_path_factory.mktemp("console")
    # Room for the many conversations these tests take (capacity: tests/console/test_desk_flow.py).
    stack, url, env = start_console(var_dir, CONSOLE_MAX_CONVERSATIONS_PER_OPERATOR="100")
    for name in ("alice", "bob"):
        add_operator(env, name)
    yield RunningConsole(url, env, var_dir)
    stack.stop()
