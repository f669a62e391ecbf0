"""One line per test set from `rasa test nlu` reports (used by `make nlu-eval`).

    .venv/bin/python benchmarks/nlu_eval_report.py results/nlu results/nlu-blind
    .venv/bin/python benchmarks/nlu_eval_report.py --smoke   # a made-up report: checks the line is built

The blind set's figure is also given over the intents the model has training data for:
intents not in data/nlu yet can't be right and are counted apart (issue 8).

For a set split into one file per kind of message (tests/nlu/blind/), it also prints the accuracy per
kind and the most frequent confusions (gold -> predicted intent, counts only): the aggregate figures
the blind set's README allows anyone to read. No message text is ever printed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
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


def _kind_of_text(test_dir: Path) -> dict[str, str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return {
        message.get("text"): path.relative_to(test_dir).with_suffix("").as_posix()
        for path in sorted(test_dir.rglob("*.yml"))
        for message in load_data(str(path)).intent_examples
    }


def breakdown(report_dir: Path, test_dir: Path, top: int = 15) -> str:
    """Accuracy per kind (file name) and the most frequent confusions; counts only."""
    kinds = _kind_of_text(test_dir)
    errors = json.loads((report_dir / "intent_errors.json").read_text(encoding="utf-8"))
    totals = Counter(kinds.values())
    wrong = Counter(kinds.get(e["text"], "?") for e in errors)
    rows = [f"  {kind:14s} n={n:4d} accuracy {1 - wrong[kind] / n:.3f}" for kind, n in sorted(totals.items())]
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    rows += ["  most frequent confusions (gold -> predicted: count):"]
    rows += [f"    {gold} -> {pred}: {n}" for (gold, pred), n in pairs.most_common(top)]
    return "\n".join(rows)


def smoke_report(folder: Path) -> Path:
    """A two-intent report in `rasa test nlu`'s format, one of them not trained."""
    intents = {
        "forgot_password": {"precision": 1.0, "recall": 0.9, "f1-score": 0.95, "support": 10, "confused_with": {}},
        "not_a_trained_intent": {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 2, "confused_with": {}},
    }
    report = {**intents, "accuracy": 0.75, "macro avg": {"f1-score": 0.475}}
    (folder / "intent_report.json").write_text(json.dumps(report), encoding="utf-8")
    return folder


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--smoke"]:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            print(line(smoke_report(Path(folder))))
        sys.exit(0)
    for arg in args:
        print(line(Path(arg)))
    blind = ROOT / "tests" / "nlu" / "blind"
    for arg in args:
        if Path(arg).name == "nlu-blind" and blind.is_dir():
            print(breakdown(Path(arg), blind))
