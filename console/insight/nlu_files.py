"""Reading the examples of Rasa NLU YAML files, to compare texts (never to show them)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

# [text](entity), [text]{"entity": ...}: the annotation is not part of what the customer typed.
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def comparable(text: str) -> str:
    """The text as compared for duplicates: NFKC, case-folded, without spaces and punctuation."""
    text = unicodedata.normalize("NFKC", _ANNOTATION.sub(r"\1", text)).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def examples(path: Path) -> Iterator[tuple[str, str]]:
    """(intent, example text) of a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield block["intent"], line[2:]


def comparable_texts(paths: Iterable[Path]) -> set[str]:
    return {comparable(text) for path in paths for _, text in examples(path)}
