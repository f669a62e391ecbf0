"""Builds the blank spaCy Japanese pipeline Rasa's SpacyNLP loads: `spacy.blank("ja")` on disk.

No download: spaCy's Japanese tokenizer wraps SudachiPy (split mode A, dictionary
sudachidict_core), both already in the venv. The directory is a build artefact under the
git-ignored `var/`, rebuilt on demand by benchmarks/nlu_pipelines.py.

    .venv/bin/python benchmarks/spacy_ja/build.py [--out var/spacy_ja] [--force]
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "var" / "spacy_ja"


def build(out: Path = DEFAULT_OUT, force: bool = False) -> Path:
    """Writes spacy.blank("ja") to `out` (unless it is already there) and returns the path."""
    out = Path(out)
    if (out / "meta.json").exists() and not force:
        return out
    import spacy

    nlp = spacy.blank("ja")
    nlp.meta["name"] = "blank_ja"
    nlp.meta["version"] = "0.0.1"
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    args = parser.parse_args()
    print(build(args.out, args.force))


if __name__ == "__main__":
    main()
