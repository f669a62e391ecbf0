"""Assigned review items as Rasa NLU YAML (data/nlu/review.yml), never duplicating a test message.

Test messages are compared as `comparable()` texts only (tests/nlu/*.yml, including the blind set,
whose messages nobody reads: they are loaded into a set of normalized strings and never shown).
Messages already in the other training files are left out too (the same text under two intents
would make `rasa data validate` complain). The redaction labels become the help page's sample
values, so the NLU learns the shape customers type (its tokenizer turns IDs and codes into
placeholders anyway).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot_server.redaction import CODE_MASK, PASSWORD_MASK, PHONE_MASK
from console.insight.nlu_files import comparable, comparable_texts
from console.insight.privacy import ID_MASKS, safe_text
from console.insight.review import ReviewItem

ROOT = Path(__file__).resolve().parents[2]
REVIEW_FILE = ROOT / "data" / "nlu" / "review.yml"
TEST_FILES_GLOBS = ("tests/nlu/*.yml", "tests/nlu/blind/*.yml")
SAMPLE_VALUES = {
    CODE_MASK: "123456",
    PHONE_MASK: "090-0000-0000",
    PASSWORD_MASK: "abcd1234",  # a made-up one: the customer's stays masked
    ID_MASKS["customer_number"]: "N123456789",  # the help page's example
    ID_MASKS["ocn_id"]: "example@ocn.ne.jp",
    ID_MASKS["connection_id"]: "abc12345@xxxx.ocn.ne.jp",
}
HEADER = (
    "# Customer messages reviewed by operators in the console (redacted), written by\n"
    "# `python -m console.insight review export` or the console's review page. Regenerated on every\n"
    "# export: change the decisions in the console, not this file.\n"
)


@dataclass
class ExportResult:
    path: Path
    written: int = 0
    duplicates_of_test: list[int] = field(default_factory=list)  # review item ids, never their texts
    already_trained: list[int] = field(default_factory=list)
    unknown_intent: list[int] = field(default_factory=list)


def domain_intents(root: Path = ROOT) -> list[str]:
    return list(yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))["intents"])


def printable(text: str) -> str:
    """The text without control and format characters (C0/C1 controls such as NUL and DEL, bidi marks,
    surrogates, unassigned code points): YAML refuses most of them, so one would break `make train`,
    and none is something a customer meant to type. Each becomes a space."""
    return "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)


def example_text(text: str) -> str:
    """What is written for one review item: redacted again (the item may predate a redaction rule; this
    file goes into the repository's training data), printable, masks turned into sample values."""
    text = safe_text(printable(text))
    for mask, value in SAMPLE_VALUES.items():
        text = text.replace(mask, value)
    # Square brackets start an entity annotation in Rasa's format; customers' are kept as full-width.
    return " ".join(text.replace("[", "［").replace("]", "］").split())


def export(assigned: list[ReviewItem], path: Path = REVIEW_FILE, root: Path = ROOT) -> ExportResult:
    result = ExportResult(path)
    test_set = comparable_texts(p for pattern in TEST_FILES_GLOBS for p in sorted(root.glob(pattern)))
    training = comparable_texts(p for p in sorted((root / "data" / "nlu").glob("*.yml")) if p.name != path.name)
    intents = set(domain_intents(root))
    by_intent: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for item in sorted(assigned, key=lambda i: i.id):
        text = example_text(item.text)
        key = comparable(text)
        if item.intent not in intents:
            result.unknown_intent.append(item.id)
        elif key in test_set:
            result.duplicates_of_test.append(item.id)
        elif key in training:
            result.already_trained.append(item.id)
        elif key and key not in seen:
            seen.add(key)
            by_intent[str(item.intent)].append(text)
    blocks = [
        f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {text}\n" for text in texts)
        for intent, texts in sorted(by_intent.items())
    ]
    result.written = sum(len(texts) for texts in by_intent.values())
    if result.written:
        path.write_text(HEADER + 'version: "3.1"\n\nnlu:\n' + "\n".join(blocks), encoding="utf-8")
    elif path.exists():
        path.unlink()  # nothing assigned any more: no stale examples in the next training
    return result
