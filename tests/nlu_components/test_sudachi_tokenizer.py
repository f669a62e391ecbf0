"""The tokenizer's lexicon: the domain's words in the spellings customers type, slips included."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu_components.lexicon import VARIANTS, typing_slips
from nlu_components.sudachi_tokenizer import SudachiTokenizer


@pytest.fixture(scope="module")
def lemmas():
    tokenizer = SudachiTokenizer({**SudachiTokenizer.get_default_config(), "split_mode": "A"})

    def read(text: str) -> list[str]:
        return [token.lemma for token in tokenizer.tokenize(Message(data={"text": text}), "text")]

    return read


@pytest.mark.parametrize(
    ("typed", "lemma"),
    [
        ("はすわーどをわすれた", "パスワード"),  # ぱ without its handakuten
        ("ハスワードがわからない", "パスワード"),
        ("せつそく用IDはどこ", "接続"),  # ぞ without its dakuten
        ("にんしようIDのこと", "認証"),  # ょ typed full size
        ("おきやくさまはんこうを知りたい", "お客さま番号"),  # both slips in one word
        ("めーるあとれすを変えたい", "メールアドレス"),
    ],
)
def test_a_flick_slip_in_a_domain_word_reads_as_the_word(lemmas, typed: str, lemma: str) -> None:
    assert lemma.lower() in lemmas(typed)


def test_the_word_as_written_still_reads_as_itself(lemmas) -> None:
    assert "パスワード".lower() in lemmas("ぱすわーどを忘れた")
    assert "接続" in lemmas("せつぞく用ID")


def test_a_slip_that_spells_another_word_is_not_taken_for_the_domain_word(lemmas) -> None:
    # 「あいてい(ます)」 is 空いている and 「あいてぃー」 IT, not 「あいでぃ」; 「てぃーぽいんと」 is Tポイント.
    assert "id" not in lemmas("席があいています")
    assert "id" not in lemmas("あいてぃーの仕事")
    assert "dポイント" not in lemmas("てぃーぽいんとをためたい")


def test_short_words_and_words_without_dakuten_get_no_slipped_spellings() -> None:
    assert typing_slips("ちがい") == set()  # ちかい is 近い
    assert typing_slips("りれき") == set()
    assert typing_slips("ぱすわーど") == {"はすわーど", "ぱすわーと", "はすわーと"}


def test_no_spelling_means_two_words() -> None:
    lemmas_of: dict[str, set[str]] = {}
    for spelling, lemma in VARIANTS:
        lemmas_of.setdefault(spelling, set()).add(lemma)
    assert {spelling: found for spelling, found in lemmas_of.items() if len(found) > 1} == {}


def test_romaji_japanese_gives_the_lemmas_of_its_kana(lemmas) -> None:
    """A learner's 「pasuwaado wo wasuremashita」 shares its lemmas with 「パスワードを忘れました」."""
    typed, written = lemmas("OCN ID no pasuwaado wo wasuremashita"), lemmas("OCN IDのパスワードを忘れました")
    assert set(written) - {"ocn", "id", "の"} <= set(typed)  # 「no」 after a name may be English: kept


def test_an_address_in_a_romaji_message_stays_one_placeholder(lemmas) -> None:
    assert lemmas("taro.yamada@ocn.ne.jp desu") == ["__mail_address__", "desu", "です"]  # as typed, then as read


def test_full_width_romaji_is_read_as_its_kana_too(lemmas) -> None:
    assert lemmas("ｗａｓｕｒｅｍａｓｈｉｔａ desu") == lemmas("wasuremashita desu")
