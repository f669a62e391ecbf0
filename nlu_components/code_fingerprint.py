"""The NLU code's own fingerprint, for Rasa's training cache.

Rasa caches each training step under a key made of the component's class source, its config and its
inputs (rasa/engine/training/fingerprinting.py, `calculate_fingerprint_key`), not the modules the class
calls. A change to the lexicon, the kana reading or the normalization therefore reused the tokens and
the classifier of the last training: `make train` and the benchmarks' cross-validation measured the old
code. Every component here adds the sources of `nlu_components/` and `ocn_ids/` to its key (Rasa's
`fingerprint_addon`), so any change to them trains afresh.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CODE_FOLDERS = ("nlu_components", "ocn_ids")


def code_fingerprint(root: Path = ROOT) -> str:
    """A hash of every Python file's path and content under the NLU's code folders."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for file in sorted((root / folder).rglob("*.py")):
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _this_checkout() -> str:
    return code_fingerprint()


class CodeFingerprinted:
    """Mixin for a Rasa graph component: its cached training output is keyed on the NLU code too."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return _this_checkout()
