"""A number said aloud, as voice input types it in kana (「えぬいちにさんよん…」 for N1234…), or half in
words (「エヌ123456789」, 「N一二三四五六七八九」).

Voice input on a phone often writes what it heard as words, not digits: a customer reading out the customer
number or the code gets 「えぬいちにさんよんごーろくななはちきゅう」. Only a message that is nothing but such a
number (with a filler, its own label 「お客様番号は」「確認コードは」 or 「です」 around it) is read, so a sentence
never turns into digits (「暗証番号は一二三四五六」「受付番号は…」 are not the bot's numbers) — except a customer number
said last, 「えぬ」 or N and its nine digits ending the message (「じゃあお客様晩号で言いますね えぬ いちにさん…」).
"""

from __future__ import annotations

import re

from ocn_ids.normalize import hiragana, nfkc

# Each digit as it is said; 「ー」 is dropped before reading (ごー, にー, きゅー).
_DIGITS = {
    "ぜろ": "0", "れい": "0", "まる": "0", "いち": "1", "に": "2", "さん": "3", "よん": "4", "し": "4", "ご": "5",
    "ろく": "6", "なな": "7", "しち": "7", "はち": "8", "きゅう": "9", "きゅ": "9", "く": "9", "にい": "2", "ごお": "5", "ごう": "5",
    # written digits after a spoken 「エヌ」 (「エヌ123456789」), and kanji numerals (「N一二三…」)
    **{str(d): str(d) for d in range(10)},
    **{kanji: str(d) for d, kanji in enumerate("〇一二三四五六七八九")}, "零": "0",
}  # fmt: skip
_WORDS = sorted(_DIGITS, key=len, reverse=True)
DIGIT_WORDS = {said: digit for said, digit in _DIGITS.items() if not said.isdigit()}  # the digits as said
_LETTER_N = ("えぬ", "n")
# Fillers, the number's own label (「お客様番号は」, voice input's 「お客様晩号は」, 「確認コードは」; 「ー」 is dropped
# before reading) and です after; not another number's label (「暗証番号は」「受付番号は」).
_AROUND = re.compile(
    r"^(?:えと|えっと|あの|あ|ええと)*"
    # 「お客様番号でいいですか えぬいち…」: the label asked whether it will do, then the number
    r"(?:(?:お客さま|お客様|おきゃくさま|顧客|確認|認証|かくにん)?(?:番号|晩号|ばんごう|こど)"
    r"(?:は|が|で(?:いい|だいじょうぶ|大丈夫)(?:です)?か))?"
    r"|(?:です|でした|だよ|ですね|で)$"
)
_IGNORED = re.compile(r"[\s、。，．,.!！?？・ー-]+")
_FEWEST_DIGITS = 6  # a code; a customer number has more


def spoken_number(text: str) -> str | None:
    """The number a message says aloud (「えぬいちにさん…」 -> 'N123…', 「いちにさんよんごーろく」 -> '123456');
    None unless the whole message is one number of at least six digits."""
    word = _IGNORED.sub("", hiragana(nfkc(text).lower()))
    word = _AROUND.sub("", word)
    prefix = next((letter for letter in _LETTER_N if word.startswith(letter)), "")
    if _repeats_a_sound(word):
        return None  # 「しくしくしく」「ごくごくごく」「まるまるまる」(○○○): a sound, not 494949
    if prefix != "えぬ" and word[len(prefix) :].isascii():
        return None  # written with digits alone: the ordinary readers decide (and this would loop)
    digits = _read_digits(word[len(prefix) :])
    if digits is None or len(digits) < _FEWEST_DIGITS:
        return _customer_number_said_last(word)
    return ("N" if prefix else "") + digits


def _customer_number_said_last(word: str) -> str | None:
    """A customer number said at the end of a sentence (「じゃあお客様晩号で言いますね えぬ いちにさん…」, 「お客様番号
    N いちにさん…」), its digits perhaps grouped with 「の」 (「いちにさんのよんごろく」): 「えぬ」 or N, then nothing but
    digits to the end, at least a customer number's nine."""
    for start in (match.start() for match in _LETTER_N_SAID.finditer(word)):
        tail = word[start:]
        prefix = "えぬ" if tail.startswith("えぬ") else "n"
        said = tail[len(prefix) :].replace("の", "")
        if said.isascii():
            continue  # digits written: the ordinary readers decide
        digits = _read_digits(said)
        if digits is not None and len(digits) >= _CUSTOMER_NUMBER_DIGITS:
            return "N" + digits
    return None


_LETTER_N_SAID = re.compile(r"えぬ|n")
_CUSTOMER_NUMBER_DIGITS = 9


def spoken_digits(word: str) -> str | None:
    """「いちにさん」 -> '123': the digits of a word made only of digit words, or None (no filler, no label)."""
    return _read_digits(hiragana(nfkc(word)).replace("ー", ""))


def _read_digits(word: str) -> str | None:
    """The digits of a word made only of digit words (longest first, backtracking), or None."""
    best: list[str | None] = [""] + [None] * len(word)
    for start in range(len(word)):
        if best[start] is None:
            continue
        for said in _WORDS:
            end = start + len(said)
            if word.startswith(said, start) and best[end] is None:
                best[end] = f"{best[start]}{_DIGITS[said]}"
    return best[len(word)] if word else None


def _repeats_a_sound(word: str) -> bool:
    """The word is one short sound (up to four kana) said again and again."""
    return any(len(word) % size == 0 and word == word[:size] * (len(word) // size) for size in range(1, 5))
