"""A mail address said aloud, as voice input types it in kana: 「たろうどっとやまだあっとおーしーえぬどっとねどっと
じぇーぴー」 for taro.yamada@ocn.ne.jp.

Voice input writes what it heard: the marks as words (あっと, どっと), the domain's parts as their sounds
(おーしーえぬ, ね, じぇーぴー), letters spelled out (えーびーしー), digits as words, and a name as the kana it
sounds like. Only a message that is nothing but such an address (with a filler, its label 「メールアドレスは」
or 「です」 around it) is read. A name is written in Hepburn romaji without long vowels (たろう -> taro, さとう ->
sato), as Japanese addresses mostly are; a name spelled otherwise (tarou) is not found, and the verification
answers as for any address (nothing tells whether it exists).
"""

from __future__ import annotations

import re

from ocn_ids.normalize import hiragana, nfkc
from ocn_ids.spoken_numbers import DIGIT_WORDS, spoken_digits

_AT = re.compile(r"あっとまーく|あっと|@")
_DOT = re.compile(r"どっと|\.")
_PARTS = re.compile(r"はいふん|まいなす|あんだーばー|あんだーすこあ|-|_")
_PART_MARKS = {"はいふん": "-", "まいなす": "-", "あんだーばー": "_", "あんだーすこあ": "_", "-": "-", "_": "_"}
# Fillers and the address's label before it; です after it (not 「あ」 alone: 「あいこ」 is a name).
_AROUND = re.compile(
    r"^(?:えーっと|えーと|えっと|ええと|あのー|あのう|あの|あー|んーと|んと)*(?:ですね)?"
    r"(?:(?:(?:めーる)?あどれす|めあど|めーる|ocnid|ocnあいでぃー?|おーしーえぬあいでぃー?|id)(?:は|が)?)?"
    r"|(?:です|でした|だよ|ですね|で)$"
)
# Longer than this (an address said aloud is some 30–60 kana), a message is no address: nothing is read.
_LONGEST_SAID = 100
# What a sentence has and a name does not (「めーるがとどかないんです」 before an 「あっと」 is no local part).
_SENTENCE = re.compile(r"です|ます|ない|ので|から|けど|ました")
_FEWEST_TAIL_DIGITS = 3  # 「なかにし」 ends in に・し: a name, not naka24
_IGNORED = re.compile(r"[\s、。，,!！?？・]+")
# The domain's parts as they are said.
_DOMAIN_WORDS = {
    "おーしーえぬ": "ocn", "おしえぬ": "ocn", "ね": "ne", "ねっと": "ne", "ねっとわーく": "ne", "じぇーぴー": "jp",
    "じぇいぴー": "jp", "じぇーぴ": "jp", "じぇいぴ": "jp", "じぇぴー": "jp", "わん": "one", "こむ": "com",
    "おーじぇーぴー": "ojp",
}  # fmt: skip
# Letters spelled out, as they are said.
_LETTERS = {
    "えー": "a", "えい": "a", "びー": "b", "しー": "c", "でぃー": "d", "いー": "e", "えふ": "f", "じー": "g",
    "えいち": "h", "えっち": "h", "あい": "i", "じぇー": "j", "じぇい": "j", "けー": "k", "けい": "k", "える": "l",
    "えむ": "m", "えぬ": "n", "おー": "o", "ぴー": "p", "きゅー": "q", "あーる": "r", "えす": "s", "てぃー": "t",
    "ゆー": "u", "ぶい": "v", "ぶいー": "v", "だぶりゅー": "w", "だぶる": "w", "えっくす": "x", "わい": "y",
    "ぜっと": "z", "ぜっど": "z",
}  # fmt: skip
# Digits said among the letters (「えーびーしーいちにさん」 -> abc123), and written ones.
_LETTERS.update({said: digit for said, digit in DIGIT_WORDS.items() if not said.isascii()})
_LETTERS.update({str(digit): str(digit) for digit in range(10)})
_LETTER_WORDS = sorted(_LETTERS, key=len, reverse=True)
# Kana in Hepburn romaji (the small ゃゅょ after a kana of the i-row, っ and ー handled apart).
_ROMAJI = dict(
    zip(
        "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
        "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽ",
        [
            "a",
            "i",
            "u",
            "e",
            "o",
            "ka",
            "ki",
            "ku",
            "ke",
            "ko",
            "sa",
            "shi",
            "su",
            "se",
            "so",
            "ta",
            "chi",
            "tsu",
            "te",
            "to",
            "na",
            "ni",
            "nu",
            "ne",
            "no",
            "ha",
            "hi",
            "fu",
            "he",
            "ho",
            "ma",
            "mi",
            "mu",
            "me",
            "mo",
            "ya",
            "yu",
            "yo",
            "ra",
            "ri",
            "ru",
            "re",
            "ro",
            "wa",
            "o",
            "n",
            "ga",
            "gi",
            "gu",
            "ge",
            "go",
            "za",
            "ji",
            "zu",
            "ze",
            "zo",
            "da",
            "ji",
            "zu",
            "de",
            "do",
            "ba",
            "bi",
            "bu",
            "be",
            "bo",
            "pa",
            "pi",
            "pu",
            "pe",
            "po",
        ],
        strict=True,
    )
)
_YOUON = {"ゃ": "a", "ゅ": "u", "ょ": "o"}
_FEWEST_LETTERS = 2  # one letter said alone (「あい」) is likelier a name's kana


def spoken_mail(text: str) -> str | None:
    """The address a message says aloud, or None unless the whole message is one."""
    return _read_aloud(text, names=True)


def spelled_mail(text: str) -> str | None:
    """The address a message spells out letter by letter (「てぃーえーあーるおーどっと…」): one spelling only, unlike
    a name's kana (たろう may be taro or tarou); None when any word of it is a name's kana."""
    return _read_aloud(text, names=False)


def _read_aloud(text: str, names: bool) -> str | None:
    if len(text) > _LONGEST_SAID:
        return None
    word = _AROUND.sub("", _IGNORED.sub("", hiragana(nfkc(text).lower())))
    halves = _AT.split(word)
    if len(halves) != 2 or not halves[0] or not halves[1] or word.isascii() or _SENTENCE.search(halves[0]):
        return None  # no 「あっと」, written as an address already (the ordinary reader's), or a sentence
    local = _spoken_part(halves[0], domain=False, names=names)
    domain = _spoken_part(halves[1], domain=True, names=names)
    if local is None or domain is None or "." not in domain:
        return None
    return f"{local}@{domain}"


def _spoken_part(said: str, domain: bool, names: bool) -> str | None:
    """「たろうどっとやまだ」 -> 'taro.yamada'; None when a piece cannot be read."""
    pieces = []
    for piece in _DOT.split(said):
        words = []
        for chunk in _split_keeping(_PARTS, piece):
            read = _PART_MARKS.get(chunk) or _spoken_word(chunk, domain, names)
            if read is None:
                return None
            words.append(read)
        pieces.append("".join(words))
    return ".".join(pieces) if all(pieces) else None


def _split_keeping(marks: re.Pattern[str], text: str) -> list[str]:
    return [chunk for chunk in re.split(f"({marks.pattern})", text) if chunk]


def _spoken_word(said: str, domain: bool, names: bool) -> str | None:
    """One word between marks: a domain word, letters spelled out, digits, or a name's kana (with digits after;
    not when `names` is off)."""
    if said.isascii():
        return said
    if domain and said in _DOMAIN_WORDS:
        return _DOMAIN_WORDS[said]
    letters = _spelled_letters(said)
    if letters is not None or domain or not names:
        return letters  # a domain is OCN's words or spelled letters, never a name's romaji (「どこも」 is no docomo)
    name, digits = said, ""
    for cut in range(len(said) - 1, 0, -1):  # 「たろういちにさん」: the name, then its digits (the shortest such tail)
        tail = spoken_digits(said[cut:])
        if tail is not None and len(tail) >= _FEWEST_TAIL_DIGITS and _romaji(said[:cut]) is not None:
            name, digits = said[:cut], tail
            break
    romaji = _romaji(name)
    return None if romaji is None else romaji + digits


def _spelled_letters(said: str) -> str | None:
    """「えーびーしー」 -> 'abc', also with digits said among them; None unless the whole word is such."""
    best: list[tuple[str, int] | None] = [("", 0)] + [None] * len(said)
    for start in range(len(said)):
        if best[start] is None:
            continue
        text, count = best[start]
        if said[start] == "ー" and best[start + 1] is None:
            best[start + 1] = (text, count)  # 「ごー」「にー」: a digit said long
        for word in _LETTER_WORDS:
            if said.startswith(word, start) and best[start + len(word)] is None:
                letter = _LETTERS[word]
                best[start + len(word)] = (text + letter, count + (not letter.isdigit()))
    end = best[len(said)]
    # Two letters at least besides digits: 「けいご」「いちご」「えいいち」 are names (k5, 15, a1 are not read)
    return end[0] if end and end[1] >= _FEWEST_LETTERS else None


def _romaji(kana: str) -> str | None:
    """Hepburn without long vowels (たろう -> taro, ゆうき -> yuki, いちろう -> ichiro); None for other letters."""
    out: list[str] = []
    double = False
    for char in kana:
        if char == "っ":
            double = True
            continue
        if char == "ー":
            continue
        if char in _YOUON and out:
            # しゃ -> sha, ちゃ -> cha, じゃ -> ja; ひゃ -> hya, きゃ -> kya
            out[-1] = out[-1][:-1] + ("" if out[-1].endswith(("shi", "chi", "ji")) else "y") + _YOUON[char]
            continue
        syllable = _ROMAJI.get(char)
        if syllable is None:
            return None
        if double:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double = False
        if syllable in ("u", "o") and out and out[-1].endswith("o"):
            continue  # おう／おお: a long o
        if syllable == "u" and out and out[-1].endswith("u"):
            continue  # うう: a long u
        out.append(syllable)
    return "".join(out) or None
