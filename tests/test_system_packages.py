"""`make test` installs the system packages the suite needs, or stops at once with the command."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from devstack import system_packages
from devstack.system_packages import Need


@pytest.fixture
def redis_missing(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    installed: set[str] = set()
    needs = (
        Need("redis", "redis-server", "lock store", lambda: "redis-server" in installed),
        Need("nginx", "nginx", "scaled mode", lambda: True),
    )
    monkeypatch.setattr(system_packages, "NEEDS", needs)
    commands: list[list[str]] = []

    def fake_run(command: list[str], **_: Any) -> subprocess.CompletedProcess:
        commands.append(command)
        if command[:2] == ["apt-get", "install"]:
            installed.update(command[2:])
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(system_packages.subprocess, "run", fake_run)
    monkeypatch.setattr(system_packages.shutil, "which", lambda name: f"/usr/bin/{name}")
    return commands


def test_as_root_the_missing_package_is_installed_with_apt(
    redis_missing: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 0)
    assert system_packages.ensure() == 0
    assert redis_missing[0] == ["apt-get", "update", "-q"]
    assert redis_missing[1][:2] == ["apt-get", "install"] and redis_missing[1][-1] == "redis-server"


def test_without_root_it_stops_with_the_exact_command(
    redis_missing: list[list[str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 1000)
    assert system_packages.ensure() == 2
    assert redis_missing == []
    assert (
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server" in capsys.readouterr().err
    )


def test_everything_the_suite_needs_is_on_this_machine() -> None:
    # `make test` ran `python -m devstack.system_packages` first, so nothing may be missing here.
    assert system_packages.require(*(need.key for need in system_packages.NEEDS)) is None
