"""Our patches to Rasa internals: each was written against a Rasa version and its functions' source;
the server refuses to start when they differ, and a plain `rasa run` gets the patches too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot_server import rasa_patches
from devstack.config import Ports, service_env

ROOT = Path(__file__).resolve().parents[1]


def test_every_patch_names_its_rasa_version_and_the_functions_it_replaces() -> None:
    patches = rasa_patches.patches()
    assert {p.name for p in patches} >= {
        "reply when the action server is down",
        "compiled validation of action-server responses",
        "rate and body limits at the app and the agent",
    }
    for patch in patches:
        assert patch.rasa_version.count(".") == 2 and patch.replaces, patch.name


@pytest.mark.parametrize(
    "patch, target",
    [(p.name, target) for p in rasa_patches.patches() for target in p.replaces],
)
def test_the_patched_rasa_function_is_the_one_the_patch_was_written_against(patch: str, target: str) -> None:
    written_for = next(p for p in rasa_patches.patches() if p.name == patch)
    assert rasa_patches.source_hash(target) == written_for.replaces[target], (
        f"Rasa's {target} changed since Rasa {written_for.rasa_version}: read the patch '{patch}' again"
    )


def test_a_changed_rasa_function_stops_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa_patches, "_applied", False)
    monkeypatch.setattr(rasa_patches, "source_hash", lambda target: "0" * 64)
    with pytest.raises(rasa_patches.PatchMismatch, match="Refusing to start"):
        rasa_patches.apply_all()


def test_a_plain_rasa_run_applies_the_patches_when_it_creates_the_channels(tmp_path: Path) -> None:
    """What `rasa run --credentials credentials.yml` does first, in a fresh interpreter."""
    script = """
from rasa.core.run import create_http_input_channels
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
import rasa.core.run
channels = create_http_input_channels(None, "credentials.yml")
assert channels[0].name() == "rasa_patches", [c.name() for c in channels]
print(RemoteAction.run.__module__, RemoteAction._validate_action_result.__module__)
print(rasa.core.run.configure_app.__module__, Agent.handle_message.__module__)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=service_env(Ports(), base={"PATH": "/usr/bin:/bin"}, var_dir=tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == [
        "bot_server.action_fallback",
        "bot_server.action_validation",
        "bot_server.rate_limit",
        "bot_server.rate_limit",
    ]
