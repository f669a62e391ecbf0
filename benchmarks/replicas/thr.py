"""Scratch: threshold pairs (topic / conversation) replayed on held-out + CV: direct, confidently wrong, one click."""

import json
import os
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
os.chdir(ROOT)
sys.path.insert(0, ROOT + "/benchmarks")
sys.path.insert(0, ROOT)
import nlu_metrics as m  # noqa: E402

from nlu_components.group_fallback import FallbackThresholds  # noqa: E402

rows = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))["indomain"]
c = m.config_thresholds()
for t, g in [(0.5, 0.3), (0.55, 0.25), (0.3, 0.35), (0.55, 0.3), (0.55, 0.35)]:
    th = FallbackThresholds(t, c.ambiguity, c.group_intents, g, c.group_ambiguity)
    o = [m.replay(r["text"], r["gold"], "cv", r["ranking"], r["guarded"], th) for r in rows]
    for name, part in (("held", o[:368]), ("cv", o[368:])):
        n = len(part)
        print(
            t,
            g,
            name,
            f"direct {sum(x.direct for x in part) / n:.3f} cw {sum(x.confidently_wrong for x in part) / n:.3f} oneclick {sum(x.one_click for x in part) / n:.3f}",
        )
