"""Scratch: pipeline (config.yml, its thresholds) vs the TF-IDF baseline at ITS OWN thresholds, calibrated on
held-out + CV with fallback_threshold.py's single-pair rule. Held-out, CV, new data; blind aggregate last."""

import json
import os
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
os.chdir(ROOT)
sys.path.insert(0, ROOT + "/benchmarks")
sys.path.insert(0, ROOT)
import nlu_combine  # noqa: E402
import nlu_metrics as m  # noqa: E402
from nlu_pipelines import load_blind_set, load_new_set, load_test_set  # noqa: E402

nlu_combine.TRAIN_DATA = "data/nlu"  # the data the CV JSON was made from
cvj = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))  # fallback_threshold.py --cv 5 --groups JSON
pj = json.loads(
    Path(sys.argv[2]).read_text(encoding="utf-8")
)  # nlu_pipelines.py JSON with held-out, new and blind rankings
test = load_test_set()
n = len(test)
rows = cvj["indomain"]
held_T, cv_T, gold = nlu_combine.tfidf_probabilities([t for t, _ in test])
assert gold == [r["gold"] for r in rows[n:]]


def rk(T):
    return sorted(({"name": k, "confidence": v} for k, v in T.items()), key=lambda e: -e["confidence"])


def frows(items):  # fallback_threshold rows for the baseline
    out = []
    for text, g, T, split in items:
        r = rk(T)
        out.append(
            {
                "text": text,
                "gold": g,
                "guarded": False,
                "split": split,
                "ranking": r,
                "pred": r[0]["name"],
                "top1": r[0]["confidence"],
                "top2": r[1]["confidence"],
                "correct": r[0]["name"] == g,
            }
        )
    return out


base_rows = frows(
    [(t, g, T, "heldout") for (t, g), T in zip(test, held_T, strict=False)]
    + [(r["text"], r["gold"], T, "cv") for r, T in zip(rows[n:], cv_T, strict=False)]
)
own = nlu_combine.calibrate(base_rows)
print("baseline's own thresholds (held-out + CV rule):", own)
cfg = m.config_thresholds()
pipe = [m.replay(r["text"], r["gold"], "x", r["ranking"], r["guarded"], cfg) for r in rows]
base = [m.replay(r["text"], r["gold"], "x", r["ranking"], False, own) for r in base_rows]


def line(name, a, b):
    k = len(a)

    def s(o, f):
        return sum((x.pred == x.gold) if f == "accuracy" else getattr(x, f) for x in o) / k

    print(
        name,
        k,
        " | ".join(
            f"{f} {s(a, f):.3f} vs {s(b, f):.3f} " + "{:+.3f} [{:+.3f}, {:+.3f}]".format(*m.paired_difference(a, b, f))
            for f in ("accuracy", "direct", "confidently_wrong", "one_click")
        ),
    )


line("held-out", pipe[:n], base[:n])
line("cv", pipe[n:], base[n:])
# new data and blind: the sklearn_tfidf_lr rankings of nlu_pipelines (raw text, same recipe)
cfgr = next(r for r in pj if r["name"] == "config_yml")
bsr = next(r for r in pj if r["name"] == "sklearn_tfidf_lr")
for setname, rows2, key in (("new", load_new_set(), "new"), ("blind(aggregate)", load_blind_set(), "blind")):
    a = [
        m.replay(t, rec["gold"], k, rec["ranking"], rec["guarded"], cfg)
        for (t, _, k), rec in zip(rows2, cfgr[key], strict=False)
    ]
    b = [
        m.replay(t, rec["gold"], k, rec["ranking"], rec["guarded"], own)
        for (t, _, k), rec in zip(rows2, bsr[key], strict=False)
    ]
    line(setname, a, b)
