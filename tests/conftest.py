"""Shared fixtures: the project root on sys.path, and the running product stack.

No silent skips: a run in which any test was skipped fails (a missing system package makes its
tests fail with the install command instead, see devstack/system_packages.py). Leaving tests out
is asked for explicitly with markers, e.g. `make test-quick` (-m "not browser and not scaled");
those are deselected and counted as such."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.channels.line_fakes import ACCESS_TOKEN, CHANNEL_SECRET, FakeLineApi, LoopThread  # noqa: E402
from tests.support.stack import SHARED_LOOPBACK, RunningStack, start_stack  # noqa: E402


def _skipped(config: pytest.Config) -> int:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return len(reporter.stats.get("skipped", [])) if reporter else 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped(session.config) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = _skipped(config)
    if skipped:
        terminalreporter.write_sep(
            "=", f"{skipped} skipped: the run fails, a skip is a test that did not run", red=True
        )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """Account sandbox + action server + Rasa server on free loopback ports (shared)."""
    # At DEBUG Rasa logs every message text: the redaction tests read the logs where texts are in them.
    # Every test customer comes from 127.0.0.1: one network, one client for the queue's unverified caps
    # (1 per client, 2 per network by default; tests/console and test_handoff_limits.py test those).
    running = start_stack(tmp_path_factory.mktemp("stack"), extra_env={"LOG_LEVEL": "DEBUG", **SHARED_LOOPBACK})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def line_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningStack, FakeLineApi]]:
    """The product stack with its LINE channel pointed at a fake LINE API on loopback (one per module)."""
    loop = LoopThread()
    fake = FakeLineApi()
    loop.run(fake.start())
    running = start_stack(
        tmp_path_factory.mktemp("line"),
        extra_env={
            "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
            "LINE_API_BASE_URL": fake.url,
        },
    )
    yield running, fake
    running.stop()
    loop.run(fake.stop())
    loop.stop()
