"""Calibration of the confidence the bot acts on (issue 23 item 5): reliability, ECE, and the fallback
thresholds that follow from them.

The confidence the bot acts on is the classifier's top-1 confidence (config.yml's combined
probabilities, nlu_fallback left out): GroupFallbackClassifier answers directly when it is at least
the threshold (and the gap to the second intent at least the ambiguity threshold). "Right" means the
top intent is the gold intent. Messages MessageGuard refuses are left out (they never reach a threshold).

Inputs (no training here):
- `--cv FILE`: `benchmarks/fallback_threshold.py --cv 5 --groups` JSON: held-out rows first, then the
  5-fold out-of-fold rows on data/nlu. What the thresholds are derived from.
- `--pipelines FILE`: `benchmarks/nlu_pipelines.py` JSON; its `--pipeline` (config_yml) held-out, "new
  data" and blind rankings. The blind set is reported as aggregate figures only, after the choice.

Figures: expected calibration error (ECE: the share-weighted mean |accuracy − mean confidence| over
equal-width bins; 10 and 15 bins), the maximum bin gap (MCE), a 10-bin reliability table, and a
bootstrap 95 % interval for ECE (1,000 resamples, seed 42).

Threshold rule (benchmarks/README.md "Calibration"), per group (help-page topics, conversation intents),
from held-out + CV only: answer directly where the customer's expected steps are no more than if the bot
asked back. Steps: a right direct answer 0; asked back, the right answer one click away 1, else 2
(rephrase); a wrong direct answer `--wrong-cost` (3: read it, notice, ask again). So answer iff
(1 − P(right)) · wrong_cost ≤ 2 − P(one click if asked), with P(right | confidence) and P(one click if
asked back | confidence) isotonic regressions on the confidence (the second replays every message as a
fallback: clarification buttons and the knowledge fallback, benchmarks/nlu_metrics.py). The derived
threshold is the lowest 0.05 step from which that holds at every higher step; the ambiguity thresholds
are not part of this rule. Printed for comparison: the first rule written down, P(right) ≥ 1/2, which
ignores what asking back gives (README).

    .venv/bin/python benchmarks/nlu_calibration.py \\
        --cv var/benchmarks/fallback_threshold_config_cv5.json \\
        --pipelines var/benchmarks/nlu_pipelines_only_config_yml_sklearn_tfidf_lr.json
    .venv/bin/python benchmarks/nlu_calibration.py --smoke   # made-up rankings: checks the tables are built
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "var" / "benchmarks"
sys.path.insert(0, str(ROOT))
import nlu_metrics as metrics  # noqa: E402

from nlu_components.group_fallback import FallbackThresholds  # noqa: E402

FALLBACK = "nlu_fallback"
# Where answering directly pays: a wrong answer costs about twice a fallback (module docstring).
MIN_RIGHT_PROBABILITY = 0.5
# Customer steps of a wrong direct answer (module docstring); a clarification click costs 1.
WRONG_COST = 3.0
GRID = [round(0.05 * i, 2) for i in range(1, 20)]  # 0.05 .. 0.95


@dataclass(frozen=True)
class Scored:
    confidence: float  # top-1 confidence the bot acts on
    right: bool  # top-1 intent is the gold intent
    group: str  # "topic" or "conversation" (by the top intent, as GroupFallbackClassifier decides)
    one_click_if_asked: bool | None = None  # asked back, the right answer is one click away (needs the text)


ALWAYS_ASK = FallbackThresholds(1.01, 0.0)


def scored(records: list[dict[str, Any]], group_intents: frozenset[str]) -> list[Scored]:
    """One Scored per record (gold + ranking); MessageGuard's refusals and empty rankings left out.
    Records with their text also get what asking back would have given."""
    out = []
    for record in records:
        ranking = [r for r in record.get("ranking") or [] if r["name"] != FALLBACK]
        if record.get("guarded") or not ranking:
            continue
        top = ranking[0]
        group = "conversation" if top["name"] in group_intents else "topic"
        asked = None
        if "text" in record:
            asked = metrics.replay(record["text"], record["gold"], "", ranking, False, ALWAYS_ASK).one_click
        out.append(Scored(float(top["confidence"]), top["name"] == record["gold"], group, asked))
    return out


def _bin(confidence: float, bins: int) -> int:
    return min(int(confidence * bins), bins - 1)


def ece(items: list[Scored], bins: int) -> tuple[float, float]:
    """(expected calibration error, maximum calibration error) over equal-width bins."""
    totals: dict[int, list[Scored]] = {}
    for item in items:
        totals.setdefault(_bin(item.confidence, bins), []).append(item)
    n = len(items)
    gaps = {
        b: abs(sum(i.right for i in group) / len(group) - sum(i.confidence for i in group) / len(group))
        for b, group in totals.items()
    }
    expected = sum(len(totals[b]) / n * gap for b, gap in gaps.items()) if n else float("nan")
    return expected, max(gaps.values(), default=float("nan"))


def ece_interval(items: list[Scored], bins: int) -> tuple[float, float]:
    return metrics.bootstrap(len(items), lambda idx: ece([items[i] for i in idx], bins)[0])


def reliability_rows(items: list[Scored], bins: int = 10) -> list[tuple[str, int, float, float]]:
    """(confidence range, n, mean confidence, accuracy) per non-empty bin."""
    rows = []
    for b in range(bins):
        group = [i for i in items if _bin(i.confidence, bins) == b]
        if group:
            rows.append(
                (
                    f"{b / bins:.1f}–{(b + 1) / bins:.1f}",
                    len(group),
                    sum(i.confidence for i in group) / len(group),
                    sum(i.right for i in group) / len(group),
                )
            )
    return rows


def _isotonic(x: list[float], y: list[float]) -> Any:
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True).fit(x, y)


def calibrated_threshold(items: list[Scored], min_right: float = MIN_RIGHT_PROBABILITY) -> tuple[float, Any]:
    """The lowest GRID threshold from which the isotonic calibrated probability of being right is
    ≥ min_right, and the fitted curve (None with too few messages)."""
    if len({i.right for i in items}) < 2:
        return GRID[0], None
    curve = _isotonic([i.confidence for i in items], [float(i.right) for i in items])
    for threshold in GRID:
        if float(curve.predict([threshold])[0]) >= min_right:
            return threshold, curve
    return GRID[-1], curve


def expected_steps_threshold(
    items: list[Scored], wrong_cost: float = WRONG_COST
) -> tuple[float, list[tuple[float, float, float]]]:
    """The rule: the lowest GRID threshold from which (1 − P(right)) · wrong_cost ≤ 2 − P(one click if
    asked) at every higher step; and (step, P(right), P(one click if asked)) per step."""
    known = [i for i in items if i.one_click_if_asked is not None]
    if len({i.right for i in known}) < 2:
        return GRID[0], []
    confidences = [i.confidence for i in known]
    right = _isotonic(confidences, [float(i.right) for i in known])
    asked = _isotonic(confidences, [float(bool(i.one_click_if_asked)) for i in known])
    curves = [(t, float(right.predict([t])[0]), float(asked.predict([t])[0])) for t in GRID]
    threshold = GRID[-1]
    for t, p_right, p_asked in reversed(curves):
        if (1 - p_right) * wrong_cost > 2 - p_asked:
            break
        threshold = t
    return threshold, curves


def _set_lines(name: str, items: list[Scored]) -> str:
    e10, m10 = ece(items, 10)
    e15, _ = ece(items, 15)
    low, high = ece_interval(items, 15)
    accuracy = sum(i.right for i in items) / len(items)
    confidence = sum(i.confidence for i in items) / len(items)
    return (
        f"| {name} | {len(items)} | {accuracy:.3f} | {confidence:.3f} | {e10:.3f} | "
        f"{e15:.3f} [{low:.3f}, {high:.3f}] | {m10:.3f} |"
    )


def report(
    sets: dict[str, list[Scored]], derive_from: str, configured: FallbackThresholds, wrong_cost: float = WRONG_COST
) -> str:
    lines = [
        "ECE of the top-1 confidence (equal-width bins; [95 % bootstrap CI]; MCE = largest bin gap, 10 bins):",
        "",
        "| Set | n | Accuracy | Mean confidence | ECE 10 bins | ECE 15 bins | MCE |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_set_lines(name, items) for name, items in sets.items() if items]
    for name, items in sets.items():
        if not items:
            continue
        lines += ["", f"Reliability, {name} (10 bins):", ""]
        lines += ["| Confidence | n | Mean confidence | Accuracy | Gap |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {r} | {n} | {c:.3f} | {a:.3f} | {a - c:+.3f} |" for r, n, c, a in reliability_rows(items)]
    base = sets[derive_from]
    lines += [
        "",
        f"Thresholds derived from {derive_from} (isotonic calibration per group): the rule, answer iff "
        f"(1 − P(right)) · {wrong_cost:g} ≤ 2 − P(one click if asked back); the first rule written down, "
        f"P(right) ≥ {MIN_RIGHT_PROBABILITY}:",
        "",
        "| Group | n | Rule: threshold | P(right) ≥ 1/2: threshold | P(right) at config.yml's threshold | config.yml |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    curves_by_group = {}
    for group, current in (("topic", configured.threshold), ("conversation", configured.group_threshold)):
        items = [i for i in base if i.group == group]
        if not items:
            continue
        half, curve = calibrated_threshold(items)
        derived, curves_by_group[group] = expected_steps_threshold(items, wrong_cost)
        at_current = float(curve.predict([current])[0]) if curve is not None else float("nan")
        lines.append(f"| {group} | {len(items)} | {derived:.2f} | {half:.2f} | {at_current:.3f} | {current:.2f} |")
    if curves_by_group:
        groups = list(curves_by_group)
        lines += ["", "Calibrated P(right) / P(one click if asked back) per confidence, " + derive_from + ":", ""]
        lines += ["| Confidence | " + " | ".join(groups) + " |", "|---:|" + "---:|" * len(groups)]
        for index, t in enumerate(GRID):
            if 0.1 <= t <= 0.8:
                cells = [
                    f"{curves_by_group[g][index][1]:.3f} / {curves_by_group[g][index][2]:.3f}"
                    if curves_by_group[g]
                    else ""
                    for g in groups
                ]
                lines.append(f"| {t:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _pipeline_records(path: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    results = json.loads(path.read_text(encoding="utf-8"))
    result = next(r for r in results if r["name"] == name and "error" not in r)
    return {key: result.get(key) or [] for key in ("rankings", "new", "blind")}


def _smoke_records(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    intents = ["check_ocn_id", "forgot_password", "affirm", "thank"]
    records = []
    for _ in range(n):
        confidence = rng.uniform(0.2, 1.0)
        gold = rng.choice(intents)
        top = gold if rng.random() < confidence else rng.choice([i for i in intents if i != gold])
        rest = [i for i in intents if i != top]
        ranking = [{"name": top, "confidence": confidence}] + [
            {"name": i, "confidence": (1 - confidence) / len(rest)} for i in rest
        ]
        records.append({"gold": gold, "ranking": ranking, "guarded": False, "text": "パスワードを忘れました"})
    return records


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", type=Path, default=OUT_DIR / "fallback_threshold_config_cv5.json")
    parser.add_argument(
        "--pipelines", type=Path, default=OUT_DIR / "nlu_pipelines_only_config_yml_sklearn_tfidf_lr.json"
    )
    parser.add_argument("--pipeline", default="config_yml", help="which pipeline of --pipelines")
    parser.add_argument("--wrong-cost", type=float, default=WRONG_COST, help="customer steps of a wrong answer")
    parser.add_argument("--smoke", action="store_true", help="made-up rankings instead of the inputs (seconds)")
    return parser.parse_args()


def main() -> None:
    args = _parse_args()
    configured = metrics.config_thresholds()
    group_intents = frozenset(configured.group_intents)
    if args.smoke:
        cv_rows, n_heldout = _smoke_records(400, 1), 100
        pipeline = {"rankings": _smoke_records(100, 2), "new": _smoke_records(50, 3), "blind": _smoke_records(200, 4)}
    else:
        cv_rows = json.loads(args.cv.read_text(encoding="utf-8"))["indomain"]
        pipeline = _pipeline_records(args.pipelines, args.pipeline)
        n_heldout = len(pipeline["rankings"])
    sets = {
        "held-out + CV": scored(cv_rows, group_intents),
        "held-out": scored(cv_rows[:n_heldout], group_intents),
        "CV (out of fold)": scored(cv_rows[n_heldout:], group_intents),
        "new data": scored(pipeline["new"], group_intents),
        "blind (aggregate)": scored(pipeline["blind"], group_intents),
    }
    text = report(sets, "held-out + CV", configured, args.wrong_cost)
    print(text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"nlu_calibration{'_smoke' if args.smoke else ''}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
