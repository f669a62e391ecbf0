"""The scaled mode's port check: a port of the layout held by someone else stops `up`, even while
other parts of ours are running (each port is checked against the part that should listen there)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from deploy.scaled import ScaledStack
from deploy.settings import load
from devstack.ports import free_block


def test_a_foreign_listener_on_one_port_is_reported_while_our_sandbox_runs(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    base = free_block(range(0, 30))
    env = {"SCALED_MODEL": str(model)}
    stack = ScaledStack(load(env=env, base_port=base, state_dir=tmp_path / "state"))
    ports = stack.s.ports
    sandbox = stack.managed("sandbox")
    marker = f"sandbox-stand-in-{base}"
    sandbox.start([sys.executable, "-c", "import time, sys; time.sleep(60)", marker], {}, tmp_path, marker=marker)
    foreign = socket.socket()
    try:
        foreign.bind(("127.0.0.1", ports.redis))
        foreign.listen()
        with pytest.raises(RuntimeError, match=rf"ports in use by something else: \[{ports.redis}\]"):
            stack.check_can_start(1, 1)
    finally:
        foreign.close()
        sandbox.stop(grace=1)
