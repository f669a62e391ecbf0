"""Furigana from SudachiPy readings: the text as segments (base, reading or None).

Only runs of kanji get a reading; kana around them (okurigana: 忘れ → 忘(わす)れ) stay plain. The
reading of a word is SudachiPy's (katakana → hiragana), unless texts/readings.yml names the word
(or a longer stretch, e.g. 「の方」) — matched only where SudachiPy's words begin and end.

Two renderings: the web widget shows every reading as <ruby> (channels/socketio.py sends the
segments, web/static/chat.js builds the nodes); LINE has no ruby, so `with_parentheses` writes
「再設定(さいせってい)」 only for words that need it: **a word gets a reading on LINE when it has a kanji
outside the 240 kanji of grades 1–2 of the 学年別漢字配当表** (教育漢字 of 小学校1・2年; 文部科学省
2017). Those are the kanji every reader of Japanese as a second language meets first; the readings
for the rest are what the guideline asks for (「在留支援のためのやさしい日本語ガイドライン」: 漢字には
ふりがなを), while parentheses after every 日 or 入 would make LINE's plain text hard to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from easy_japanese.twins import _load
from ocn_ids.normalize import hiragana

KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
_KANJI_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+")

# 学年別漢字配当表 (2017), 第1学年 (80) and 第2学年 (160).
GRADE_1 = set(
    "一右雨円王音下火花貝学気九休玉金空月犬見五口校左三山子四糸字耳七車手十出女小上森人水正生青夕石赤千川先早草"
    "足村大男竹中虫町天田土二日入年白八百文木本名目立力林六"
)
GRADE_2 = set(
    "引羽雲園遠何科夏家歌画回会海絵外角楽活間丸岩顔汽記帰弓牛魚京強教近兄形計元言原戸古午後語工公広交光考行高黄合"
    "谷国黒今才細作算止市矢姉思紙寺自時室社弱首秋週春書少場色食心新親図数西声星晴切雪船線前組走多太体台地池知茶昼"
    "長鳥朝直通弟店点電刀冬当東答頭同道読内南肉馬売買麦半番父風分聞米歩母方北毎妹万明鳴毛門夜野友用曜来里理話"
)
FIRST_KANJI = frozenset(GRADE_1 | GRADE_2)


class Segment(NamedTuple):
    base: str
    reading: str | None  # hiragana, only for a run of kanji


@dataclass(frozen=True)
class _Word:
    surface: str
    reading: str  # hiragana


@cache
def _tokenizer():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.C)


@cache
def overrides() -> dict[str, str]:
    """texts/readings.yml: reviewed readings, longest first."""
    found = {str(word): hiragana(str(reading)) for word, reading in (_load("readings.yml") or {}).items()}
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))


def _words(text: str) -> list[_Word]:
    """SudachiPy's words with their readings, with the reviewed overrides put over them."""
    words = [_Word(m.surface(), hiragana(m.reading_form())) for m in _tokenizer().tokenize(text)]
    starts, position = {}, 0
    for index, word in enumerate(words):
        starts[position] = index
        position += len(word.surface)
    ends = {start + len(words[i].surface): i for start, i in starts.items()}
    result: list[_Word] = []
    index = 0
    while index < len(words):
        start = sum(len(w.surface) for w in words[:index])
        for word, reading in overrides().items():
            if text.startswith(word, start) and (start + len(word)) in ends:
                result.append(_Word(word, reading))
                index = ends[start + len(word)] + 1
                break
        else:
            result.append(words[index])
            index += 1
    return result


def _align(surface: str, reading: str) -> list[Segment]:
    """Split one word into kanji runs with their part of the reading and plain kana (okurigana)."""
    parts = re.split(f"({_KANJI_RUN.pattern})", surface)
    pattern = "".join("(.+?)" if _KANJI_RUN.fullmatch(p) else re.escape(hiragana(p)) for p in parts if p)
    matched = re.fullmatch(pattern, reading)
    if not matched:
        return [Segment(surface, reading)]  # e.g. a number read in words: one ruby over the whole word
    groups = iter(matched.groups())
    return [Segment(p, next(groups) if _KANJI_RUN.fullmatch(p) else None) for p in parts if p]


def segments(text: str) -> list[Segment]:
    """The text as segments: a reading over each run of kanji, None elsewhere (adjacent plain text joined)."""
    found: list[Segment] = []
    for line_index, line in enumerate(text.split("\n")):
        if line_index:
            found.append(Segment("\n", None))
        for word in _words(line) if line else []:
            if KANJI.search(word.surface) and word.reading and not KANJI.search(word.reading):
                found.extend(_align(word.surface, word.reading))
            else:
                found.append(Segment(word.surface, None))
    merged: list[Segment] = []
    for segment in found:
        if merged and segment.reading is None and merged[-1].reading is None:
            merged[-1] = Segment(merged[-1].base + segment.base, None)
        else:
            merged.append(segment)
    return merged


def needs_reading_on_line(word: str) -> bool:
    return any(KANJI.fullmatch(char) and char not in FIRST_KANJI for char in word)


def with_parentheses(text: str) -> str:
    """LINE: 「再設定(さいせってい)」 after each word with a kanji beyond grade 2; other words as they are."""
    out = []
    for line_index, line in enumerate(text.split("\n")):
        if line_index:
            out.append("\n")
        for word in _words(line) if line else []:
            out.append(word.surface)
            if needs_reading_on_line(word.surface) and word.reading and not KANJI.search(word.reading):
                out.append(f"({word.reading})")
    return "".join(out)


def readings(text: str) -> list[tuple[str, str]]:
    """Every word with kanji and its reading (for review: python -m easy_japanese readings)."""
    return [
        (w.surface, w.reading)
        for w in (x for line in text.split("\n") for x in _words(line))
        if KANJI.search(w.surface)
    ]
