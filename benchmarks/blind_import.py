"""Add a batch of blind messages to tests/nlu/blind/ without anyone reading them (issue 8).

    .venv/bin/python benchmarks/blind_import.py /path/from/the/writer batch2
    .venv/bin/python benchmarks/blind_import.py --smoke   # a made-up batch into a temporary folder

Copies every `<kind>.yml` of the writer's folder to tests/nlu/blind/<batch>/<kind>.yml, dropping
the messages that, after NFKC and lower-casing, equal a training example (data/nlu/), a message
already in the blind set, or one before it in the batch: the blind set measures messages the model
has never seen, and the same message counted twice would only add weight, not evidence. Prints counts
per file and intent, never a message.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "nlu" / "blind"
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)|\[([^\]]*)\]\{[^}]*\}")


def key(example: str) -> str:
    """How two messages are compared: entity markup removed, NFKC, lower case, outer spaces."""
    return unicodedata.normalize("NFKC", ENTITY_MARKUP.sub(r"\1\2", example)).lower().strip()


def examples(path: Path) -> list[tuple[str, str]]:
    """(intent, example) in file order."""
    rows = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- ") and line[2:].strip():
                rows.append((block["intent"], line[2:].strip()))
    return rows


def known_keys(*patterns: str) -> set[str]:
    return {key(text) for pattern in patterns for path in ROOT.glob(pattern) for _, text in examples(path)}


def render(rows: list[tuple[str, str]], source: str) -> str:
    lines = ['version: "3.1"', f"# {source}", "nlu:"]
    for intent in dict.fromkeys(intent for intent, _ in rows):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for i, text in rows if i == intent]
    return "\n".join(lines) + "\n"


def import_batch(source: Path, batch: str, blind: Path = BLIND) -> Counter[str]:
    training = known_keys("data/nlu/*.yml")
    seen = known_keys("tests/nlu/blind/**/*.yml")
    dropped: Counter[str] = Counter()
    target = blind / batch
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.yml")):
        kept = []
        for intent, text in examples(path):
            k = key(text)
            if k in training:
                dropped["equals a training example"] += 1
            elif k in seen:
                dropped["already in the blind set"] += 1
            else:
                seen.add(k)
                kept.append((intent, text))
        note = f"Written blind for issue 8 ({batch}); see tests/nlu/blind/README.md. Imported by benchmarks/blind_import.py."
        (target / path.name).write_text(render(kept, note), encoding="utf-8")
        per_intent = Counter(intent for intent, _ in kept)
        print(f"{batch}/{path.name}: {len(kept)} kept; " + ", ".join(f"{i} {n}" for i, n in sorted(per_intent.items())))
    return dropped


def smoke() -> None:
    """A made-up batch (one new message, one training example) imported into a temporary folder."""
    import tempfile

    training_text = examples(next(iter(sorted((ROOT / "data" / "nlu").glob("*.yml")))))[0][1]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "writer"
        source.mkdir()
        rows = [("forgot_password", "ぱすわーど わすれちゃった smoke-test"), ("forgot_password", training_text)]
        (source / "typos.yml").write_text(render(rows, "smoke test"), encoding="utf-8")
        dropped = import_batch(source, "smoke", Path(folder) / "blind")
        kept = examples(Path(folder) / "blind" / "smoke" / "typos.yml")
    print(f"smoke: {len(kept)} kept, dropped {dict(dropped)}")
    if len(kept) != 1 or dropped["equals a training example"] != 1:
        sys.exit("smoke: the batch was not filtered as it should be")


def main() -> None:
    if sys.argv[1:] == ["--smoke"]:
        smoke()
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="the writer's folder of <kind>.yml files")
    parser.add_argument("batch", help="folder name under tests/nlu/blind/, e.g. batch2")
    args = parser.parse_args()
    if not any(args.source.glob("*.yml")):
        sys.exit(f"no .yml files in {args.source}")
    dropped = import_batch(args.source, args.batch)
    print("dropped: " + (", ".join(f"{n} {why}" for why, n in dropped.items()) or "none"))


if __name__ == "__main__":
    main()
