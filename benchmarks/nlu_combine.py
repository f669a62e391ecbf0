"""Combining config.yml's classifier with the TF-IDF character baseline, decided on 5-fold CV + held-out.

Input: `var/benchmarks/fallback_threshold_config_cv5.json` from
`benchmarks/fallback_threshold.py --cv 5` run on config.yml WITHOUT the combination
(`char_tfidf_weight: 0`): every held-out and out-of-fold data/nlu message with the classifier's
whole ranking. This script trains the TF-IDF char 1-3 LogisticRegression (NFKC text, C 10: the
component's `char_tfidf_*` recipe) on the same folds (StratifiedKFold 5, seed 42) and on all of
data/nlu for the held-out set, combines the two probability vectors offline for each weight, then
for each weight re-calibrates the FallbackClassifier thresholds with fallback_threshold.py's rule and
replays the bot's reaction (benchmarks/nlu_metrics.py): accuracy, direct, confidently wrong, one click,
paired bootstrap against weight 0. The blind set plays no part.

    sed 's/char_tfidf_weight: 0.4/char_tfidf_weight: 0.0/' config.yml > var/benchmarks/config_no_tfidf.yml
    .venv/bin/python benchmarks/fallback_threshold.py --config var/benchmarks/config_no_tfidf.yml --cv 5
    .venv/bin/python benchmarks/nlu_combine.py \
        --input var/benchmarks/fallback_threshold_var_benchmarks_config_no_tfidf_cv5.json
    .venv/bin/python benchmarks/nlu_combine.py --smoke   # made-up rankings: checks the tables are built
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import nlu_metrics as metrics  # noqa: E402
from fallback_threshold import AMBIGUITIES, THRESHOLDS, TRAIN_DATA, analyse  # noqa: E402

from nlu_components.logreg_classifier import sentence_spans  # noqa: E402
from ocn_ids.normalize import nfkc  # noqa: E402

WEIGHTS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0]


def _tfidf_model() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=True),
        LogisticRegression(C=10.0, max_iter=2000, random_state=42),
    )


def tfidf_probabilities(heldout_texts: list[str]) -> tuple[list[dict[str, float]], list[dict[str, float]], list[str]]:
    """(held-out, out-of-fold data/nlu) TF-IDF probabilities and the data/nlu gold, fallback_threshold's folds."""
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.model_selection import StratifiedKFold

    examples = [m for m in load_data(TRAIN_DATA).intent_examples if m.get("text") and m.get("intent")]
    texts, gold = [nfkc(m.get("text")) for m in examples], [m.get("intent") for m in examples]

    def fit_predict(train: list[int], test: list[str]) -> list[dict[str, float]]:
        model = _tfidf_model().fit([texts[i] for i in train], [gold[i] for i in train])
        classes = list(model.classes_)
        return [dict(zip(classes, map(float, p), strict=True)) for p in model.predict_proba(test)]

    heldout = fit_predict(list(range(len(texts))), [nfkc(t) for t in heldout_texts])
    cv: list[dict[str, float]] = [{}] * len(texts)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=42).split(texts, gold):
        for i, probabilities in zip(test, fit_predict(list(train), [texts[i] for i in test]), strict=True):
            cv[i] = probabilities
    return heldout, cv, gold


def combine(base: dict[str, float], other: dict[str, float], weight: float, how: str) -> list[dict[str, Any]]:
    names = sorted(set(base) | set(other))
    a = np.array([base.get(n, 0.0) for n in names])
    b = np.array([other.get(n, 0.0) for n in names])
    if how == "linear":
        p = (1 - weight) * a + weight * b
    else:
        log_mean = (1 - weight) * np.log(np.maximum(a, 1e-12)) + weight * np.log(np.maximum(b, 1e-12))
        p = np.exp(log_mean - log_mean.max())
        p /= p.sum()
    order = np.argsort(-p, kind="stable")
    return [{"name": names[i], "confidence": float(p[i])} for i in order]


def rows_for(records: list[dict[str, Any]], weight: float, how: str) -> list[dict[str, Any]]:
    """fallback_threshold.py rows (pred, top1, top2, correct, ranking) after the combination."""
    out = []
    for r in records:
        ranking = combine(r["base"], r["tfidf"], weight, how)
        out.append(
            {
                **{k: r[k] for k in ("text", "gold", "guarded", "split")},
                "ranking": ranking,
                "pred": ranking[0]["name"],
                "top1": ranking[0]["confidence"],
                "top2": ranking[1]["confidence"],
                "correct": ranking[0]["name"] == r["gold"],
            }
        )
    return out


def calibrate(rows: list[dict[str, Any]]) -> tuple[float, float]:
    """fallback_threshold.py's rule (<= 5 % false fallbacks on correct messages, ambiguity <= +1 point)."""
    grid = {(t, a): analyse(rows, rows[:1], t, a) for t in THRESHOLDS for a in AMBIGUITIES}
    ok = [t for t in THRESHOLDS if grid[(t, 0.0)]["false_fallback_correct"] <= 0.05]
    best_t, best_a = (max(ok) if ok else min(THRESHOLDS)), 0.0
    for a in AMBIGUITIES[1:]:
        if grid[(best_t, a)]["false_fallback_correct"] - grid[(best_t, 0.0)]["false_fallback_correct"] <= 0.01 + 1e-9:
            best_a = a
    return best_t, best_a


def outcomes(rows: list[dict[str, Any]], thresholds: tuple[float, float]) -> list[metrics.Outcome]:
    return [metrics.replay(r["text"], r["gold"], r["split"], r["ranking"], r["guarded"], thresholds) for r in rows]


def load_records(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))["indomain"]
    from rasa.shared.nlu.training_data.loading import load_data

    heldout_n = len(load_data("tests/nlu/test_nlu.yml").intent_examples)
    heldout, cv, cv_gold = tfidf_probabilities([r["text"] for r in data[:heldout_n]])
    assert [r["gold"] for r in data[heldout_n:]] == cv_gold, "input JSON is not from the same data/nlu"
    records = []
    for i, r in enumerate(data):
        split = "heldout" if i < heldout_n else ("cv_long" if len(sentence_spans(r["text"])) > 1 else "cv")
        base = {e["name"]: e["confidence"] for e in r["ranking"]}
        records.append({**r, "split": split, "base": base, "tfidf": (heldout + cv)[i]})
    return records


def _share(items: list[metrics.Outcome], field: str) -> float:
    if field == "accuracy":
        return sum(o.pred == o.gold for o in items) / len(items)
    return sum(bool(getattr(o, field)) for o in items) / len(items)


def table_row(label: str, got: list[metrics.Outcome], base: list[metrics.Outcome], splits: list[str]) -> str:
    """One markdown row: per split accuracy, then CV+held-out direct / conf. wrong / one click and
    paired differences to weight 0 (bootstrap 95 %)."""
    pick = lambda items, names: [o for o, s in zip(items, splits, strict=True) if s in names]  # noqa: E731
    cells = [label]
    for names in (("heldout",), ("cv", "cv_long"), ("cv_long",)):
        cells.append(f"{_share(pick(got, names), 'accuracy'):.3f}")
    for field in ("direct", "confidently_wrong", "one_click"):
        cells.append(f"{_share(got, field):.3f}")
    for field in ("accuracy", "one_click"):
        for names in (("heldout",), ("cv", "cv_long")):
            d, lo, hi = metrics.paired_difference(pick(got, names), pick(base, names), field)
            cells.append(f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    return "| " + " | ".join(cells) + " |"


def _made_up_ranking(rng: np.random.Generator, intents: list[str], top: str) -> dict[str, float]:
    p = rng.dirichlet(np.ones(len(intents)))
    p[intents.index(top)] += 2.0
    return dict(zip(intents, map(float, p / p.sum()), strict=True))


def smoke_records(count: int = 90) -> list[dict[str, Any]]:
    """Made-up rankings over four intents (most right, some wrong), in every split: seconds, no training."""
    rng = np.random.default_rng(7)
    intents = ["forgot_password", "check_ocn_id", "check_connection_id", "ask_id_types"]
    records = []
    for i in range(count):
        gold = intents[i % len(intents)]

        wrong = intents[(i + 1) % len(intents)]
        split = ("heldout", "cv", "cv_long")[i % 3]
        text = "パスワードを忘れました。" * (2 if split == "cv_long" else 1)
        base = _made_up_ranking(rng, intents, gold if i % 7 else wrong)
        tfidf = _made_up_ranking(rng, intents, gold if i % 5 else wrong)
        records.append({"text": text, "gold": gold, "guarded": False, "split": split, "base": base, "tfidf": tfidf})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=ROOT / "var/benchmarks/fallback_threshold_config_cv5.json")
    parser.add_argument("--smoke", action="store_true", help="made-up rankings instead of --input (seconds)")
    args = parser.parse_args()
    records = smoke_records() if args.smoke else load_records(args.input)
    splits = [r["split"] for r in records]
    counts = {s: splits.count(s) for s in ("heldout", "cv", "cv_long")}
    print(
        f"{counts['heldout']} held-out, {counts['cv'] + counts['cv_long']} out-of-fold data/nlu "
        f"({counts['cv_long']} of two or more sentences). Thresholds re-calibrated per row on all of them."
    )
    print()
    print(
        "| combination, weight (thresholds) | held-out acc | CV acc | CV 2+ sentences | direct | conf. wrong "
        "| one click | Δacc held-out | Δacc CV | Δone click held-out | Δone click CV |"
    )
    print("|---|" + "---:|" * 10)
    base_rows = rows_for(records, 0.0, "linear")
    base = outcomes(base_rows, calibrate(base_rows))
    for how in ("linear", "log"):
        for weight in WEIGHTS:
            if how == "log" and weight in (0.0, 1.0):
                continue  # the same as linear
            rows = rows_for(records, weight, how)
            thresholds = calibrate(rows)
            label = f"{how} {weight:.1f} ({thresholds[0]:.2f} / {thresholds[1]:.2f})"
            print(table_row(label, outcomes(rows, thresholds), base, splits), flush=True)


if __name__ == "__main__":
    main()
