"""Every standard text (lint/texts.py's inventory) paired with its easy twin, and what is missing.

Which texts have twins (README.md, "やさしい日本語"):
- domain.yml responses, every variation: texts/responses.yml (text, and the button titles in order);
- help-page sections (title and text): texts/sections.yml;
- button titles built in Python (actions/choices.py, topics.py, buttons.py, knowledge.py, procedure_run.py):
  texts/buttons.yml;
- the widget's own strings and LINE's fixed strings: texts/widget.yml.
Not in the chat's easy mode: the help-site page around the widget (web/static/index.html) and the SMS,
mails and letters of the account sandbox (account_api/messages.py): OCN's systems send those.
Responses already written in easy Japanese (the mode's own replies, the offer) are their own twins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from easy_japanese.twins import ROOT, standard_sections, twins
from lint.samples import PLACEHOLDER, fill
from lint.texts import action_texts

# Responses written in easy Japanese in domain.yml itself (the switch and the offer).
ALREADY_EASY = frozenset(
    {"utter_easy_japanese_on", "utter_easy_japanese_off", "utter_easy_japanese_declined", "utter_offer_easy_japanese"}
)
# Python-built button titles come from these parts of lint/texts.py's inventory.
_BUTTON_SOURCES = ("actions/choices.py", "actions/topics.py", "actions/buttons.py", "actions/procedure_run.py start")


@dataclass(frozen=True)
class Pair:
    where: str
    standard: str
    easy: str | None  # None: no twin yet
    prose: bool = True  # sentences (scored for readability) or a label (button, heading)


@cache
def domain_responses() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


def _response_pairs() -> list[Pair]:
    pairs = []
    found = twins().responses
    for name, variations in domain_responses().items():
        easy = found.get(name) or []
        for index, variation in enumerate(variations):
            where = f"domain.yml {name}[{index}]"
            twin = easy[index] if index < len(easy) and isinstance(easy[index], dict) else {}
            if variation.get("text"):
                text = variation["text"] if name in ALREADY_EASY else twin.get("text")
                pairs.append(Pair(where, variation["text"], text))
            titles = twin.get("buttons") or []
            for b_index, button in enumerate(variation.get("buttons") or []):
                title = (
                    button["title"] if name in ALREADY_EASY else (titles[b_index] if b_index < len(titles) else None)
                )
                pairs.append(Pair(f"{where} button {b_index + 1}", button["title"], title, prose=False))
    return pairs


def _section_pairs() -> list[Pair]:
    pairs = []
    for section_id, standard in standard_sections().items():
        twin = twins().section(section_id)
        pairs.append(Pair(f"sections {section_id}.text", standard["text"], twin.text))
        pairs.append(Pair(f"sections {section_id}.title", standard["title"], twin.title, prose=False))
    return pairs


def _python_pairs() -> list[Pair]:
    pairs, seen = [], set()
    for shown in action_texts():
        if shown.source.startswith(_BUTTON_SOURCES) and shown.text not in seen:
            seen.add(shown.text)
            pairs.append(Pair(f"buttons.yml ({shown.source})", shown.text, twins().buttons.get(shown.text), False))
    return pairs


def _widget_pairs() -> list[Pair]:
    return [
        Pair(f"widget.yml {key}", str(value.get("standard")), value.get("easy"), prose=False)
        for key, value in twins().widget.items()
    ]


def pairs() -> list[Pair]:
    """Every standard text the easy mode covers, with its twin (or None)."""
    return [*_response_pairs(), *_section_pairs(), *_python_pairs(), *_widget_pairs()]


def missing() -> list[Pair]:
    return [pair for pair in pairs() if not pair.easy]


def shown(text: str) -> str:
    """A text as the customer reads it: placeholders filled with realistic values, links left out."""
    return re.sub(r"\s+\n", "\n", fill(text)).strip()
