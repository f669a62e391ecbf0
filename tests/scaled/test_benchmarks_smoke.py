"""Every script in benchmarks/ still runs: each is started with `--smoke` (seconds, tiny sizes), so a
script that rots (an API it uses moved, a file format changed) fails here instead of in the next
benchmark run, and a new script without a smoke mode fails too (argparse refuses `--smoke`).

The scripts that measure the running scaled mode run against the tests' scaled stack (tests/scaled/
conftest.py; marker scaled); handoff_latency.py and blind_conversations.py start their own product
stack (marker stack)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py") if 'if __name__ == "__main__"' in p.read_text())
# What the script measures, besides --smoke: the scaled mode the tests started.
AGAINST_SCALED = {"faults.py": [], "load.py": ["scaled"], "memory.py": ["--scaled"], "rest_latency.py": ["scaled"]}
STARTS_A_STACK = {"blind_conversations.py", "handoff_latency.py"}
SMOKE_SECONDS = 150  # per script; most take a few seconds, the ones that train or start a stack under a minute


def _marks(name: str) -> list[pytest.MarkDecorator]:
    if name in AGAINST_SCALED:
        return [pytest.mark.scaled]
    return [pytest.mark.stack] if name in STARTS_A_STACK else []


def test_the_scripts_are_found() -> None:
    assert {"faults.py", "load.py", "retention.py", "train_time.py"} <= set(SCRIPTS)
    assert "nlu_metrics.py" not in SCRIPTS  # a module the scripts import, not a script


@pytest.mark.parametrize("script", [pytest.param(name, marks=_marks(name)) for name in SCRIPTS])
def test_every_benchmark_runs_in_smoke_mode(script: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    env = None
    if script in AGAINST_SCALED:
        request.getfixturevalue("scaled")
        env = request.getfixturevalue("scaled_env")
    command = [sys.executable, str(BENCHMARKS / script), *AGAINST_SCALED.get(script, []), "--smoke"]
    started = time.monotonic()
    with (tmp_path / "output.log").open("w+") as log:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=300)
        log.seek(0)
        output = log.read()
    seconds = time.monotonic() - started
    assert done.returncode == 0, f"{script} --smoke failed ({done.returncode}):\n{output[-4000:]}"
    assert seconds < SMOKE_SECONDS, f"{script} --smoke took {seconds:.0f} s: keep smoke runs small"
