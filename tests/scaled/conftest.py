"""The scaled mode, started for real by `python -m deploy.scaled up` into var/test-scaled/ on free
loopback ports: PostgreSQL, Redis, nginx, the sandbox, 1 action server and 2 Rasa servers.
Fails with the install command when the PostgreSQL, Redis or nginx binaries are missing (never skips)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scaled_chat import M_ACTIONS, N_RASA  # noqa: E402

from deploy.scaled import SCALED_NEEDS, ScaledStack  # noqa: E402
from deploy.settings import Ports, load  # noqa: E402
from devstack import system_packages  # noqa: E402
from devstack.ports import free_block  # noqa: E402

STATE_DIR = ROOT / "var" / "test-scaled"
SHELL_SECRET = "shell-secret-7d1c"  # tests/scaled/test_scaled_mode.py: no part inherits it


@pytest.fixture(scope="session")
def scaled_env() -> dict:
    # The tests drive the bot over REST through nginx, which routes it only when asked to (deploy/nginx.py).
    env = dict(os.environ, SCALED_STATE_DIR=str(STATE_DIR), PYTHONPATH=str(ROOT), SCALED_PUBLIC_REST="1")
    env["HANDOFF_HOURS"] = "00:00-24:00"  # a person can take over whatever the time of the test run
    env["OPERATOR_SHELL_TOKEN"] = SHELL_SECRET  # a secret of the operator's shell no part may inherit
    for key in (
        "RASA_API_TOKEN",
        "SCALED_LISTEN_HOST",
        "SCALED_LOCK_STORE_TYPE",
        "LOCK_STORE_DB",
        "TRACKER_STORE_URL",
        "ACTION_ENDPOINT_URL",
        "LOCK_STORE_TYPE",
        "CONSOLE_STORE_URL",
        "CONSOLE_SERVICE_TOKEN",
        "RASA_URL",
    ):
        env.pop(key, None)
    return env


@pytest.fixture(scope="session")
def scaled(scaled_env: dict) -> Iterator[ScaledStack]:
    missing = system_packages.require(*SCALED_NEEDS)
    if missing:
        pytest.fail(missing)
    if not any((ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model: run `make train` (make test does)")
    # A previous run that died may have left processes and data: stop them, delete it, start clean.
    if STATE_DIR.exists():
        subprocess.run(
            [sys.executable, "-m", "deploy.scaled", "down", "--purge"],
            cwd=ROOT,
            env=scaled_env,
            capture_output=True,
            timeout=120,
        )
    base = free_block(Ports(0).by_part(N_RASA, M_ACTIONS))
    up = subprocess.run(
        [
            sys.executable,
            "-m",
            "deploy.scaled",
            "up",
            "--rasa",
            str(N_RASA),
            "--actions",
            str(M_ACTIONS),
            "--base-port",
            str(base),
        ],
        cwd=ROOT,
        env=scaled_env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert up.returncode == 0, f"scaled up failed:\n{up.stdout}\n{up.stderr}"
    stack = ScaledStack(load(env=scaled_env, base_port=base, state_dir=STATE_DIR))
    stack.up_output = up.stdout  # type: ignore[attr-defined]
    yield stack
    subprocess.run(
        [sys.executable, "-m", "deploy.scaled", "down"], cwd=ROOT, env=scaled_env, capture_output=True, timeout=120
    )
    # The logs stay in var/test-scaled for a look; the cluster may live outside the clone, so it goes now.
    stack.pg.remove()
