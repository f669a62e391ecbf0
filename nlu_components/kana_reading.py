"""The text as it sounds: Sudachi's reading of each word, in hiragana.

A homophone typed or heard wrong (晩号 for 番号, 偏向 for 変更, 毎ページ for マイページ) and a word typed in kana
instead of kanji read the same as the word meant, so a character n-gram model that also sees the reading
places them where their spelling alone would not (benchmarks/README.md, issue 23: the TF-IDF view).
"""

from __future__ import annotations

import threading

from sudachipy import SplitMode, Tokenizer

from nlu_components.sudachi_dictionary import sudachi_dictionary
from ocn_ids.normalize import MAX_MESSAGE_CHARS, hiragana, nfkc
from ocn_ids.romaji import read_romaji

_UNSPOKEN = {"空白", "補助記号"}
_PER_THREAD = threading.local()


def _tokenizer() -> Tokenizer:
    """One tokenizer per thread (a SudachiPy tokenizer refuses a second caller while in use: Rasa's
    /model/test and /model/train run in a thread beside the live parses); C: the longest units, so a
    compound is read as one word (接続用 -> せつぞくよう)."""
    tokenizer = getattr(_PER_THREAD, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _PER_THREAD.tokenizer = sudachi_dictionary().create(SplitMode.C)
    return tokenizer


def reading(text: str) -> str:
    """The hiragana reading of the NFKC text; a word Sudachi does not know stays as written."""
    words = []
    text = read_romaji(text)  # 「wasuremashita」 reads as 「わすれました」 (ocn_ids/romaji.py)
    # Cut again after NFKC, which may lengthen a character many times (ﷺ): Sudachi refuses inputs over ~49 KB.
    for morpheme in _tokenizer().tokenize(nfkc(text[:MAX_MESSAGE_CHARS])[:MAX_MESSAGE_CHARS]):
        if morpheme.part_of_speech()[0] in _UNSPOKEN:
            continue  # Sudachi reads a space or a symbol as 「きごう」
        surface = morpheme.surface()
        if any(char.isascii() and char.isdigit() for char in surface):
            words.append(surface)  # 「2番」 is a choice's number, not 「にばん」 (nor 「1番」 「いちばん」, the best)
            continue
        said = morpheme.reading_form()
        words.append(said if said and not morpheme.is_oov() else surface)
    return hiragana("".join(words))


def with_reading(text: str) -> str:
    """The NFKC text, then its reading on a line of its own (the view's input)."""
    normalized = nfkc(text[:MAX_MESSAGE_CHARS])
    return f"{normalized}\n{reading(normalized)}"
