"""Furigana from SudachiPy readings, reviewed overrides, ruby segments for the widget, parentheses on LINE."""

from __future__ import annotations

import re

import pytest

from easy_japanese import furigana
from easy_japanese.furigana import Segment, needs_reading_on_line, segments, with_parentheses


def test_only_kanji_get_a_reading_and_okurigana_stay_plain() -> None:
    assert segments("パスワードを忘れました。") == [
        Segment("パスワードを", None),
        Segment("忘", "わす"),
        Segment("れました。", None),
    ]


def test_katakana_latin_and_numbers_get_no_reading() -> None:
    assert all(s.reading is None for s in segments("OCN IDとマイページ、10。"))


def test_segments_spell_the_text_exactly_also_over_lines() -> None:
    text = "お申し込みの方は\nOCN マイページで確認します。https://example.jp/a?b=c"
    assert "".join(s.base for s in segments(text)) == text


def test_a_reviewed_override_wins_where_words_begin_and_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(furigana, "overrides", lambda: {"の方": "のかた"})
    assert Segment("方", "かた") in segments("お申し込みの方")
    assert Segment("方法", "ほうほう") in segments("この方法")  # 「の方」 inside 「この方法」 is not the word


def test_line_reads_only_words_beyond_the_first_two_school_years() -> None:
    assert (
        with_parentheses("OCN接続用IDの番号を入力します。") == "OCN接続(せつぞく)用IDの番号(ばんごう)を入力します。"
    )  # 入力: grade 1
    assert not needs_reading_on_line("日本") and needs_reading_on_line("認証")


def test_every_reviewed_reading_is_hiragana() -> None:
    for word, reading in furigana.overrides().items():
        assert re.fullmatch(r"[\u3041-\u3096ー]+", reading), (word, reading)
