"""Japanese NLU pipelines compared on the held-out test set: accuracy, macro-F1, speed, size.

Every pipeline is trained NLU-only on data/nlu/ with Rasa's Python API
(`rasa.model_training.train_nlu`, into a temp dir, training cache disabled) and scored on
tests/nlu/test_nlu.yml by parsing each message with `Agent.load(model).parse_message`.
Each pipeline runs in its own subprocess, so one pipeline's imports / TF graph do not
speed up or slow down the next. Candidate configs live in benchmarks/pipelines/.

    .venv/bin/python benchmarks/nlu_pipelines.py                 # all pipelines
    .venv/bin/python benchmarks/nlu_pipelines.py --only char_lr  # one (repeatable)
    .venv/bin/python benchmarks/nlu_pipelines.py --quick         # DIET/TED epochs / 5, 100 timed parses
    .venv/bin/python benchmarks/nlu_pipelines.py --only sudachi_word_char_diet --seeds 1,2,3,4,42
        # one row per seed + mean / min / max (DIET results move with the seed; LogReg's don't)
    .venv/bin/python benchmarks/nlu_pipelines.py --full-train sudachi_word_char_lr
        # times a whole `rasa train` (NLU + the policies of config.yml) with that pipeline

`config_yml` is the project's config.yml as it is when the script runs (its policies and
FallbackClassifier play no part: accuracy is the classifier's top intent).

The markdown table goes to stdout and var/benchmarks/nlu_pipelines.md; raw results
(including every misclassified test message) to var/benchmarks/nlu_pipelines.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PIPELINE_DIR = ROOT / "benchmarks" / "pipelines"
OUT_DIR = ROOT / "var" / "benchmarks"
TRAIN_DATA = "data/nlu"
TEST_DATA = "tests/nlu/test_nlu.yml"
# The blind set (issue 8): written from the help page alone, never read by whoever trains. Only
# aggregate figures come out of this script (no blind message is stored or printed).
BLIND_DATA = "tests/nlu/blind"
# "New data" (issue 23): messages written from the help page alone, never trained on; what the
# pipeline is chosen on besides the held-out set and CV (benchmarks/README.md). Scored like the blind
# set, per kind (its file names), but it may be read. 171 plain, long, fact and situation messages, and
# since 2026-12-06 329 noisy ones (flick, voice, mixed: tests/nlu/new_noisy/).
NEW_DATA = ("tests/nlu/new_issue23", "tests/nlu/new_noisy")
# Before issue 8: config.yml, data/nlu and our components as they were at this commit.
BEFORE_REF = "727f729"
RANKING_LENGTH = 10
SEED = 42
WARMUP_PARSES = 10
# Set (by --no-blind) for the workers: the blind set is not even parsed while a choice is being made.
NO_BLIND_ENV = "NLU_BENCHMARK_NO_BLIND"
# Set by --smoke: the blind set and the new data are thinned to about SMOKE_ROWS messages (every code path
# runs, in seconds; a smoke run's output is never a figure).
SMOKE_ENV = "NLU_BENCHMARK_SMOKE"
SMOKE_ROWS = 150

ENV_DEFAULTS = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    # No training cache: every run trains from scratch (honest train seconds) and the
    # benchmark does not fill other people's .rasa/cache.
    "RASA_MAX_CACHE_SIZE": "0",
    "PYTHONHASHSEED": "0",
}

# name -> (kind, config file or sklearn params, short description)
PIPELINES: dict[str, dict[str, Any]] = {
    "before_issue8": {
        "config": "../../config.yml",
        "ref": BEFORE_REF,
        "desc": f"today's pipeline: config.yml, data/nlu and nlu_components/ at {BEFORE_REF}",
    },
    "config_yml": {
        "config": "../../config.yml",  # the project's config.yml as it is at run time
        "desc": "config.yml as committed (NLU part; FallbackClassifier ignored)",
    },
    "concepts_lr": {
        "config": "sudachi_concepts_lr.yml",
        "desc": "config.yml's pipeline + concept lexicon tokens (SudachiTokenizer concepts: true)",
    },
    "lastsent_lr": {
        "config": "sudachi_lastsent_lr.yml",
        "desc": "config.yml's features -> LogReg; long messages: whole and last sentence averaged",
    },
    "sqrt_lr": {
        "config": "sudachi_sqrt_lr.yml",
        "desc": "config.yml's features, square-rooted counts -> LogReg",
    },
    "lastsent_sqrt_lr": {
        "config": "sudachi_lastsent_sqrt_lr.yml",
        "desc": "square-rooted counts -> LogReg; long messages: whole and last sentence averaged",
    },
    "lastsent_tfidf_lr": {
        "config": "sudachi_lastsent_tfidf_lr.yml",
        "desc": "TF-IDF-scaled (sublinear, l2) counts -> LogReg C 30; long messages: whole and last sentence averaged",
    },
    "char_lr": {
        "config": "char_lr.yml",
        "desc": "Sudachi tok., char_wb 1-4 (surface) -> LogReg",
    },
    "char_diet": {
        "config": "char_diet.yml",
        "desc": "Sudachi tok., char_wb 1-3 (surface, 3k) -> DIET 80ep, 0 transformer layers",
    },
    "sudachi_word_char_lr": {
        "config": "sudachi_word_char_lr.yml",
        "desc": "Sudachi lemmas (normalized) word + char_wb 1-4 -> LogReg",
    },
    "sudachi_word_char_diet": {
        "config": "sudachi_word_char_diet.yml",
        "desc": "Sudachi lemmas word + char_wb 1-3 (3k) -> DIET 80ep, 0 transformer layers",
    },
    "spacy_word_char_lr": {
        "config": "spacy_word_char_lr.yml",
        "desc": "spaCy blank ja (Sudachi) word + char_wb 1-4 -> LogReg",
    },
    "spacy_word_char_diet": {
        "config": "spacy_word_char_diet.yml",
        "desc": "spaCy blank ja word + char_wb 1-3 (3k) -> DIET 80ep, 0 transformer layers",
    },
    "rasa_default_en": {
        "config": "rasa_default_en.yml",
        "desc": "baseline: Rasa default config, language en (Whitespace tok.)",
    },
    "sklearn_tfidf_lr": {
        "sklearn": {"analyzer": "char", "ngram_range": (1, 3)},
        "desc": "baseline: sklearn TF-IDF char 1-3 + LogisticRegression (no Rasa)",
    },
    "sklearn_tfidf_lr_2_4": {
        "sklearn": {"analyzer": "char", "ngram_range": (2, 4)},
        "desc": "baseline: sklearn TF-IDF char 2-4 + LogisticRegression (no Rasa)",
    },
}


def _setup_env() -> None:
    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def _percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")


def load_test_set() -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(TEST_DATA)
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def load_blind_set() -> list[tuple[str, str, str]]:
    """(text, intent, kind) for every blind-set message; empty if not there or with --no-blind. The kind
    is the file's name, prefixed with its batch folder for a later batch (`batch2/situation`)."""
    if os.environ.get(NO_BLIND_ENV):
        return []
    return _load_folder(BLIND_DATA)


def load_new_set() -> list[tuple[str, str, str]]:
    """(text, intent, kind) for every message of the "new data" (NEW_DATA); empty if not there."""
    return [row for folder in NEW_DATA for row in _load_folder(folder)]


def _load_folder(folder: str) -> list[tuple[str, str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    rows: list[tuple[str, str, str]] = []
    root = ROOT / folder
    for path in sorted(root.rglob("*.yml")):
        kind = path.relative_to(root).with_suffix("").as_posix()
        rows += [(m.get("text"), m.get("intent"), kind) for m in load_data(str(path)).intent_examples]
    # every k-th message in smoke mode: all kinds and intents stay represented
    return rows[:: max(1, len(rows) // SMOKE_ROWS)] if os.environ.get(SMOKE_ENV) else rows


def load_train_set(train_data: str = TRAIN_DATA) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(train_data)
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def _checkout(ref: str, tmp: Path) -> Path:
    """config.yml, data/nlu and the code the pipeline imports, as they were at `ref`."""
    target = tmp / "src"
    target.mkdir()
    archive = subprocess.run(
        ["git", "archive", ref, "config.yml", "data/nlu", "nlu_components", "ocn_ids"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    sys.path.insert(0, str(target))  # its nlu_components / ocn_ids shadow today's
    return target


def _ranking(parsed: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The classifier's ranking (nlu_fallback removed) and whether MessageGuard refused it."""
    intent = parsed.get("intent") or {}
    guarded = intent.get("name") == "nlu_fallback" and float(intent.get("confidence") or 0) >= 1.0
    ranking = [
        {"name": r["name"], "confidence": round(float(r.get("confidence") or 0.0), 5)}
        for r in parsed.get("intent_ranking") or []
        if r.get("name") != "nlu_fallback"
    ]
    return ranking[:RANKING_LENGTH], guarded


def top_intent(parsed: dict[str, Any]) -> tuple[str | None, float]:
    """The classifier's own top intent: nlu_fallback (FallbackClassifier/MessageGuard) skipped."""
    for entry in parsed.get("intent_ranking") or []:
        if entry.get("name") != "nlu_fallback":
            return entry["name"], float(entry.get("confidence") or 0.0)
    intent = parsed.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def _scale_epochs(config_path: Path, factor: float, tmp: Path, seed: int | None = None) -> Path:
    """A copy of the config with every `epochs` divided by `factor` (for --quick) and,
    if `seed` is given, every random_seed / random_state set to it (for --seeds)."""
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for section in ("pipeline", "policies"):
        for component in config.get(section) or []:
            if "epochs" in component:
                component["epochs"] = max(1, int(component["epochs"] / factor))
            if seed is not None:
                for key in ("random_seed", "random_state"):
                    if key in component:
                        component[key] = seed
    out = tmp / config_path.name
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def _configure_logging() -> None:
    """INFO, as `rasa run` / `rasa train` default to: no per-message debug lines in the timings."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)


def _needs_spacy_model(config_path: Path) -> bool:
    return "var/spacy_ja" in config_path.read_text(encoding="utf-8")


def _build_spacy_model() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks" / "spacy_ja"))
    from build import build  # benchmarks/spacy_ja/build.py

    build()


def _scores(gold: list[str], pred: list[str | None]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(gold))
    pred_s = [p or "<none>" for p in pred]
    return {
        "accuracy": float(accuracy_score(gold, pred_s)),
        "macro_f1": float(f1_score(gold, pred_s, labels=labels, average="macro", zero_division=0)),
    }


def run_rasa(name: str, quick: bool, seed: int | None = None) -> dict[str, Any]:
    import asyncio

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    _configure_logging()

    spec = PIPELINES[name]
    config_path = PIPELINE_DIR / spec["config"]
    if _needs_spacy_model(config_path):
        _build_spacy_model()
    test = load_test_set()
    blind = load_blind_set()
    new = load_new_set()

    with tempfile.TemporaryDirectory(prefix=f"nlu_{name}_") as tmp_name:
        tmp = Path(tmp_name)
        train_data = TRAIN_DATA
        if spec.get("ref"):
            source = _checkout(spec["ref"], tmp)
            config_path, train_data = source / "config.yml", str(source / "data" / "nlu")
        if quick or seed is not None:
            config = _scale_epochs(config_path, 5.0 if quick else 1.0, tmp, seed)
        else:
            config = config_path
        started = time.perf_counter()
        model_path = train_nlu(str(config), train_data, str(tmp / "models"), fixed_model_name=name)
        train_s = time.perf_counter() - started
        if not model_path:
            raise RuntimeError("training produced no model")
        trained = load_train_set(train_data)
        n_train, intents = len(trained), sorted({intent for _, intent in trained})
        size_mb = os.path.getsize(model_path) / 1e6

        started = time.perf_counter()
        agent = Agent.load(model_path)
        load_s = time.perf_counter() - started
        loop = asyncio.new_event_loop()

        def parse(text: str) -> dict[str, Any]:
            return loop.run_until_complete(agent.parse_message(text))

        for text, _ in test[:WARMUP_PARSES]:
            parse(text)
        timed = test[:100] if quick else test
        latencies = []
        predictions: list[tuple[str | None, float]] = []
        rankings = []
        for index, (text, _) in enumerate(test):
            started = time.perf_counter()
            parsed = parse(text)
            elapsed = time.perf_counter() - started
            if index < len(timed):
                latencies.append(elapsed * 1000)
            predictions.append(top_intent(parsed))
            rankings.append(_ranking(parsed))
        blind_rankings = [_ranking(parse(text)) for text, _, _ in blind]
        new_rankings = [_ranking(parse(text)) for text, _, _ in new]
        loop.close()

    result = _result(name, test, predictions, train_s, latencies, size_mb, load_s, n_train)
    return {
        **result,
        "intents": intents,
        "rankings": _records(test, rankings),
        "blind": _records(blind, blind_rankings),
        "new": _records(new, new_rankings),
    }


def _records(rows: list[tuple[str, ...]], rankings: list[tuple[list[dict[str, Any]], bool]]) -> list[dict[str, Any]]:
    """Per message: gold intent, kind and the ranking, never the text (the parent reloads it)."""
    return [
        {"gold": row[1], "kind": row[2] if len(row) > 2 else "heldout", "ranking": ranking, "guarded": guarded}
        for row, (ranking, guarded) in zip(rows, rankings, strict=True)
    ]


def run_sklearn(name: str, quick: bool, seed: int | None = None) -> dict[str, Any]:
    import gzip
    import pickle

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    params = PIPELINES[name]["sklearn"]
    train = load_train_set()
    test = load_test_set()
    blind = load_blind_set()
    new = load_new_set()

    model = make_pipeline(
        TfidfVectorizer(
            analyzer=params["analyzer"],
            ngram_range=params["ngram_range"],
            sublinear_tf=True,
            lowercase=True,
        ),
        LogisticRegression(C=10.0, max_iter=2000, random_state=SEED if seed is None else seed),
    )
    started = time.perf_counter()
    ytrain = [i for _, i in train]
    model.fit([t for t, _ in train], ytrain)
    train_s = time.perf_counter() - started
    size_mb = len(gzip.compress(pickle.dumps(model))) / 1e6

    for text, _ in test[:WARMUP_PARSES]:
        model.predict_proba([text])
    timed = test[:100] if quick else test
    latencies = []
    predictions = []
    classes = list(model.classes_)
    for index, (text, _) in enumerate(test):
        started = time.perf_counter()
        proba = model.predict_proba([text])[0]
        elapsed = time.perf_counter() - started
        if index < len(timed):
            latencies.append(elapsed * 1000)
        best = int(proba.argmax())
        predictions.append((classes[best], float(proba[best])))

    def ranked(texts: list[str]) -> list[tuple[list[dict[str, Any]], bool]]:
        out = []
        if not texts:
            return out
        for proba in model.predict_proba(texts):
            order = proba.argsort()[::-1][:RANKING_LENGTH]
            out.append(([{"name": classes[i], "confidence": round(float(proba[i]), 5)} for i in order], False))
        return out

    result = _result(name, test, predictions, train_s, latencies, size_mb, 0.0)
    return {
        **result,
        "intents": sorted(set(ytrain)),
        "rankings": _records(test, ranked([t for t, _ in test])),
        "blind": _records(blind, ranked([t for t, _, _ in blind])),
        "new": _records(new, ranked([t for t, _, _ in new])),
    }


def _result(
    name: str,
    test: list[tuple[str, str]],
    predictions: list[tuple[str | None, float]],
    train_s: float,
    latencies: list[float],
    size_mb: float,
    load_s: float,
    n_train: int | None = None,
) -> dict[str, Any]:
    gold = [intent for _, intent in test]
    pred = [p for p, _ in predictions]
    return {
        "name": name,
        "desc": PIPELINES[name]["desc"],
        **_scores(gold, pred),
        "n_test": len(test),
        "n_train": n_train if n_train is not None else len(load_train_set()),
        "train_s": train_s,
        "load_s": load_s,
        "parse_p50_ms": _percentile(latencies, 50),
        "parse_p95_ms": _percentile(latencies, 95),
        "n_timed": len(latencies),
        "size_mb": size_mb,
        "errors": [
            {"text": text, "gold": g, "pred": p, "confidence": round(c, 4)}
            for (text, g), (p, c) in zip(test, predictions, strict=False)
            if p != g
        ],
    }


def worker(name: str, result_file: Path, quick: bool, seed: int | None) -> None:
    _setup_env()
    runner = run_sklearn if "sklearn" in PIPELINES[name] else run_rasa
    result = runner(name, quick, seed)
    if seed is not None:
        result["seed"] = seed
    result_file.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


def full_train(name: str, quick: bool) -> None:
    """Times `rasa train` (NLU + dialogue) with the candidate pipeline + config.yml's policies."""
    _setup_env()
    import nlu_metrics as metrics  # benchmarks/ is on sys.path when this script runs
    import yaml
    from rasa.api import train

    _configure_logging()

    candidate = yaml.safe_load((PIPELINE_DIR / PIPELINES[name]["config"]).read_text("utf-8"))
    project = yaml.safe_load((ROOT / "config.yml").read_text("utf-8"))
    pipeline = list(candidate["pipeline"])
    if not any(c["name"] in metrics.COMPONENT_NAMES for c in pipeline):
        # config.yml's fallback component, placed before MessageGuard as in config.yml
        fallback = [c for c in project["pipeline"] if c["name"] in metrics.COMPONENT_NAMES]
        guard = [i for i, c in enumerate(pipeline) if c["name"].endswith("MessageGuard")]
        at = guard[0] if guard else len(pipeline)
        pipeline[at:at] = fallback
    config = {
        "recipe": "default.v1",
        "language": candidate["language"],
        "assistant_id": project.get("assistant_id", "benchmark"),
        "pipeline": pipeline,
        "policies": project.get("policies"),
    }
    with tempfile.TemporaryDirectory(prefix=f"full_{name}_") as tmp_name:
        tmp = Path(tmp_name)
        config_file = tmp / "config.yml"
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
        if quick:
            (tmp / "quick").mkdir()
            config_file = _scale_epochs(config_file, 5.0, tmp / "quick")
        started = time.perf_counter()
        result = train("domain.yml", str(config_file), ["data"], str(tmp / "models"), fixed_model_name=name)
        elapsed = time.perf_counter() - started
        size_mb = os.path.getsize(result.model) / 1e6 if result.model else float("nan")
    line = (
        f"full `rasa train` (NLU {name} + config.yml policies): {elapsed:.1f} s, "
        f"code {result.code}, model {size_mb:.2f} MB"
    )
    print(line)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with open(OUT_DIR / "full_train.txt", "a", encoding="utf-8") as f:
        f.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")


def _data_fingerprint() -> str:
    """Short hash of what the numbers depend on besides the config: data and our components."""
    import hashlib

    files = sorted((ROOT / "data" / "nlu").glob("*.yml")) + [ROOT / TEST_DATA]
    files += sorted((ROOT / "nlu_components").glob("*.py")) + sorted((ROOT / "ocn_ids").glob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _machine_line() -> str:
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = "?"
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}, commit {commit}, {os.cpu_count()} CPUs, "
        f"load avg at end {load}, Python {platform.python_version()}"
    )


def render_table(results: list[dict[str, Any]], quick: bool) -> str:
    lines = [
        "| Pipeline | What | Test acc | Macro-F1 | Train s | Parse p50 ms | Parse p95 ms | Model MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | {r['desc']} | failed: {r['error']} | | | | | |")
            continue
        label = r["name"] if r.get("seed") is None else f"{r['name']} (seed {r['seed']})"
        lines.append(
            f"| {label} | {r['desc']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
            f"{r['train_s']:.1f} | {r['parse_p50_ms']:.1f} | {r['parse_p95_ms']:.1f} | "
            f"{r['size_mb']:.2f} |"
        )
    n_test = next((r["n_test"] for r in results if "n_test" in r), "?")
    n_train = next((r["n_train"] for r in results if "n_train" in r), "?")
    lines.append("")
    lines.append(
        f"Test set: {TEST_DATA} ({n_test} messages); train: {TRAIN_DATA} ({n_train} examples); "
        f"data+components fingerprint {_data_fingerprint()} "
        "(sha256 of data/nlu, the test set, nlu_components/, ocn_ids/). "
        f"{'QUICK run (epochs / 5, 100 timed parses). ' if quick else ''}"
        f"{_machine_line()}."
    )
    return "\n".join(lines)


def _ci(value: float, ci: tuple[float, float]) -> str:
    return f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


@dataclass
class BlindReplay:
    """Every pipeline's blind and held-out messages replayed at config.yml's thresholds, per label."""

    outcomes: dict[str, list[Any]]  # blind messages whose intent every pipeline here knows
    missing: dict[str, list[Any]]  # blind messages of intents some pipeline was not trained on
    held: dict[str, list[Any]]  # held-out messages


def _replay_blind(results: list[dict[str, Any]], blind, heldout, known: set[str], thresholds) -> BlindReplay:
    import nlu_metrics as metrics

    replay = BlindReplay({}, {}, {})
    for r in results:
        label = r["name"] if r.get("seed") is None else f"{r['name']}@{r['seed']}"
        replayed = [
            metrics.replay(text, rec["gold"], rec["kind"], rec["ranking"], rec["guarded"], thresholds)
            for (text, _, _), rec in zip(blind, r["blind"], strict=True)
        ]
        replay.outcomes[label] = [o for o in replayed if o.gold in known]
        replay.missing[label] = [o for o in replayed if o.gold not in known]
        replay.held[label] = [
            metrics.replay(text, rec["gold"], rec["kind"], rec["ranking"], rec["guarded"], thresholds)
            for (text, _), rec in zip(heldout, r["rankings"], strict=True)
        ]
    return replay


def _pipeline_rows(replay: BlindReplay) -> list[str]:
    import nlu_metrics as metrics

    base = replay.outcomes.get("sklearn_tfidf_lr")
    lines = []
    for label, outs in replay.outcomes.items():
        summary = metrics.summarize(outs)
        h = metrics.summarize(replay.held[label])
        diff = (
            ""
            if base is None or label == "sklearn_tfidf_lr"
            else "{:+.3f} [{:+.3f}, {:+.3f}]".format(*metrics.paired_difference(outs, base))
        )
        lines.append(
            f"| {label} | {_ci(summary['accuracy'], summary['accuracy_ci'])} | "
            f"{_ci(summary['macro_f1'], summary['macro_f1_ci'])} | {_ci(summary['direct'], summary['direct_ci'])} | "
            f"{_ci(summary['confidently_wrong'], summary['confidently_wrong_ci'])} | "
            f"{_ci(summary['one_click'], summary['one_click_ci'])} | {summary['one_click_clarify_only']:.3f} | "
            f"{diff} | {h['accuracy']:.3f} | {h['direct']:.3f} | {h['one_click']:.3f} |"
        )
    return lines


def _unknown_intent_lines(replay: BlindReplay) -> list[str]:
    lines = ["", "Intents not in every pipeline's training data (reported apart):", ""]
    for label, outs in replay.missing.items():
        everything = outs + replay.outcomes[label]
        lines.append(
            f"- {label}: accuracy over all {len(everything)} blind messages "
            f"{sum(o.pred == o.gold for o in everything) / len(everything):.3f}"
        )
        if outs:
            predicted = Counter(o.pred for o in outs).most_common(3)
            fallback = sum(o.fallback for o in outs)
            lines.append(
                f"- {label}: {len(outs)} messages ({', '.join(sorted({o.gold for o in outs}))}); "
                f"{fallback} fall back; top predictions {predicted}"
            )
    return lines


def blind_report(results: list[dict[str, Any]], detail: str | None) -> str:
    """The issue 8 figures on the blind set (aggregates only), see benchmarks/nlu_metrics.py."""
    import nlu_metrics as metrics  # benchmarks/ is on sys.path when this script runs

    blind = load_blind_set()
    heldout = load_test_set()
    if not blind:
        return f"(no blind set under {BLIND_DATA})"
    thresholds = metrics.config_thresholds()
    ok = [r for r in results if "blind" in r]
    # Compared on the messages whose intent every pipeline here was trained on (paired figures);
    # the accuracy over all blind messages is listed apart.
    current = sorted({intent for _, intent in load_train_set()})
    known = set.intersection(*(set(r.get("intents") or current) for r in ok)) if ok else set(current)
    replay = _replay_blind(ok, blind, heldout, known, thresholds)
    n_known = len(next(iter(replay.outcomes.values()))) if replay.outcomes else 0
    lines = [
        f"Blind set {BLIND_DATA}: {len(blind)} messages, {n_known} with an intent the model knows "
        f"(the rest: intents not in data/nlu yet, below). FallbackClassifier replayed at "
        f"{thresholds.describe()} (config.yml). [95 % CI]: Wilson for shares, "
        "bootstrap for macro-F1 and for the paired difference to the TF-IDF baseline.",
        "",
        "| Pipeline | Blind acc | Blind macro-F1 | Direct | Conf. wrong | One click | One click w/o knowledge "
        "| Acc − TF-IDF | Held-out acc | Held-out direct | Held-out one click |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *_pipeline_rows(replay),
        *_unknown_intent_lines(replay),
    ]
    name = detail if detail in replay.outcomes else next(iter(replay.outcomes), None)
    if name:
        result = next(r for r in ok if r["name"] == name)
        lines += _blind_detail(name, replay.outcomes[name])
        lines += _fallback_detail(name, result, blind, heldout, known)
    return "\n".join(lines)


def choice_report(results: list[dict[str, Any]]) -> str:
    """Held-out and "new data" figures with paired differences to the TF-IDF baseline: what a pipeline
    is chosen on (issue 23 item 6). The blind set plays no part here."""
    import nlu_metrics as metrics

    thresholds = metrics.config_thresholds()
    sets = {"held-out": [(t, i, "heldout") for t, i in load_test_set()], "new data": load_new_set()}
    keys = {"held-out": "rankings", "new data": "new"}
    ok = [r for r in results if "error" not in r and r.get("seed") is None]
    lines = [
        f"Sets the pipeline is chosen on (held-out {TEST_DATA}, new data {' + '.join(NEW_DATA)}), replayed at "
        f"{thresholds.describe()}; differences to sklearn_tfidf_lr paired on the same messages, bootstrap 95 % CI.",
        "",
        "| Pipeline | Set | n | Acc | Direct | Conf. wrong | One click | Acc − TF-IDF | Direct − TF-IDF "
        "| Conf. wrong − TF-IDF |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    replayed: dict[tuple[str, str], list[Any]] = {}
    for r in ok:
        for set_name, rows in sets.items():
            records = r.get(keys[set_name]) or []
            if len(records) != len(rows):
                continue
            replayed[(r["name"], set_name)] = [
                metrics.replay(text, rec["gold"], kind, rec["ranking"], rec["guarded"], thresholds)
                for (text, _, kind), rec in zip(rows, records, strict=True)
            ]
    for (name, set_name), outs in replayed.items():
        s = metrics.summarize(outs)
        base = replayed.get(("sklearn_tfidf_lr", set_name))
        diffs = ["", "", ""]
        if base is not None and name != "sklearn_tfidf_lr":
            diffs = [
                "{:+.3f} [{:+.3f}, {:+.3f}]".format(*metrics.paired_difference(outs, base, field))
                for field in ("accuracy", "direct", "confidently_wrong")
            ]
        lines.append(
            f"| {name} | {set_name} | {s['n']} | {_ci(s['accuracy'], s['accuracy_ci'])} | {s['direct']:.3f} | "
            f"{s['confidently_wrong']:.3f} | {s['one_click']:.3f} | " + " | ".join(diffs) + " |"
        )
    names = list(dict.fromkeys(name for name, _ in replayed))
    kinds = sorted({kind for _, _, kind in sets["new data"]})
    if kinds and names:
        lines += ["", "New data per kind (accuracy / direct):", ""]
        lines += ["| Kind | n | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
        for kind in kinds:
            cells = []
            for name in names:
                outs = [o for o in replayed.get((name, "new data"), []) if o.kind == kind]
                cells.append(
                    f"{sum(o.pred == o.gold for o in outs) / len(outs):.3f} / {sum(o.direct for o in outs) / len(outs):.3f}"
                    if outs
                    else ""
                )
            n = sum(1 for _, _, k in sets["new data"] if k == kind)
            lines.append(f"| {kind} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _blind_detail(name: str, outs: list[Any]) -> list[str]:
    """Per batch, kind and intent, and the most frequent confusions: counts only, never a message."""
    import nlu_metrics as metrics

    lines = ["", f"Per batch ({name}):", "", "| Batch | n | Acc | Direct | Conf. wrong | One click |"]
    lines += ["|---|---:|---:|---:|---:|---:|"]
    for batch, items in metrics.by_batch(outs).items():
        s = metrics.summarize(items)
        lines.append(
            f"| {batch} | {s['n']} | {_ci(s['accuracy'], s['accuracy_ci'])} | {s['direct']:.3f} | "
            f"{s['confidently_wrong']:.3f} | {s['one_click']:.3f} |"
        )
    lines += ["", f"Per kind ({name}):", "", "| Kind | n | Acc | One click |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {n} | {acc:.3f} | {click:.3f} |" for k, n, acc, click in metrics.per_group(outs, "kind")]
    lines += ["", f"Per intent ({name}):", "", "| Intent | n | Acc | One click |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {n} | {acc:.3f} | {click:.3f} |" for k, n, acc, click in metrics.per_group(outs, "gold")]
    lines += ["", f"Most frequent confusions ({name}; gold → predicted: count):", ""]
    lines += [f"- {g} → {p}: {c}" for g, p, c in metrics.confusions(outs)]
    return lines


def _fallback_detail(
    name: str,
    result: dict[str, Any],
    blind: list[tuple[str, str, str]],
    heldout: list[tuple[str, str]],
    known: set[str],
) -> list[str]:
    """The knowledge fallback's retrieval weight and the fallback thresholds, replayed for one pipeline."""
    import nlu_metrics as metrics

    blind_records = [
        {**rec, "text": text} for (text, _, _), rec in zip(blind, result["blind"], strict=True) if rec["gold"] in known
    ]
    held_records = [{**rec, "text": text} for (text, _), rec in zip(heldout, result["rankings"], strict=True)]
    lines = [
        "",
        f"Knowledge fallback: right section first, by retrieval weight ({name}; 0 = classifier only, "
        "1 = BM25 only; messages whose intent a section answers):",
        "",
        "| weight | held-out: section first | held-out: fallbacks right in one click "
        "| blind: section first | blind: fallbacks right in one click |",
        "|---:|---:|---:|---:|---:|",
    ]
    thresholds = metrics.config_thresholds()
    for weight in (0.0, 0.25, 0.5, 0.75, 1.0):
        cells = []
        for records in (held_records, blind_records):
            right, n, click, fallbacks = metrics.section_hit_rate(records, weight, thresholds)
            cells += [f"{right / n:.3f} ({n})", f"{click / max(fallbacks, 1):.3f} ({fallbacks})"]
        lines.append(f"| {weight} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"FallbackClassifier thresholds replayed ({name}): direct / confidently wrong / one click",
        "",
        "| threshold, ambiguity | held-out | blind |",
        "|---|---|---|",
    ]
    for pair in ((0.3, 0.1), (0.4, 0.1), (0.45, 0.1), (0.5, 0.1), (0.55, 0.15), (0.6, 0.15)):
        cells = []
        for records in (held_records, blind_records):
            replayed = [
                metrics.replay(r["text"], r["gold"], r["kind"], r["ranking"], r["guarded"], pair) for r in records
            ]
            n = len(replayed)
            cells.append(
                f"{sum(o.direct for o in replayed) / n:.3f} / {sum(o.confidently_wrong for o in replayed) / n:.3f} / "
                f"{sum(o.one_click for o in replayed) / n:.3f}"
            )
        lines.append(f"| {pair[0]}, {pair[1]} | {cells[0]} | {cells[1]} |")
    return lines


def render_seed_summary(results: list[dict[str, Any]]) -> str:
    import statistics

    lines = [
        "| Pipeline | Seeds | Acc mean | Acc min-max | Macro-F1 mean | Macro-F1 min-max | Train s mean |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in dict.fromkeys(r["name"] for r in results):
        ok = [r for r in results if r["name"] == name and "error" not in r]
        if not ok:
            continue
        acc = [r["accuracy"] for r in ok]
        f1 = [r["macro_f1"] for r in ok]
        lines.append(
            f"| {name} | {len(ok)} | {statistics.mean(acc):.3f} | {min(acc):.3f}-{max(acc):.3f} | "
            f"{statistics.mean(f1):.3f} | {min(f1):.3f}-{max(f1):.3f} | "
            f"{statistics.mean(r['train_s'] for r in ok):.1f} |"
        )
    return "\n".join(lines)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=list(PIPELINES), help="run only NAME")
    parser.add_argument("--quick", action="store_true", help="epochs / 5, 100 timed parses")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="checks the script runs: --quick --only sklearn_tfidf_lr (no Rasa training)",
    )
    parser.add_argument("--full-train", choices=list(PIPELINES), metavar="NAME")
    parser.add_argument(
        "--seeds",
        help="comma-separated seeds: run each pipeline once per seed (overrides random_seed / "
        "random_state) and add a mean / min / max summary",
    )
    parser.add_argument(
        "--no-blind",
        action="store_true",
        help="do not parse the blind set (while choosing: held-out and new data only)",
    )
    parser.add_argument("--detail", default="config_yml", help="pipeline whose blind-set details are printed")
    parser.add_argument("--report", type=Path, help="only re-render the tables from a results JSON of an earlier run")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker", choices=list(PIPELINES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def _run_worker(name: str, seed: int | None, quick: bool) -> dict[str, Any]:
    """One pipeline in a fresh process (TensorFlow and Rasa's registries start clean), its log in
    var/benchmarks/logs/; a failed run becomes a result with an `error`, not an abort."""
    label = name if seed is None else f"{name}@seed{seed}"
    print(f"[{time.strftime('%H:%M:%S')}] {label} ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        log_file = OUT_DIR / "logs" / f"{label}.log"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--result-file", str(result_file)]
        cmd += ["--quick"] if quick else []
        cmd += ["--seed", str(seed)] if seed is not None else []
        with open(log_file, "w", encoding="utf-8") as log:
            proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ}, stdout=log, stderr=subprocess.STDOUT)
        if proc.returncode == 0 and result_file.exists():
            result = json.loads(result_file.read_text(encoding="utf-8"))
            print(
                f"    acc {result['accuracy']:.3f}  macro-F1 {result['macro_f1']:.3f}  "
                f"train {result['train_s']:.1f}s  p95 {result['parse_p95_ms']:.1f}ms",
                file=sys.stderr,
                flush=True,
            )
            return result
    error = f"exit {proc.returncode}, see {log_file.relative_to(ROOT)}"
    print(f"    {error}", file=sys.stderr, flush=True)
    return {"name": name, "desc": PIPELINES[name]["desc"], "seed": seed, "error": error}


def main() -> None:
    args = _parse_args()
    if args.smoke:
        args.quick, args.only = True, ["sklearn_tfidf_lr"]
        os.environ[SMOKE_ENV] = "1"  # the workers inherit it
    if args.worker:
        worker(args.worker, args.result_file, args.quick, args.seed)
        return
    if args.full_train:
        full_train(args.full_train, args.quick)
        return
    _setup_env()
    if args.no_blind:
        os.environ[NO_BLIND_ENV] = "1"  # the workers inherit it
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        print(
            render_table(saved, args.quick) + "\n\n" + choice_report(saved) + "\n\n" + blind_report(saved, args.detail)
        )
        return

    names = args.only or list(PIPELINES)
    (OUT_DIR / "logs").mkdir(parents=True, exist_ok=True)
    seeds: list[int | None] = [int(x) for x in args.seeds.split(",")] if args.seeds else [None]
    results = [_run_worker(name, seed, args.quick) for name in names for seed in seeds]

    table = render_table(results, args.quick)
    if args.seeds:
        table += "\n\n" + render_seed_summary(results)
    table += "\n\n" + choice_report(results)
    table += "\n\n" + blind_report(results, args.detail)
    print(table)
    suffix = "_quick" if args.quick else ""
    partial = "" if not args.only else "_only_" + "_".join(names)
    partial += f"_seeds_{args.seeds.replace(',', '-')}" if args.seeds else ""
    partial += "_smoke" if args.smoke else ""
    partial += "_noblind" if args.no_blind else ""
    (OUT_DIR / f"nlu_pipelines{suffix}{partial}.md").write_text(table + "\n", encoding="utf-8")
    (OUT_DIR / f"nlu_pipelines{suffix}{partial}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if any("error" in result for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
