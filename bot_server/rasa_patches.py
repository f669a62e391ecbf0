"""Every change we make to Rasa's internals, in one registry, applied however the server starts.

A patch module registers itself with `register(...)`: a name, its install function, the Rasa version
it was written against and, for each Rasa function it replaces or wraps, the SHA-256 of that
function's source in that version. `apply_all()` checks every hash first and refuses (PatchMismatch)
when one differs — Rasa changed the function, so the patch must be read again — then installs them.

How the patches get applied:
- `python -m bot_server run ...` (devstack, deploy, Kubernetes) calls `apply_all()` before Rasa's CLI;
- a plain `rasa run` with our credentials.yml creates `bot_server.rasa_patches.RasaPatches` like any
  input channel, before it configures the app, and that applies them too (or refuses to start).

tests/test_rasa_patches.py fails when a patched Rasa function changes (hash) and checks the plain
`rasa run` path.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint

# Importing these registers their patches (the modules stay importable without side effects).
PATCH_MODULES = (
    "bot_server.action_fallback",
    "bot_server.api_token",
    "bot_server.easy_mode",
    "bot_server.action_validation",
    "bot_server.handoff_pause",
    "bot_server.http_api",
    "bot_server.metrics",
    "bot_server.rate_limit",
    "bot_server.session_start",
    "bot_server.tracker_stores",
)


class PatchMismatch(RuntimeError):
    """A Rasa function we patch is not the one the patch was written against."""


@dataclass(frozen=True)
class Patch:
    name: str
    install: Callable[[], None]
    rasa_version: str  # the Rasa version the patch was written against
    replaces: dict[str, str]  # "module:Qualified.name" of each Rasa function → sha256 of its source


_registry: dict[str, Patch] = {}
_originals: dict[str, Any] = {}  # Rasa's own functions, kept before the first patch replaces them
_applied = False


def register(name: str, install: Callable[[], None], *, rasa_version: str, replaces: dict[str, str]) -> None:
    """Called once by each patch module, at import."""
    for target in replaces:
        _originals.setdefault(target, _resolve(target))
    _registry[name] = Patch(name, install, rasa_version, dict(replaces))


def _resolve(target: str) -> Any:
    module_name, _, qualname = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def original(target: str) -> Any:
    """Rasa's own function at `target`, even after a patch replaced it."""
    return _originals.get(target) or _resolve(target)


def source_hash(target: str) -> str:
    return hashlib.sha256(inspect.getsource(original(target)).encode()).hexdigest()


def patches() -> list[Patch]:
    for module in PATCH_MODULES:
        importlib.import_module(module)
    return list(_registry.values())


def mismatches() -> list[str]:
    """One line per patched Rasa function whose source is not the one its patch was written for."""
    import rasa

    found = []
    for patch in patches():
        for target, expected in patch.replaces.items():
            if source_hash(target) != expected:
                found.append(
                    f"{patch.name}: {target} differs from Rasa {patch.rasa_version}'s (installed: Rasa "
                    f"{rasa.__version__}); read the patch against the new code, then update its hash"
                )
    return found


def apply_all() -> None:
    """Checks every patch against the installed Rasa, then installs them all (idempotent)."""
    global _applied
    if _applied:
        return
    problems = mismatches()
    if problems:
        raise PatchMismatch("Refusing to start: Rasa changed under our patches:\n  " + "\n  ".join(problems))
    for patch in patches():
        patch.install()
    _applied = True


def applied() -> bool:
    return _applied


class RasaPatches(InputChannel):
    """Listed first in credentials.yml so a plain `rasa run` applies the patches too: Rasa creates
    its input channels before it configures the app. It receives no messages."""

    @classmethod
    def name(cls) -> str:
        return "rasa_patches"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        apply_all()
        return cls()

    def blueprint(self, on_new_message: Callable[..., Any]) -> Blueprint:
        return Blueprint("rasa_patches", __name__)
