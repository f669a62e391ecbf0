"""One line per test set from `rasa test nlu` reports (used by `make nlu-eval`).

    .venv/bin/python benchmarks/nlu_eval_report.py results/nlu results/nlu-blind

The blind set's figure is also given over the intents the model has training data for:
intents not in data/nlu yet can't be right and are counted apart (issue 8).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def trained_intents() -> set[str]:
    intents: set[str] = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                intents.add(block["intent"])
    return intents


def line(report_dir: Path) -> str:
    report = json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8"))
    per_intent = {k: v for k, v in report.items() if isinstance(v, dict) and "confused_with" in v}
    known = {k: v for k, v in per_intent.items() if k in trained_intents()}
    unknown = {k: v for k, v in per_intent.items() if k not in trained_intents() and v["support"]}
    text = (
        f"{report_dir}: {int(sum(v['support'] for v in per_intent.values()))} messages, "
        f"intent accuracy {report['accuracy']:.3f}, macro-F1 {report['macro avg']['f1-score']:.3f}"
    )
    if unknown:
        support = sum(v["support"] for v in known.values())
        accuracy = sum(v["recall"] * v["support"] for v in known.values()) / support
        untrained = ", ".join(f"{name} {int(v['support'])}" for name, v in sorted(unknown.items()))
        text += (
            f"; over the {int(support)} messages of trained intents: accuracy {accuracy:.3f} "
            f"(not trained yet: {untrained})"
        )
    return text


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(line(Path(arg)))
