"""Group what customers asked that the bot did not understand, by the words they used.

Words are SudachiPy's normalized forms of content words (nouns, verbs, adjectives, adverbs), so
「パスワード忘れた」 and 「ﾊﾟｽﾜｰﾄﾞをわすれました」 share words. Two messages are in one group when
their word sets overlap by at least SIMILARITY (Jaccard) with the group's first message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sudachipy import Dictionary, SplitMode

from console.insight.period import JST
from console.insight.privacy import safe_text

SIMILARITY = 0.5
_CONTENT_POS = ("名詞", "動詞", "形容詞", "副詞", "形状詞")
NO_WORDS = "（文字として読み取れないメッセージ）"


@dataclass
class Question:
    example: str  # the newest message of the group, redacted
    count: int
    words: list[str]
    last_seen: str  # JST date-time


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    return Dictionary().tokenizer(mode=SplitMode.A)


def words_of(text: str) -> frozenset[str]:
    tokens = _tokenizer().tokenize(text[:2000])
    return frozenset(
        t.normalized_form() for t in tokens if t.part_of_speech()[0] in _CONTENT_POS and t.normalized_form().strip()
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def group_questions(messages: Iterable[tuple[str | None, float]], top: int) -> list[Question]:
    """`messages` as (text, timestamp); the `top` largest groups."""
    # Identical texts and identical word sets first (most repeats are exact), then similar word
    # sets join the larger groups; each distinct text is redacted and tokenized once.
    by_text: dict[str, list[float]] = defaultdict(list)
    for text, timestamp in messages:
        text = (text or "").strip()
        if text and not text.startswith("/"):  # not empty, not a button payload
            by_text[text].append(float(timestamp))
    same: dict[frozenset[str], list[tuple[str, float]]] = defaultdict(list)
    for text, times in by_text.items():
        shown = safe_text(text)
        same[words_of(shown)].extend((shown, t) for t in times)
    groups: list[tuple[frozenset[str], list[tuple[str, float]]]] = []
    by_word: dict[str, list[int]] = defaultdict(list)
    for word_set, items in sorted(same.items(), key=lambda kv: -len(kv[1])):
        candidates = {i for w in word_set for i in by_word[w]}
        best = max(candidates, key=lambda i: _jaccard(word_set, groups[i][0]), default=None)
        if best is not None and _jaccard(word_set, groups[best][0]) >= SIMILARITY:
            groups[best][1].extend(items)
            continue
        for w in word_set:
            by_word[w].append(len(groups))
        groups.append((word_set, list(items)))
    groups.sort(key=lambda g: -len(g[1]))
    return [_question(word_set, items) for word_set, items in groups[:top]]


def _question(word_set: frozenset[str], items: list[tuple[str, float]]) -> Question:
    newest_text, newest_at = max(items, key=lambda item: item[1])
    return Question(
        example=newest_text if word_set else NO_WORDS,
        count=len(items),
        words=sorted(word_set),
        last_seen=datetime.fromtimestamp(newest_at, JST).strftime("%Y-%m-%d %H:%M"),
    )
