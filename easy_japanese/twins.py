"""The easy twins (texts/*.yml) and how a standard text finds its twin.

A twin that is missing falls back to the standard text (tests/easy_japanese/test_coverage.py lists them).
Only what a customer reads is swapped: texts and button titles; payloads, conditions and channels stay
the standard response's.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEXTS = Path(__file__).with_name("texts")
ROOT = Path(__file__).resolve().parents[1]
STANDARD_SECTIONS = ROOT / "actions" / "help_sections.yml"


def _load(name: str) -> Any:
    return yaml.safe_load((TEXTS / name).read_text(encoding="utf-8")) or {}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


@dataclass(frozen=True)
class SectionTwin:
    title: str | None
    text: str | None


@dataclass(frozen=True)
class Twins:
    responses: dict[str, list[dict[str, Any]]]  # response name -> easy variations (texts/responses.yml)
    sections: dict[str, SectionTwin]  # section id -> easy title and text
    buttons: dict[str, str]  # standard title -> easy title (buttons built in Python)
    widget: dict[str, dict[str, str]]  # key -> {standard, easy}

    def response_variations(self, name: str, standard: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The standard variations with the easy text and button titles swapped in, variation by variation."""
        easy = self.responses.get(name) or []
        swapped = []
        for index, variation in enumerate(standard):
            twin = easy[index] if index < len(easy) and isinstance(easy[index], dict) else {}
            variation = copy.deepcopy(variation)
            if twin.get("text") and variation.get("text"):
                variation["text"] = twin["text"]
            titles = twin.get("buttons") or []
            for button, title in zip(variation.get("buttons") or [], titles, strict=False):
                button["title"] = title
            swapped.append(variation)
        return swapped

    def button_title(self, title: str) -> str:
        return self.buttons.get(title) or title

    def section(self, section_id: str) -> SectionTwin:
        return self.sections.get(section_id) or SectionTwin(None, None)


@cache
def twins() -> Twins:
    sections = {
        s["id"]: SectionTwin(s.get("title"), _one_line(s["text"]) if s.get("text") else None)
        for s in (_load("sections.yml").get("sections") or [])
        if isinstance(s, dict) and s.get("id")
    }
    return Twins(
        responses=dict(_load("responses.yml")),
        sections=sections,
        buttons={str(k): str(v) for k, v in (_load("buttons.yml") or {}).items()},
        widget=dict(_load("widget.yml")),
    )


@cache
def standard_sections() -> dict[str, dict[str, str]]:
    """Section id -> its standard title and text (one line, as actions/knowledge.py shows it)."""
    data = yaml.safe_load(STANDARD_SECTIONS.read_text(encoding="utf-8"))
    return {s["id"]: {"title": s["title"], "text": _one_line(s["text"])} for s in data["sections"]}


@cache
def _section_by_text() -> dict[str, str]:
    return {section["text"]: section_id for section_id, section in standard_sections().items()}


def easy_section_text(standard_text: str) -> str:
    """The twin of a section's text (the action sends the standard one), or the standard text."""
    section_id = _section_by_text().get(_one_line(standard_text))
    return (twins().section(section_id).text if section_id else None) or standard_text


def easy_section_title(standard_title: str) -> str:
    for section_id, section in standard_sections().items():
        if section["title"] == standard_title:
            return twins().section(section_id).title or standard_title
    return standard_title


def widget_strings(mode: str) -> dict[str, str]:
    """The widget's own strings in one mode ("standard" or "easy"; easy falls back to standard)."""
    return {key: str(value.get(mode) or value["standard"]) for key, value in twins().widget.items()}
