"""Japanese typed in romaji by learners is read as hiragana; English, names and IDs stay as written."""

from __future__ import annotations

import pytest

from ocn_ids.answers import fold, says_the_code_did_not_come
from ocn_ids.romaji import kana_of_word, read_romaji


@pytest.mark.parametrize(
    "word, kana",
    [
        ("wasuremashita", "わすれました"),
        ("okyakusama", "おきゃくさま"),
        ("setsuzoku", "せつぞく"),
        ("chatto", "ちゃっと"),
        ("kitte", "きって"),
        ("shimbun", "しんぶん"),  # Hepburn's m before b
        ("kon'ya", "こんや"),  # the apostrophe ends the ん
        ("konnichiwa", "こんにちわ"),
        ("nan", "なん"),  # ん at the end
        ("tsukaemasen", "つかえません"),
        ("sinai", "しない"),  # wāpuro spellings
        ("tyotto", "ちょっと"),
        ("ryōkin", "りょうきん"),  # a macron
        ("pasuwa-do", "ぱすわーど"),
    ],
)
def test_a_romaji_word_reads_as_its_hiragana(word: str, kana: str) -> None:
    assert kana_of_word(word) == kana


@pytest.mark.parametrize("word", ["password", "mail", "chat", "internet", "remember", "Wi-Fi", "xyz"])
def test_a_word_that_is_not_romaji_has_no_kana(word: str) -> None:
    assert kana_of_word(word) is None


@pytest.mark.parametrize(
    "typed, read",
    [
        ("OCN ID wo wasuremashita", "OCN ID を わすれました"),  # names in capitals stay
        ("okyakusama bangou wa doko desu ka", "おきゃくさま ばんごう は どこ です か"),
        ("chat de kakunin dekimasu ka?", "chat で かくにん できます か?"),  # English stays beside it
        ("internet no settei no password desu", "internet no せってい no password です"),  # 「no」 may be English
        ("No, arigatou", "No, ありがとう"),  # a no stays a no
        ("please send again, onegai", "please send again, おねがい"),
        ("Yahoo no pasuwaado wo wasuremashita", "Yahoo no パスワード を わすれました"),  # a service's name stays
        ("taro.yamada@ocn.ne.jp desu", "taro.yamada@ocn.ne.jp です"),  # an address is never read
        ("N123456789 desu", "N123456789 です"),
        ("SMS kimasen… nothing", "SMS きません… nothing"),
        ("mae no meeru adoresu wa dou narimasu ka", "まえ の メール アドレス は どう なります か"),  # loanwords
    ],
)
def test_a_message_in_romaji_japanese_is_read_as_kana(typed: str, read: str) -> None:
    assert read_romaji(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        "are you robot?",  # parses as あれ よう, but has no Japanese particle or ending
        "I live in WA and no code came",  # a particle in capitals is no particle
        "I want to change my password",
        "home page no time",
        "taro.yamada@ocn.ne.jp",
        "kitte",  # one word and no particle: not enough to call it Japanese
        "OCN IDを忘れました",
    ],
)
def test_english_and_japanese_script_are_left_as_written(typed: str) -> None:
    assert read_romaji(typed) == typed


@pytest.mark.parametrize(
    "typed, written",
    [
        ("arigatou gozaimasu", "ありがとうございます"),
        ("OCN ID wa?", "OCN IDは？"),
        ("iie, mou ii desu", "いいえ、もういいです"),
    ],
)
def test_the_short_answer_readers_compare_romaji_as_kana(typed: str, written: str) -> None:
    """The readers of thanks, yes/no and follow-ups (ocn_ids/answers.py) see romaji Japanese as its kana."""
    assert fold(typed) == fold(written)


@pytest.mark.parametrize(
    "typed, not_come",
    [("SMS ga kimasen", True), ("dekimasen", False), ("roguin dekimasen", False), ("ログインできません", False)],
)
def test_cannot_is_not_the_code_not_coming(typed: str, not_come: bool) -> None:
    """「できません」 holds 「きません」 (来ません): a login that fails is no code that did not come."""
    assert says_the_code_did_not_come(fold(typed)) is not_come
