"""jreadability scores of the easy-Japanese twins (easy_japanese/texts/) against their standard texts.

    .venv/bin/python benchmarks/easy_readability.py [--smoke]

Higher is easier (Lee & Hasebe's scale: 4.5-5.5 upper elementary). Prints the averages of the texts
(responses with their placeholders filled as lint/samples.py fills them, section texts) and of the titles
(section titles, button titles: a few words, so their scores are coarse), the five lowest easy texts, and
every problem: a twin missing or not easier than its standard twin, an easy text under 4.5, other
placeholders or another number of buttons than the standard variation, a bubble over 120 characters
before its link, a section over 99 characters, a button title over 20 characters (LINE). Exit 1 on a
problem. `--smoke` scores three responses only and exits 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fugashi import Tagger
from jreadability import compute_readability

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lint import texts as inventory  # noqa: E402
from lint.samples import PLACEHOLDER, fill  # noqa: E402

EASY = ROOT / "easy_japanese" / "texts"
MAX_BUBBLE = 120  # docs/style.md §3
MAX_SECTION = 99  # + 「\nくわしくは、ヘルプページを見てください。」 stays within MAX_BUBBLE
MAX_BUTTON = 20  # LINE
EASY_BAND = 4.5


@dataclass
class Scores:
    score: Callable[[str], float]
    texts: list[tuple[str, float, float]] = field(default_factory=list)  # where, standard, easy
    titles: list[tuple[str, float, float]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def text(self, where: str, standard: str, easy: str) -> None:
        self.texts.append((where, self.score(standard), self.score(easy)))

    def title(self, where: str, standard: str, easy: str) -> None:
        if len(easy) > MAX_BUTTON:
            self.problems.append(f"{where} {easy!r}: over {MAX_BUTTON} characters")
        self.titles.append((f"{where} {easy!r}", self.score(standard), self.score(easy)))


def _load(name: str) -> Any:
    path = EASY / name
    return (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}


def _bubble(text: str, values: dict[str, str]) -> int:
    """Characters before the first link, placeholders filled."""
    return len(fill(text.split("{link}")[0].split("{contact_link}")[0], values))


def score_responses(scores: Scores, names: list[str], easy_section_text: str) -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    easy_responses = _load("responses.yml")
    values = {"section_text": easy_section_text}
    for name in names:
        variants, easy = domain[name], easy_responses.get(name) or []
        if len(easy) < len(variants):
            scores.problems.append(f"{name}: {len(easy)} easy variations for {len(variants)}")
            continue
        if len(easy) > len(variants):
            print(f"note: {name} has {len(easy)} easy variations for {len(variants)} (the extra ones are not scored)")
        for i, (standard, twin) in enumerate(zip(variants, easy[: len(variants)], strict=True)):
            where = f"{name}[{i}]"
            wanted, written = set(PLACEHOLDER.findall(standard["text"])), set(PLACEHOLDER.findall(twin["text"]))
            if wanted != written:
                scores.problems.append(f"{where}: placeholders {sorted(written)}, standard {sorted(wanted)}")
            titles, easy_titles = [b["title"] for b in standard.get("buttons") or []], twin.get("buttons") or []
            if len(titles) != len(easy_titles):
                scores.problems.append(f"{where}: {len(easy_titles)} easy buttons for {len(titles)}")
            for title, easy_title in zip(titles, easy_titles, strict=False):
                scores.title(f"{where} button", title, easy_title)
            if _bubble(twin["text"], values) > MAX_BUBBLE:
                scores.problems.append(f"{where}: {_bubble(twin['text'], values)} characters before the link")
            scores.text(where, fill(standard["text"]), fill(twin["text"], values))


def score_sections(scores: Scores, easy_sections: dict[str, dict[str, str]]) -> None:
    for section in inventory.knowledge.sections():
        twin = easy_sections.get(section.id)
        if not twin:
            scores.problems.append(f"section {section.id}: missing")
            continue
        if len(twin["text"]) > MAX_SECTION:
            scores.problems.append(f"section {section.id}: {len(twin['text'])} characters (at most {MAX_SECTION})")
        scores.text(f"section {section.id}", section.text, twin["text"])
        scores.titles.append((f"section {section.id}.title", scores.score(section.title), scores.score(twin["title"])))


def score_buttons(scores: Scores) -> None:
    """The titles built in Python (lint/texts.py lists them; the login history's lines are no buttons)."""
    easy_buttons = _load("buttons.yml")
    for shown in inventory.action_texts():
        if shown.kind != inventory.LABEL or "format_login_history" in shown.source:
            continue
        if shown.text in easy_buttons:
            scores.title(f"button ({shown.source})", shown.text, easy_buttons[shown.text])
        else:
            scores.problems.append(f"button {shown.text!r} ({shown.source}): missing")


def _average(rows: list[tuple[str, float, float]], column: int) -> float:
    return sum(row[column] for row in rows) / len(rows) if rows else float("nan")


def report(scores: Scores) -> None:
    for where, standard, easy in scores.texts + scores.titles:
        if easy < standard:
            scores.problems.append(f"{where}: easy {easy:.2f} < standard {standard:.2f}")
    for where, standard, easy in scores.texts:
        if standard <= easy < EASY_BAND:
            scores.problems.append(f"{where}: easy {easy:.2f} under {EASY_BAND} (standard {standard:.2f})")
    texts, titles = scores.texts, scores.titles
    print(f"{len(texts)} texts: standard average {_average(texts, 1):.2f}, easy average {_average(texts, 2):.2f}")
    print(
        f"{len(titles)} titles: standard average {_average(titles, 1):.2f}, easy average {_average(titles, 2):.2f}; "
        f"{sum(r[2] > r[1] for r in titles)} easier, {sum(r[2] == r[1] for r in titles)} the same score"
    )
    lowest = sorted(texts, key=lambda row: row[2])[:5]
    print("lowest easy texts:", ", ".join(f"{w} {e:.2f} (standard {s:.2f})" for w, s, e in lowest))
    for problem in scores.problems:
        print("PROBLEM", problem)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="three responses only; exit 0")
    args = parser.parse_args()
    tagger = Tagger()
    scores = Scores(lambda text: compute_readability(text, tagger))
    easy_sections = {s["id"]: s for s in _load("sections.yml").get("sections") or []}
    longest_easy_section = max((" ".join(s["text"].split()) for s in easy_sections.values()), key=len, default="")
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    score_responses(scores, list(domain)[:3] if args.smoke else list(domain), longest_easy_section)
    if not args.smoke:
        score_sections(scores, easy_sections)
        score_buttons(scores)
    report(scores)
    return 1 if scores.problems and not args.smoke else 0


if __name__ == "__main__":
    raise SystemExit(main())
