"""FallbackClassifier threshold from data: false fallbacks on the test set vs gibberish caught.

Trains NLU (Rasa Python API, temp dir, no training cache) from a pipeline config with its
FallbackClassifier removed, so the classifier's raw top-1 / top-2 confidences are seen.
Parses tests/nlu/test_nlu.yml (in-domain, out_of_scope included) and ~30 inline
out-of-domain / gibberish messages, then replays FallbackClassifier's rule
(fallback if top1 < threshold or top1 - top2 < ambiguity_threshold) for thresholds
0.20-0.80. MessageGuard (if in the pipeline) still runs: what it routes to nlu_fallback
counts as caught at every threshold.

    .venv/bin/python benchmarks/fallback_threshold.py [--config config.yml] [--quick]
        [--max-false-fallback 0.05] [--max-ambiguity-cost 0.01] [--cv 5] [--groups [--max-direct-cost 0.01]]

--groups also calibrates nlu_components/group_fallback.py's second threshold pair for messages
whose top intent is a conversation intent (the config's `group_intents`, else every intent that is
not a help-page topic in actions/topics.py, plus request_human: no clarification button offers
them). The bot's reaction is replayed per message (benchmarks/nlu_metrics.py, knowledge fallback
included); recommended: the most "one click" messages with "confidently wrong" no higher,
"direct" at most --max-direct-cost (default 1 point) lower than with the single threshold; ties go
to the higher conversation thresholds. The share of gibberish caught (or answered as out_of_scope) is
printed per row but is not part of the rule: 30 messages, mostly single characters (benchmarks/README.md).

--cv K adds K-fold cross-validated predictions on data/nlu to the in-domain messages (each fold
parsed by a model trained on the other folds): ~6x more messages than the held-out set alone, and
of every kind the training data has (long messages, situations, small talk).

Recommendation rule (printed with the numbers): the highest threshold whose false-fallback
share on correctly classified in-domain messages is <= --max-false-fallback (ambiguity 0),
then the largest ambiguity_threshold in {0.05, 0.1, 0.15} that costs at most
--max-ambiguity-cost extra false fallbacks at that threshold.
Output: stdout and var/benchmarks/fallback_threshold_<config>.md (+ .json).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "var" / "benchmarks"
TRAIN_DATA = "data/nlu"
TEST_DATA = "tests/nlu/test_nlu.yml"
THRESHOLDS = [round(0.2 + 0.05 * i, 2) for i in range(13)]  # 0.20 .. 0.80
AMBIGUITIES = [0.0, 0.05, 0.1, 0.15]
FALLBACK = "nlu_fallback"

# Clearly out of domain for an ID / password support bot. None of these are in data/ or tests/
# (checked at run time). "handled" below also counts a prediction of out_of_scope.
GIBBERISH: list[str] = [
    # random topics
    "好きな映画は何ですか",
    "駅前においしいラーメン屋ある？",
    "昨日のサッカーの試合どっちが勝った",
    "日経平均株価は今いくら",
    "うちの猫がかわいすぎる",
    "富士山の高さを教えて",
    "カレーの作り方を知りたい",
    "週末どこに遊びに行こうかな",
    "宇宙の果てはどうなっているの",
    "円周率を100桁言って",
    "おすすめの小説を教えてください",
    "please tell me a recipe for pancakes",
    # keyboard mash / nonsense
    "asdfghjkl",
    "qwertyuiop",
    "zxcvbnm,./",
    "ｊｋｌｊｋｌｊｋｌ",
    "あsdふぁsdふぁ",
    "ぬぬぬぬぬぬぬぬ",
    "ふじこlp",
    "もげもげぴよぴよ",
    "ほげほげ",
    # single characters / fragments
    "あ",
    "ん",
    "a",
    "w",
    "草",
    "1",
    "？",
    "。。。",
    "😀",
]

# Same environment and set-up as the pipeline benchmark (this folder is on sys.path when run).
from nlu_pipelines import _setup_env  # noqa: E402

sys.path.insert(0, str(ROOT))
from nlu_components.group_fallback import COMPONENT_NAMES, FallbackThresholds  # noqa: E402

# Thresholds tried for the conversation-intent group (it may go below THRESHOLDS).
GROUP_THRESHOLDS = [round(0.1 + 0.05 * i, 2) for i in range(11)]  # 0.10 .. 0.60


def _nlu_only_config(config_path: Path, tmp: Path, quick: bool) -> tuple[Path, dict | None]:
    """Copy of the config without FallbackClassifier and policies; returns it + the removed one."""
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    removed = None
    pipeline = []
    for component in config.get("pipeline") or []:
        if component.get("name") in COMPONENT_NAMES:
            removed = component
            continue
        if quick and "epochs" in component:
            component = {**component, "epochs": max(1, int(component["epochs"] / 5))}
        if str(component.get("name", "")).endswith("LogisticRegressionClassifier"):
            # The whole ranking: the JSON output then serves offline replays (groups, combinations).
            component = {**component, "ranking_length": 0}
        pipeline.append(component)
    config["pipeline"] = pipeline
    config.pop("policies", None)
    out = tmp / "config.yml"
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out, removed


def _parse_all(model_path: str, texts: list[str]) -> list[dict[str, Any]]:
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    loop = asyncio.new_event_loop()
    out = []
    for text in texts:
        parsed = loop.run_until_complete(agent.parse_message(text))
        ranking = [e for e in parsed.get("intent_ranking") or [] if e.get("name") != FALLBACK]
        top1 = float(ranking[0]["confidence"]) if ranking else 0.0
        top2 = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
        out.append(
            {
                "text": text,
                "pred": ranking[0]["name"] if ranking else None,
                "top1": top1,
                "top2": top2,
                "guarded": (parsed.get("intent") or {}).get("name") == FALLBACK,
                "ranking": [{"name": e["name"], "confidence": round(float(e["confidence"]), 6)} for e in ranking],
            }
        )
    loop.close()
    return out


def _cross_validated(config: Path, tmp: Path, folds: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Out-of-fold parses of every data/nlu example: (rows, gold intents), stratified, seed 42."""
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load_data(TRAIN_DATA)
    examples = [m for m in data.intent_examples if m.get("text") and m.get("intent")]
    gold = [m.get("intent") for m in examples]
    rows: list[dict[str, Any] | None] = [None] * len(examples)
    splits = StratifiedKFold(folds, shuffle=True, random_state=42).split(examples, gold)
    for fold, (train_index, test_index) in enumerate(splits):
        part = TrainingData(
            [examples[i] for i in train_index],
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        train_file = tmp / f"fold{fold}.yml"
        train_file.write_text(RasaYAMLWriter().dumps(part), encoding="utf-8")
        print(f"[{time.strftime('%H:%M:%S')}] fold {fold + 1}/{folds}", file=sys.stderr, flush=True)
        model = train_nlu(str(config), str(train_file), str(tmp / f"models{fold}"))
        for i, row in zip(test_index, _parse_all(model, [examples[i].get("text") for i in test_index]), strict=True):
            rows[i] = row
    return [r for r in rows if r is not None], gold


def _falls_back(row: dict[str, Any], threshold: float, ambiguity: float) -> bool:
    return row["guarded"] or FallbackThresholds(threshold, ambiguity).falls_back(row["ranking"])


def _share(rows: list[dict[str, Any]], predicate) -> float:
    return sum(1 for r in rows if predicate(r)) / len(rows) if rows else float("nan")


def analyse(indomain, gibberish, threshold, ambiguity) -> dict[str, float]:
    correct = [r for r in indomain if r["correct"]]
    wrong = [r for r in indomain if not r["correct"]]
    fb = lambda r: _falls_back(r, threshold, ambiguity)  # noqa: E731
    return {
        "threshold": threshold,
        "ambiguity": ambiguity,
        "false_fallback_all": _share(indomain, fb),
        "false_fallback_correct": _share(correct, fb),
        "errors_caught": _share(wrong, fb),
        "wrong_answered": _share(indomain, lambda r: not r["correct"] and not fb(r)),
        "gibberish_caught": _share(gibberish, fb),
        "gibberish_handled": _gibberish_handled(gibberish, FallbackThresholds(threshold, ambiguity)),
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _distribution(rows: list[dict[str, Any]]) -> list[str]:
    import numpy as np

    values = np.array([r["top1"] for r in rows]) if rows else np.array([float("nan")])
    qs = [np.percentile(values, q) for q in (5, 10, 25, 50, 75)]
    return [str(len(rows)), f"{values.min():.2f}"] + [f"{q:.2f}" for q in qs]


def _histogram(groups: dict[str, list[dict[str, Any]]]) -> list[str]:
    edges = [i / 10 for i in range(11)]
    lines = ["| top-1 confidence | " + " | ".join(groups) + " |", "|---|" + "---:|" * len(groups)]
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        cells = []
        for rows in groups.values():
            n = sum(1 for r in rows if lo <= r["top1"] < hi or (hi == 1.0 and r["top1"] == 1.0))
            cells.append(str(n))
        lines.append(f"| {lo:.1f}-{hi:.1f} | " + " | ".join(cells) + " |")
    return lines


def _reactions(rows: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """Per message: the bot's reaction (nlu_metrics.Outcome) if it falls back, and if it does not."""
    import nlu_metrics as metrics

    always, never = FallbackThresholds(1.01, 0.0), FallbackThresholds(0.0, -1.0)
    return [
        tuple(metrics.replay(r["text"], r["gold"], "cv", r["ranking"], False, t) for t in (always, never)) for r in rows
    ]


def _group_scores(
    rows: list[dict[str, Any]], reactions: list[tuple[Any, Any]], rule: FallbackThresholds
) -> dict[str, float]:
    chosen = [
        fb if r["guarded"] or rule.falls_back(r["ranking"]) else kept
        for r, (fb, kept) in zip(rows, reactions, strict=True)
    ]
    n = len(chosen)
    return {
        "direct": sum(o.direct for o in chosen) / n,
        "confidently_wrong": sum(o.confidently_wrong for o in chosen) / n,
        "one_click": sum(o.one_click for o in chosen) / n,
        "fallback": sum(o.fallback for o in chosen) / n,
    }


def _conversation_intents() -> list[str]:
    """Intents no clarification button can offer: not a help-page topic (actions/topics.py), or request_human."""
    from rasa.shared.nlu.training_data.loading import load_data

    from actions.topics import TOPICS

    intents = {m.get("intent") for m in load_data(TRAIN_DATA).intent_examples if m.get("intent")}
    return sorted({i for i in intents if i not in TOPICS} | {"request_human"})


def _gibberish_handled(gibberish: list[dict[str, Any]], rule: FallbackThresholds) -> float:
    """Share of the gibberish that falls back or is answered as out_of_scope: a grunt like 「ん」 kept as
    affirm would answer a procedure's yes/no question for the customer."""
    return _share(gibberish, lambda r: r["guarded"] or rule.falls_back(r["ranking"]) or r["pred"] == "out_of_scope")


def group_report(
    rows: list[dict[str, Any]],
    gibberish: list[dict[str, Any]],
    component: dict[str, Any],
    single: tuple[float, float],
    max_direct_cost: float,
) -> list[str]:
    """Grid over (help-page topic threshold >= single, conversation-group threshold), recommendation."""
    intents = frozenset(component.get("group_intents") or _conversation_intents())
    reactions = _reactions(rows)
    base = FallbackThresholds(*single)
    grid = {}
    for t in [x for x in THRESHOLDS if x >= single[0]][:4]:
        for gt in [x for x in GROUP_THRESHOLDS if x <= t]:
            for ga in (0.0, 0.05, 0.1):
                rule = FallbackThresholds(t, single[1], intents, gt, ga)
                grid[(t, gt, ga)] = _group_scores(rows, reactions, rule) | {
                    "gibberish": _gibberish_handled(gibberish, rule)
                }
    reference = _group_scores(rows, reactions, base) | {"gibberish": _gibberish_handled(gibberish, base)}
    allowed = [
        k
        for k, g in grid.items()
        if g["confidently_wrong"] <= reference["confidently_wrong"] + 1e-9
        and g["direct"] >= reference["direct"] - max_direct_cost - 1e-9
    ]
    # Ties go to the more cautious pair (higher conversation thresholds).
    best = max(allowed, key=lambda k: (grid[k]["one_click"], grid[k]["direct"], k[1], k[2]))
    out = [
        f"Groups ({len(intents)} conversation intents: {', '.join(sorted(intents))}); in-domain messages replayed "
        "with the knowledge fallback (benchmarks/nlu_metrics.py); gibberish: caught or answered as out_of_scope:",
        "",
        "| topic threshold / ambiguity | conversation threshold / ambiguity | direct | conf. wrong | one click "
        "| fallback | gibberish |",
        "|---|---|---:|---:|---:|---:|---:|",
        f"| {single[0]:.2f} / {single[1]:.2f} | same | {reference['direct']:.3f} | "
        f"{reference['confidently_wrong']:.3f} | {reference['one_click']:.3f} | {reference['fallback']:.3f} "
        f"| {reference['gibberish']:.3f} |",
    ]
    shown = sorted({k for k in grid if k[0] in (single[0], best[0]) and k[2] in (best[2], single[1])} | {best})
    for t, gt, ga in shown:
        g = grid[(t, gt, ga)]
        mark = "**" if (t, gt, ga) == best else ""
        out.append(
            f"| {mark}{t:.2f} / {single[1]:.2f}{mark} | {mark}{gt:.2f} / {ga:.2f}{mark} | {g['direct']:.3f} | "
            f"{g['confidently_wrong']:.3f} | {g['one_click']:.3f} | {g['fallback']:.3f} | {g['gibberish']:.3f} |"
        )
    out += [
        "",
        f"**Group recommendation** (most one click with conf. wrong <= {reference['confidently_wrong']:.3f} "
        f"and direct >= {reference['direct'] - max_direct_cost:.3f}; ties to the higher conversation thresholds; "
        "the gibberish column is shown, not a constraint: see benchmarks/README.md): "
        f"`threshold: {best[0]:.2f}`, `ambiguity_threshold: {single[1]:.2f}`, `group_threshold: {best[1]:.2f}`, "
        f"`group_ambiguity_threshold: {best[2]:.2f}`.",
    ]
    return out


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--quick", action="store_true", help="epochs / 5")
    parser.add_argument(
        "--smoke", action="store_true", help="checks the script runs: char_lr, --quick, tiny data (smoke_data.py)"
    )
    parser.add_argument("--max-false-fallback", type=float, default=0.05)
    parser.add_argument("--max-ambiguity-cost", type=float, default=0.01)
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="add K-fold CV predictions on data/nlu")
    parser.add_argument("--groups", action="store_true", help="calibrate GroupFallbackClassifier's group thresholds")
    parser.add_argument(
        "--max-direct-cost", type=float, default=0.01, help="--groups: direct answers the group rule may lose"
    )
    return parser.parse_args()


@dataclass
class Predictions:
    """What the classifier said, without its fallback: in-domain rows carry `gold` and `correct`."""

    indomain: list[dict[str, Any]]
    gibberish: list[dict[str, Any]]
    n_heldout: int
    train_s: float
    configured: dict | None  # the config's own fallback component, as written there


def _predict(config_path: Path, quick: bool, cv: int) -> Predictions:
    import logging

    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    test = [(m.get("text"), m.get("intent")) for m in load_data(TEST_DATA).intent_examples]
    known = {m.get("text") for m in load_data(TRAIN_DATA).intent_examples} | {t for t, _ in test}
    gibberish_texts = [t for t in GIBBERISH if t not in known]
    if len(gibberish_texts) < len(GIBBERISH):
        print(
            f"note: {len(GIBBERISH) - len(gibberish_texts)} gibberish messages are in the data and were skipped",
            file=sys.stderr,
        )

    with tempfile.TemporaryDirectory(prefix="fallback_") as tmp_name:
        tmp = Path(tmp_name)
        nlu_config, configured = _nlu_only_config(config_path, tmp, quick)
        started = time.perf_counter()
        model_path = train_nlu(str(nlu_config), TRAIN_DATA, str(tmp / "models"))
        train_s = time.perf_counter() - started
        indomain = _parse_all(model_path, [t for t, _ in test])
        gibberish = _parse_all(model_path, gibberish_texts)
        golds = [gold for _, gold in test]
        if cv:
            rows, cv_gold = _cross_validated(nlu_config, tmp, cv)
            indomain, golds = indomain + rows, golds + cv_gold
    for row, gold in zip(indomain, golds, strict=True):
        row["gold"] = gold
        row["correct"] = row["pred"] == gold
    return Predictions(indomain, gibberish, len(test), train_s, configured)


def _recommend(grid: dict[tuple[float, float], dict[str, float]], args: argparse.Namespace) -> tuple[float, float]:
    """The rule in the module docstring: highest threshold within the false-fallback budget, then the
    largest ambiguity threshold within the ambiguity budget."""
    ok = [t for t in THRESHOLDS if grid[(t, 0.0)]["false_fallback_correct"] <= args.max_false_fallback]
    best_t = max(ok) if ok else min(THRESHOLDS)
    best_a = 0.0
    for a in AMBIGUITIES[1:]:
        cost = grid[(best_t, a)]["false_fallback_correct"] - grid[(best_t, 0.0)]["false_fallback_correct"]
        if cost <= args.max_ambiguity_cost + 1e-9:
            best_a = a
    return best_t, best_a


def _header(p: Predictions, rel: Path, args: argparse.Namespace) -> str:
    accuracy = sum(r["correct"] for r in p.indomain) / len(p.indomain)
    configured = p.configured and {k: v for k, v in p.configured.items() if k != "name"}
    return (
        f"Config: `{rel}` (FallbackClassifier removed for the measurement; configured there: {configured}). "
        f"NLU train {p.train_s:.1f} s{' (QUICK: epochs / 5)' if args.quick else ''}. "
        f"In-domain: {len(p.indomain)} messages ({p.n_heldout} held-out"
        f"{f', {len(p.indomain) - p.n_heldout} from {args.cv}-fold CV on {TRAIN_DATA}' if args.cv else ''}), "
        f"top-1 accuracy {accuracy:.3f} ({sum(not r['correct'] for r in p.indomain)} wrong). "
        f"Gibberish / out-of-domain: {len(p.gibberish)} messages, "
        f"{sum(r['guarded'] for r in p.gibberish)} stopped by MessageGuard."
    )


def _threshold_tables(grid: dict[tuple[float, float], dict[str, float]], best_t: float) -> list[str]:
    out = ["Ambiguity threshold 0 (top-1 rule only); then the same at ambiguity 0.1."]
    for a in (0.0, 0.1):
        out.append("")
        out.append(
            f"| threshold (ambiguity {a}) | false fallback, all test | false fallback, "
            "correctly classified | test errors caught | wrong intent answered | "
            "gibberish caught | gibberish caught or out_of_scope |"
        )
        out.append("|---:|---:|---:|---:|---:|---:|---:|")
        for t in THRESHOLDS:
            g = grid[(t, a)]
            out.append(
                f"| {t:.2f} | {_pct(g['false_fallback_all'])} | {_pct(g['false_fallback_correct'])} | "
                f"{_pct(g['errors_caught'])} | {_pct(g['wrong_answered'])} | "
                f"{_pct(g['gibberish_caught'])} | {_pct(g['gibberish_handled'])} |"
            )
    out += ["", f"Ambiguity threshold at threshold {best_t:.2f}:", ""]
    out.append("| ambiguity | false fallback, correctly classified | test errors caught | gibberish caught |")
    out.append("|---:|---:|---:|---:|")
    for a in AMBIGUITIES:
        g = grid[(best_t, a)]
        out.append(
            f"| {a:.2f} | {_pct(g['false_fallback_correct'])} | {_pct(g['errors_caught'])} | "
            f"{_pct(g['gibberish_caught'])} |"
        )
    return out


def _confidence_tables(p: Predictions) -> list[str]:
    groups = {
        "in-domain correct": [r for r in p.indomain if r["correct"]],
        "in-domain wrong": [r for r in p.indomain if not r["correct"]],
        "gibberish (not guarded)": [r for r in p.gibberish if not r["guarded"]],
    }
    out = ["Top-1 confidence distribution:", ""]
    out.append("| group | n | min | p5 | p10 | p25 | p50 | p75 |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rows in groups.items():
        out.append(f"| {name} | " + " | ".join(_distribution(rows)) + " |")
    return [*out, "", *_histogram(groups)]


def _recommendation(
    p: Predictions, g: dict[str, float], best: tuple[float, float], args: argparse.Namespace
) -> list[str]:
    best_t, best_a = best
    out = [
        f"**Recommendation** (rule: highest threshold with <= {_pct(args.max_false_fallback)} false "
        f"fallback on correctly classified test messages, then the largest ambiguity_threshold "
        f"costing <= {_pct(args.max_ambiguity_cost)} more): `threshold: {best_t:.2f}`, "
        f"`ambiguity_threshold: {best_a:.2f}` -> false fallback {_pct(g['false_fallback_all'])} of "
        f"all test messages, {_pct(g['errors_caught'])} of misclassified test messages caught, "
        f"{_pct(g['gibberish_caught'])} of gibberish caught "
        f"({_pct(g['gibberish_handled'])} caught or answered as out_of_scope).",
        "",
        "Gibberish that gets through at the recommended setting (predicted intent, top-1):",
        "",
    ]
    out += [f"- `{r['text']}` -> {r['pred']} {r['top1']:.2f}" for r in p.gibberish if not _falls_back(r, *best)]
    return out


def main() -> None:
    args = _parse_args()
    if args.smoke:
        global TRAIN_DATA, TEST_DATA  # noqa: PLW0603 - a smoke run reads tiny copies instead
        from smoke_data import tiny_nlu

        args.config, args.quick, args.cv = ROOT / "benchmarks" / "pipelines" / "char_lr.yml", True, 0
        train, test = tiny_nlu(Path(tempfile.mkdtemp(prefix="fallback_smoke_")))
        TRAIN_DATA, TEST_DATA = str(train), str(test)
    config_path = args.config.resolve()
    _setup_env()
    p = _predict(config_path, args.quick, args.cv)
    grid = {(t, a): analyse(p.indomain, p.gibberish, t, a) for t in THRESHOLDS for a in AMBIGUITIES}
    best = _recommend(grid, args)
    rel = config_path.relative_to(ROOT) if config_path.is_relative_to(ROOT) else config_path
    out = [_header(p, rel, args), "", *_threshold_tables(grid, best[0]), "", *_confidence_tables(p), ""]
    out += _recommendation(p, grid[best], best, args)
    if args.groups:
        out += ["", *group_report(p.indomain, p.gibberish, p.configured or {}, best, args.max_direct_cost)]
    text = "\n".join(out)
    print(text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"fallback_threshold_{rel.as_posix().replace('/', '_').removesuffix('.yml')}"
    stem += f"_cv{args.cv}" if args.cv else ""
    stem += "_smoke" if args.smoke else ""
    (OUT_DIR / f"{stem}.md").write_text(text + "\n", encoding="utf-8")
    recommended = {"threshold": best[0], "ambiguity_threshold": best[1]}
    result = {"indomain": p.indomain, "gibberish": p.gibberish, "recommended": recommended}
    (OUT_DIR / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
