"""Who is offered the easy mode: English or learner's Japanese, never a native customer's message."""

from __future__ import annotations

import pytest

from easy_japanese.learner import learner_reason
from easy_japanese.switch import switch_intent


@pytest.mark.parametrize(
    "text, reason",
    [
        ("How can I reset my OCN mail password?", "english"),
        ("I forgot my password", "english"),
        ("OCN ID password reset", "english"),
        ("パスワード わすれました。 にほんご すこし わかります", "spaced kana"),
        ("せつぞく ID の パスワード おしえて ください", "spaced kana"),
        ("日本語が少ししかわかりません", "learner words"),
        ("にほんご むずかしいです", "learner words"),
        ("英語で話せますか", "learner words"),
    ],
)
def test_english_and_learners_japanese_are_recognised(text: str, reason: str) -> None:
    assert learner_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "パスワードを忘れました",
        "OCN IDのパスワードがわかりません",
        "パスワードをresetしたい",
        "ログインできません。iPhoneのメールアプリです",
        "ぱすわーどをわすれました",  # all kana, but no spaces: how many older customers type
        "接続用ID がわからない ので 教えて",  # spaces, but kanji
        "taro@ocn.ne.jp",
        "N123456789",
        "はい",
        "/easy_japanese_on",
        "<img src=x onerror=alert(1)>",  # markup is not English
        "abc12345@xxxx.ocn.ne.jp",
    ],
)
def test_native_customers_messages_are_not(text: str) -> None:
    assert learner_reason(text) is None


@pytest.mark.parametrize(
    "text, intent",
    [
        ("やさしい日本語", "easy_japanese_on"),
        ("「やさしいにほんご」", "easy_japanese_on"),
        ("Easy Japanese", "easy_japanese_on"),
        ("ｅａｓｙ　ｊａｐａｎｅｓｅ", "easy_japanese_on"),
        ("ふつうの日本語", "easy_japanese_off"),
        ("standard Japanese.", "easy_japanese_off"),
        ("やさしい日本語のページはどこですか", None),
    ],
)
def test_the_switching_phrases(text: str, intent: str | None) -> None:
    assert switch_intent(text) == intent
