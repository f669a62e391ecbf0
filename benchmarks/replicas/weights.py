"""Scratch replica: config.yml's probabilities split back into the lemma model S and the TF-IDF view T
(combined = 0.6 S + 0.4 T; T re-trained offline with the component's recipe on the same folds), then
re-mixed at other weights. Held-out, CV (old data) and new data; no blind."""

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
from nlu_pipelines import load_new_set, load_test_set  # noqa: E402

from ocn_ids.normalize import nfkc  # noqa: E402

nlu_combine.TRAIN_DATA = "data/nlu"  # the data the CV JSON was made from
cvj = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
pj = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
test = load_test_set()
new = load_new_set()
n_test = len(test)
rows = cvj["indomain"]
held_rows, cv_rows = rows[:n_test], rows[n_test:]
held_T, cv_T, gold = nlu_combine.tfidf_probabilities([t for t, _ in test])
assert gold == [r["gold"] for r in cv_rows], "fold order differs"
# T for new data: trained on all old data
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

ex = [x for x in load_data(nlu_combine.TRAIN_DATA).intent_examples if x.get("text") and x.get("intent")]
model = nlu_combine._tfidf_model().fit([nfkc(x.get("text")) for x in ex], [x.get("intent") for x in ex])
classes = list(model.classes_)
new_T = [dict(zip(classes, map(float, p), strict=False)) for p in model.predict_proba([nfkc(t) for t, _, _ in new])]
cfg = next(r for r in pj if r["name"] == "config_yml")
W0 = 0.4


def split(ranking, T):
    comb = {r["name"]: r["confidence"] for r in ranking}
    return {k: max((comb.get(k, 0.0) - W0 * T.get(k, 0.0)) / (1 - W0), 0.0) for k in set(T)}


sets = {
    "held-out": [
        (t, g, "heldout", split(r["ranking"], T), T, r["guarded"])
        for (t, g), r, T in zip(test, held_rows, held_T, strict=False)
    ],
    "cv": [
        (r["text"], r["gold"], "cv", split(r["ranking"], T), T, r["guarded"])
        for r, T in zip(cv_rows, cv_T, strict=False)
    ],
    "new": [
        (t, g, k, split(r["ranking"], T), T, r["guarded"])
        for (t, g, k), r, T in zip(new, cfg["new"], new_T, strict=False)
    ],
}
th = m.config_thresholds()
res = {}
for w in [float(x) for x in sys.argv[3].split(",")]:
    for s, items in sets.items():
        outs = [m.replay(t, g, k, nlu_combine.combine(S, T, w, "linear"), gd, th) for t, g, k, S, T, gd in items]
        res[(w, s)] = outs
for s in sets:
    base = res[(W0, s)]
    tf = res[(1.0, s)]
    for w in sorted({w for w, _ in res}):
        o = res[(w, s)]
        n = len(o)
        acc = sum(x.pred == x.gold for x in o) / n
        d = m.paired_difference(o, base)
        dt = m.paired_difference(o, tf)
        print(
            f"{s:8} w={w:.2f} acc {acc:.3f} direct {sum(x.direct for x in o) / n:.3f} cw {sum(x.confidently_wrong for x in o) / n:.3f} oneclick {sum(x.one_click for x in o) / n:.3f} | vs w0.4 {d[0]:+.3f} [{d[1]:+.3f},{d[2]:+.3f}] | vs tfidf {dt[0]:+.3f} [{dt[1]:+.3f},{dt[2]:+.3f}]"
        )
