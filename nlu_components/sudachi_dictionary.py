"""One Sudachi system dictionary per process, shared by the tokenizer and the reading view: each
`Dictionary()` loads its own copy of the system dictionary (benchmarks/README.md: Rasa's RSS)."""

from __future__ import annotations

from functools import cache

from sudachipy import Dictionary


@cache
def sudachi_dictionary() -> Dictionary:
    return Dictionary()
