"""Tiny NLU data for the benchmarks' `--smoke` runs: a few intents of data/nlu with a few examples
each, so a smoke run trains in seconds (its figures mean nothing; it only shows the script runs)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
INTENTS, TRAIN_PER_INTENT, TEST_PER_INTENT = 3, 6, 2


def _examples_by_intent() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            lines = [line.strip()[2:].strip() for line in (block.get("examples") or "").splitlines()]
            texts = [text for text in lines if text and "[" not in text]  # no entity markup
            found.setdefault(block["intent"], []).extend(texts)
    return found


def _write(path: Path, rows: dict[str, list[str]]) -> Path:
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in rows.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {text}" for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tiny_nlu(folder: Path) -> tuple[Path, Path]:
    """(training file, test file) in `folder`: INTENTS intents, disjoint examples."""
    chosen = [(i, t) for i, t in _examples_by_intent().items() if len(t) >= TRAIN_PER_INTENT + TEST_PER_INTENT]
    chosen = chosen[:INTENTS]
    train = {intent: texts[:TRAIN_PER_INTENT] for intent, texts in chosen}
    test = {intent: texts[TRAIN_PER_INTENT : TRAIN_PER_INTENT + TEST_PER_INTENT] for intent, texts in chosen}
    folder.mkdir(parents=True, exist_ok=True)
    return _write(folder / "train.yml", train), _write(folder / "test.yml", test)
