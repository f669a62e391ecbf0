"""Knowledge fallback: the help-page section that best answers a message the classifier can't place.

BM25 over SudachiPy normalized forms (particles, auxiliaries and symbols dropped; the domain's
spellings from nlu_components/lexicon.py folded first), combined with the classifier's ranking:
the sections are short and share their words, so retrieval alone picks the right one for only
about half of the messages, and the classifier's second and third guesses are often right.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sudachipy import Dictionary, SplitMode

from actions import buttons
from actions.topics import TOPICS
from nlu_components.lexicon import VARIANTS
from ocn_ids.normalize import nfkc

SECTIONS_FILE = Path(__file__).with_name("help_sections.yml")
# Part-of-speech classes that carry no topic (particles, auxiliaries, symbols, blanks).
_DROPPED_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
# Light verbs that Sudachi keeps as content words but that say nothing about the topic.
_STOP_LEMMAS = {"為る", "有る", "居る", "成る", "出来る", "で", "て", "ちゃう"}
# BM25 parameters (Robertson's defaults).
_K1 = 1.5
_B = 0.75
# Weight of retrieval vs. the classifier's probabilities in the combined score (measured with
# benchmarks/nlu_pipelines.py on tests/nlu/test_nlu.yml, not on the blind set).
RETRIEVAL_WEIGHT = 0.5
# Lemmas that make a message "about IDs/passwords": only these messages get a section.
ANCHORS = frozenset(
    {
        "パスワード",
        "id",
        "お客さま番号",
        "会員登録証",
        "dアカウント",
        "dポイント",
        "認証",
        "ログイン",
        "連携",
        "メールアドレス",
    }
)
# Stronger evidence needed when the classifier itself said out_of_scope with confidence
# (a login or a mail address is also part of many off-topic questions; so are dアカウント and dポイント, whose
# own password, balance or use are docomo's, not the help page's: data/nlu/out_of_scope.yml).
STRONG_ANCHORS = frozenset({"パスワード", "id", "お客さま番号", "会員登録証", "認証"})
# Intents that never become buttons: they are not answers to a question about IDs.
_NOT_TOPICS = {"out_of_scope", "request_human", "nlu_fallback"}


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    text: str
    intents: tuple[str, ...]
    search: str = ""


@dataclass
class Retrieval:
    """What the knowledge fallback found for one message."""

    section: Section | None
    scores: dict[str, float] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)  # the two likeliest help-page intents


@cache
def sections() -> tuple[Section, ...]:
    data = yaml.safe_load(SECTIONS_FILE.read_text(encoding="utf-8"))
    return tuple(
        Section(s["id"], s["title"], " ".join(s["text"].split()), tuple(s["intents"]), s.get("search", ""))
        for s in data["sections"]
    )


@cache
def _tokenizer() -> Any:
    return Dictionary().create(SplitMode.A)


def tokens(text: str) -> list[str]:
    """Content lemmas of a message: lexicon words first, Sudachi's normalized forms for the rest."""
    norm = nfkc(text).lower()
    found: list[tuple[int, int, str]] = []
    for variant, lemma in VARIANTS:
        index = norm.find(variant)
        while index != -1:
            end = index + len(variant)
            if not any(s < end and index < e for s, e, _ in found):
                found.append((index, end, lemma.lower()))
            index = norm.find(variant, end)
    result: list[str] = []
    position = 0
    for start, end, lemma in sorted(found):
        result += _sudachi_lemmas(norm[position:start])
        result.append(lemma)
        position = end
    return result + _sudachi_lemmas(norm[position:])


def _sudachi_lemmas(text: str) -> list[str]:
    if not text.strip():
        return []
    # A lone surrogate (a broken emoji pasted in) cannot be encoded for Sudachi: replaced, not a crash.
    text = text[:4000].encode("utf-8", "replace").decode("utf-8")
    return [
        m.normalized_form().lower()
        for m in _tokenizer().tokenize(text)
        if m.surface().strip() and m.part_of_speech()[0] not in _DROPPED_POS and m.normalized_form() not in _STOP_LEMMAS
    ]


class BM25:
    """Okapi BM25 over a handful of short documents (shorter and faster than a package here)."""

    def __init__(self, documents: list[list[str]]) -> None:
        self._docs = [Counter(doc) for doc in documents]
        self._lengths = [len(doc) for doc in documents]
        self._avg = sum(self._lengths) / max(len(documents), 1)
        df = Counter(term for doc in self._docs for term in doc)
        n = len(documents)
        self._idf = {term: math.log(1 + (n - count + 0.5) / (count + 0.5)) for term, count in df.items()}

    def scores(self, query: list[str]) -> list[float]:
        result = []
        for doc, length in zip(self._docs, self._lengths, strict=True):
            score = 0.0
            for term in set(query):
                tf = doc.get(term, 0)
                if tf:
                    norm = tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / self._avg))
                    score += self._idf[term] * norm
            result.append(score)
        return result


@cache
def _index() -> BM25:
    return BM25([tokens(f"{s.title} {s.text} {s.search}") for s in sections()])


def is_about_ids(text: str, strong: bool = False) -> bool:
    """True when the message names an ID, a password or where they are used."""
    return bool(set(tokens(text)) & (STRONG_ANCHORS if strong else ANCHORS))


def retrieve(text: str, ranking: list[dict[str, Any]], strong: bool = False) -> Retrieval:
    """The best section for a message, or none when the message is not about IDs/passwords.

    `ranking` is Rasa's intent_ranking (name, confidence); the section's score adds retrieval
    (scaled to the best section) and the classifier's probability of the intents it answers.
    """
    ranked = [item["name"] for item in ranking if item.get("name") in TOPICS and item["name"] not in _NOT_TOPICS]
    query = tokens(text)
    if not set(query) & (STRONG_ANCHORS if strong else ANCHORS):
        return Retrieval(None, buttons=ranked[:2])
    bm25 = _index().scores(query)
    best_bm25 = max(bm25) or 1.0
    probability = {item["name"]: float(item.get("confidence") or 0.0) for item in ranking}
    scores = {
        section.id: RETRIEVAL_WEIGHT * (score / best_bm25)
        + (1 - RETRIEVAL_WEIGHT) * sum(probability.get(intent, 0.0) for intent in section.intents)
        for section, score in zip(sections(), bm25, strict=True)
    }
    best = max(sections(), key=lambda s: scores[s.id])
    if scores[best.id] <= 0.0:
        return Retrieval(None, scores, ranked[:2])
    return Retrieval(best, scores, ranked[:2])


def topic_buttons(intents: list[str]) -> list[dict[str, str]]:
    """Buttons for help-page intents, then "none of these" (answered as out_of_scope)."""
    buttons = [{"title": TOPICS[name].title, "payload": f"/{name}"} for name in intents if name in TOPICS]
    buttons.append({"title": "どれでもない", "payload": "/out_of_scope"})
    return buttons


# A section that answers two topics with procedures stands for the one the classifier leads with by this
# factor over the other (「OCN IDってなに？どこで確認できる？」 reads as the OCN ID's section, which also
# names the login history); closer than that, the bot would be guessing.
_LEADS_BY = 2.0


def section_topic(section: Section, ranking: list[dict[str, Any]] | None = None) -> str | None:
    """The help-page topic a shown section answers, for what the customer says next (「ここでできますか」
    starts its procedure, a follow-up is read against it): its one topic with a chat procedure (of two,
    the one the classifier clearly leads with), else its only topic; None when the bot would have to guess."""
    topics = [intent for intent in section.intents if intent in TOPICS]
    with_procedure = [topic for topic in topics if TOPICS[topic].procedure]
    if len(with_procedure) == 1:
        return with_procedure[0]
    if len(with_procedure) > 1:
        probability = {item.get("name"): float(item.get("confidence") or 0.0) for item in ranking or []}
        first, second = sorted(with_procedure, key=lambda topic: -probability.get(topic, 0.0))[:2]
        leads = probability.get(first, 0.0) > 0.0 and probability.get(first, 0.0) >= _LEADS_BY * probability.get(
            second, 0.0
        )
        return first if leads else None
    return topics[0] if len(topics) == 1 else None


def send_section(dispatcher: Any, found: Retrieval, help_link: str | None, procedure: str | None = None) -> None:
    """The section's content with the help-page link, then buttons for the two likeliest intents; with the
    chat procedure of the section's topic first, when it has one (a yes to it starts the procedure)."""
    assert found.section is not None
    dispatcher.utter_message(
        response="utter_help_section",
        section_title=found.section.title,
        section_text=found.section.text,
        link=help_link or "",
    )
    if procedure is None:
        dispatcher.utter_message(response="utter_help_section_other", buttons=topic_buttons(found.buttons))
        return
    offered = buttons.yes_no("offer_procedure", buttons.payload("start_procedure", procedure=procedure))[:1]
    dispatcher.utter_message(response="utter_help_section_procedure", buttons=offered + topic_buttons(found.buttons))
