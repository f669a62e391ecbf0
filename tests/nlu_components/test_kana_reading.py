"""The text as it sounds: homophones typed or heard wrong read like the word meant."""

from __future__ import annotations

import pytest

from nlu_components.kana_reading import reading, with_reading


@pytest.mark.parametrize(
    "meant, typed",
    [("番号", "晩号"), ("変更", "偏向"), ("確認", "核認"), ("マイページ", "毎ページ"), ("忘れた", "和すれた")],
)
def test_a_wrong_conversion_reads_like_the_word_meant(meant: str, typed: str) -> None:
    assert reading(typed) == reading(meant)


def test_spaces_and_symbols_are_not_read_aloud() -> None:
    """Sudachi reads a space or 「！」 as 「きごう」; the reading leaves them out."""
    assert reading("OCN IDを確認したい！") == "OCNあいでぃーをかくにんしたい"


def test_the_view_input_is_the_text_then_its_reading() -> None:
    assert with_reading("ＯＣＮのパスワード") == "OCNのパスワード\nOCNのぱすわーど"


def test_threads_read_at_the_same_time() -> None:
    """Rasa's /model/test runs in a thread beside the live parses; a SudachiPy tokenizer refuses a second
    caller while in use, so each thread reads with its own."""
    from concurrent.futures import ThreadPoolExecutor

    texts = ["OCN IDのパスワードを忘れました"] * 400
    with ThreadPoolExecutor(max_workers=8) as pool:
        readings = set(pool.map(reading, texts))
    assert readings == {"OCNあいでぃーのぱすわーどをわすれました"}


def test_a_text_nfkc_lengthens_is_still_read() -> None:
    """NFKC turns 「ﷺ」 into 18 characters; the reading cuts again so Sudachi's input limit is never passed."""
    assert isinstance(reading("ﷺ" * 4000), str)  # Sudachi raised on the uncut text


def test_numbers_stay_numbers() -> None:
    """「2番」 answers a list of choices; read aloud 「1番」 would be 「いちばん」 (the best), so digits stay written."""
    assert reading("1番のほう") == "1番のほう"
    assert "2" in reading("２番")


def test_romaji_japanese_reads_like_the_japanese_it_stands_for() -> None:
    assert reading("okyakusama bangou wa doko desu ka") == reading("おきゃくさまばんごうはどこですか")
