"""Scratch: pipeline vs TF-IDF per blind batch (aggregate counts only, no text printed)."""

import json
import os
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
os.chdir(ROOT)
sys.path.insert(0, ROOT + "/benchmarks")
sys.path.insert(0, ROOT)
import nlu_metrics as m  # noqa: E402
from nlu_pipelines import load_blind_set  # noqa: E402

res = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
blind = load_blind_set()
th = m.config_thresholds()
outs = {
    r["name"]: [
        m.replay(t, rec["gold"], rec["kind"], rec["ranking"], rec["guarded"], th)
        for (t, _, _), rec in zip(blind, r["blind"], strict=True)
    ]
    for r in res
}
a, b = outs["config_yml"], outs["sklearn_tfidf_lr"]
groups = {"all": list(range(len(a)))}
for i, o in enumerate(a):
    groups.setdefault(o.kind.split("/")[0] if "/" in o.kind else "batch1", []).append(i)
for g, idx in groups.items():
    aa = [a[i] for i in idx]
    bb = [b[i] for i in idx]
    print(
        g,
        len(idx),
        " ".join(
            f"{f} " + "{:+.3f} [{:+.3f}, {:+.3f}]".format(*m.paired_difference(aa, bb, f))
            for f in ("accuracy", "direct", "confidently_wrong", "one_click")
        ),
        f"| cfg acc {sum(o.pred == o.gold for o in aa) / len(aa):.3f} tfidf {sum(o.pred == o.gold for o in bb) / len(bb):.3f}",
    )
