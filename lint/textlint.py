"""Write texts to temporary Markdown files (each one paragraph, its source in a comment above it) and
run textlint over them; problems come back with the text's source."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lint.texts import LABEL, PROSE, Shown

HERE = Path(__file__).resolve().parent
TEXTLINT = HERE / "node_modules" / ".bin" / "textlint"
CONFIGS = {PROSE: HERE / ".textlintrc.json", LABEL: HERE / ".textlintrc.labels.json"}
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Problem:
    source: str
    text: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message} [{self.rule}]\n    {self.text}"


class TextlintMissing(RuntimeError):
    pass


def _write(texts: list[Shown], path: Path) -> dict[int, Shown]:
    """One paragraph per text; returns the line each text starts on."""
    lines: list[str] = []
    starts: dict[int, Shown] = {}
    for item in texts:
        lines.append(f"<!-- {item.source.replace('--', '- -')} -->")
        starts[len(lines) + 1] = item
        # Markdown would read these as markup; textlint should read them as the customer does.
        lines.append(item.text.replace("*", "＊").replace("#", "＃"))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return starts


def run(texts: Iterable[Shown]) -> list[Problem]:
    if not TEXTLINT.exists():
        raise TextlintMissing(f"{TEXTLINT} is missing: run `make lint-deps` (npm ci in lint/)")
    texts = list(texts)
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="ocn-texts-") as tmp:
        for kind, config in CONFIGS.items():
            chosen = [t for t in texts if t.kind == kind]
            if not chosen:
                continue
            path = Path(tmp) / f"{kind}.md"
            starts = _write(chosen, path)
            done = subprocess.run(
                [str(TEXTLINT), "--config", str(config), "--format", "json", str(path)],
                cwd=HERE,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
            if done.returncode not in (0, 1) or not done.stdout.strip():
                raise RuntimeError(f"textlint failed ({done.returncode}): {done.stderr or done.stdout}")
            for result in json.loads(done.stdout):
                for found in result["messages"]:
                    item = starts.get(found["line"]) or Shown(f"{path.name}:{found['line']}", "")
                    problems.append(Problem(item.source, item.text, found["ruleId"], found["message"]))
    return problems


def fixed(sentences: list[str]) -> list[str]:
    """Each sentence as textlint --fix (the prh dictionary) rewrites it, in the same order."""
    if not TEXTLINT.exists():
        raise TextlintMissing(f"{TEXTLINT} is missing: run `make lint-deps` (npm ci in lint/)")
    with tempfile.TemporaryDirectory(prefix="ocn-fix-") as tmp:
        path = Path(tmp) / "sentences.md"
        path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
        done = subprocess.run(
            [str(TEXTLINT), "--config", str(CONFIGS[PROSE]), "--fix", "--dry-run", "--format", "json", str(path)],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        if not done.stdout.strip():
            raise RuntimeError(f"textlint --fix failed ({done.returncode}): {done.stderr}")
        output = json.loads(done.stdout)[0]["output"]
    return [part.strip() for part in output.strip().split("\n\n")]
