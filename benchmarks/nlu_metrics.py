"""What a customer gets for each test message, and the figures with their noise (issue 8).

Used by benchmarks/nlu_pipelines.py. Input per message: gold intent, file (kind), text and the
classifier's intent ranking. The bot's reaction is replayed from config.yml's FallbackClassifier
thresholds and actions/knowledge.py (the same code ActionClarify / ActionAnswer run):

- direct:      not a fallback, top intent right (and not diverted to a help-page section)
- conf. wrong: not a fallback, top intent wrong
- one click:   direct, or after a fallback the right intent is one of the clarification buttons
               ("none of these" for out_of_scope), or the help-page section answers it / offers it
               as a button. "clarify only" is the same without the knowledge fallback.

Intervals: Wilson 95 % for shares, bootstrap (1,000 resamples, seed 42) for macro-F1 and for
paired differences between two pipelines on the same messages.
"""

from __future__ import annotations

import math
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from nlu_components.group_fallback import COMPONENT_NAMES, FallbackThresholds  # noqa: E402

FALLBACK = "nlu_fallback"
BOOTSTRAP = 1000
SEED = 42


def config_thresholds(config_file: Path = ROOT / "config.yml") -> FallbackThresholds:
    """config.yml's fallback component (FallbackClassifier or GroupFallbackClassifier) thresholds."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for component in config.get("pipeline") or []:
        if component["name"] in COMPONENT_NAMES:
            return FallbackThresholds.from_config(component)
    return FallbackThresholds(0.3, 0.1)


def as_thresholds(thresholds: FallbackThresholds | tuple[float, float]) -> FallbackThresholds:
    """A (threshold, ambiguity) pair as one rule for every intent."""
    return thresholds if isinstance(thresholds, FallbackThresholds) else FallbackThresholds(*thresholds)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def macro_f1(gold: list[str], pred: list[str]) -> float:
    labels = set(gold)
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else float("nan")


def bootstrap(n: int, statistic: Any) -> tuple[float, float]:
    """95 % percentile interval of statistic(indices) over resamples of range(n)."""
    rng = random.Random(SEED)
    values = sorted(statistic([rng.randrange(n) for _ in range(n)]) for _ in range(BOOTSTRAP))
    return values[int(0.025 * BOOTSTRAP)], values[int(0.975 * BOOTSTRAP) - 1]


@dataclass
class Outcome:
    gold: str
    kind: str
    pred: str | None
    direct: bool
    fallback: bool
    confidently_wrong: bool
    one_click: bool
    one_click_clarify_only: bool
    section: str | None  # help-page section shown, if any


def replay(
    text: str,
    gold: str,
    kind: str,
    ranking: list[dict[str, Any]],
    guarded: bool,
    thresholds: FallbackThresholds | tuple[float, float],
) -> Outcome:
    """What the bot does with one message, as in ActionAnswer / ActionClarify."""
    from actions import knowledge

    ranking = [r for r in ranking if r["name"] != FALLBACK]
    top = ranking[0]["name"] if ranking else None
    fallback = guarded or as_thresholds(thresholds).falls_back(ranking)
    section = None
    if fallback:
        found = knowledge.retrieve(text, ranking)
        clarify_only = gold in knowledge.retrieve("", ranking).buttons or gold == "out_of_scope"
        if found.section:
            section = found.section.id
            one_click = gold in found.section.intents or gold in found.buttons or gold == "out_of_scope"
        else:
            one_click = clarify_only
        return Outcome(gold, kind, top, False, True, False, one_click, clarify_only, section)
    diverted = None
    if top == "out_of_scope":
        found = knowledge.retrieve(text, ranking, strong=True)
        diverted = found if found.section else None
    if diverted is not None:
        assert diverted.section is not None
        right = gold in diverted.section.intents or gold in diverted.buttons
        return Outcome(gold, kind, top, False, False, top != gold, right, top == gold, diverted.section.id)
    right = top == gold
    return Outcome(gold, kind, top, right, False, not right, right, right, None)


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    gold = [o.gold for o in outcomes]
    pred = [o.pred or "<none>" for o in outcomes]
    correct = [g == p for g, p in zip(gold, pred, strict=True)]
    result: dict[str, Any] = {"n": n}
    for key, flags in (
        ("accuracy", correct),
        ("direct", [o.direct for o in outcomes]),
        ("fallback", [o.fallback for o in outcomes]),
        ("confidently_wrong", [o.confidently_wrong for o in outcomes]),
        ("one_click", [o.one_click for o in outcomes]),
        ("one_click_clarify_only", [o.one_click_clarify_only for o in outcomes]),
    ):
        k = sum(flags)
        result[key] = k / n if n else float("nan")
        result[key + "_ci"] = wilson(k, n)
    result["macro_f1"] = macro_f1(gold, pred)
    result["macro_f1_ci"] = bootstrap(n, lambda idx: macro_f1([gold[i] for i in idx], [pred[i] for i in idx]))
    return result


def paired_difference(a: list[Outcome], b: list[Outcome], field: str = "accuracy") -> tuple[float, float, float]:
    """(difference a - b, 95 % CI low, high) of accuracy (or a boolean Outcome field)."""

    def flags(outcomes: list[Outcome]) -> list[int]:
        if field == "accuracy":
            return [int(o.pred == o.gold) for o in outcomes]
        return [int(getattr(o, field)) for o in outcomes]

    fa, fb = flags(a), flags(b)
    n = len(fa)
    diff = (sum(fa) - sum(fb)) / n
    low, high = bootstrap(n, lambda idx: sum(fa[i] - fb[i] for i in idx) / n)
    return diff, low, high


def per_group(outcomes: list[Outcome], key: str) -> list[tuple[str, int, float, float]]:
    """(group, n, accuracy, one-click share) per kind or per gold intent."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(getattr(o, key), []).append(o)
    return [
        (
            name,
            len(items),
            sum(o.pred == o.gold for o in items) / len(items),
            sum(o.one_click for o in items) / len(items),
        )
        for name, items in sorted(groups.items())
    ]


def by_batch(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    """Blind-set outcomes per batch: the first batch's files lie in tests/nlu/blind/, a later batch's
    in a folder of its own (its kinds read `batch2/situation`)."""
    batches: dict[str, list[Outcome]] = {}
    for o in outcomes:
        batches.setdefault(o.kind.split("/")[0] if "/" in o.kind else "batch1", []).append(o)
    return dict(sorted(batches.items()))


def confusions(outcomes: list[Outcome], top: int = 12) -> list[tuple[str, str, int]]:
    pairs = Counter((o.gold, o.pred or "<none>") for o in outcomes if o.pred != o.gold)
    return [(g, p, c) for (g, p), c in pairs.most_common(top)]


def section_hit_rate(
    records: list[dict[str, Any]], weight: float, thresholds: FallbackThresholds | tuple[float, float]
) -> tuple[int, int, int, int]:
    """With retrieval weight `weight`: (right section first, n) over messages whose gold intent a
    section answers, and (right within one click, n) over those of them that fall back."""
    from actions import knowledge

    answerable = {intent for s in knowledge.sections() for intent in s.intents}
    saved = knowledge.RETRIEVAL_WEIGHT
    knowledge.RETRIEVAL_WEIGHT = weight
    try:
        right = n = click = fallbacks = 0
        for r in records:
            if r["gold"] not in answerable:
                continue
            n += 1
            found = knowledge.retrieve(r["text"], r["ranking"])
            right += bool(found.section and r["gold"] in found.section.intents)
            outcome = replay(r["text"], r["gold"], r["kind"], r["ranking"], r["guarded"], thresholds)
            if outcome.fallback:
                fallbacks += 1
                click += outcome.one_click
        return right, n, click, fallbacks
    finally:
        knowledge.RETRIEVAL_WEIGHT = saved
