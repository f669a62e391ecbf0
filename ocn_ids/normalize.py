"""NFKC normalization that remembers where each normalized character came from."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Longer messages are not classified; the customer is asked to shorten them.
MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class NormalizedText:
    """Text normalized character by character, with a map back to the original offsets."""

    text: str
    origin: list[int]  # origin[i] = index in the original text of normalized char i
    origin_end: list[int]  # origin_end[i] = index just after the original char(s) normalized char i came from

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalized span [start, end)."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else len(self.origin)
            return pos, pos
        return self.origin[start], self.origin_end[end - 1]


_HALF_WIDTH_DAKUTEN = ("\uff9e", "\uff9f")  # ﾞ ﾟ


def _composes_with_the_one_before(char: str) -> bool:
    """A half-width (han)dakuten (ﾊﾟ) or a combining mark (パ typed as ハ + U+309A, as macOS pastes it)."""
    return char in _HALF_WIDTH_DAKUTEN or unicodedata.combining(char) != 0


def nfkc(text: str) -> str:
    """NFKC: full-width letters/digits to ASCII, half-width kana to full-width."""
    return unicodedata.normalize("NFKC", text)


def hiragana(text: str) -> str:
    """Katakana (ァ-ヶ) as hiragana; everything else as it is."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


# The slips flick typing makes most (issue 23's noisy data): a dakuten or handakuten left off (ぱすわーど ->
# はすわーど, ロボット -> ろほっと) and a small kana typed full size (しゅるい -> しゆるい, ちゃっと -> ちやっと).
_SLIP_FROM = "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゃゅょっぁぃぅぇぉ"
_SLIP_TO = "かきくけこさしすせそたちつてとはひふへほはひふへほやゆよつあいうえお"
SLIPS = {
    **dict(zip(_SLIP_FROM, _SLIP_TO, strict=True)),
    **{chr(ord(a) + 0x60): chr(ord(b) + 0x60) for a, b in zip(_SLIP_FROM, _SLIP_TO, strict=True)},  # katakana
}
_WITHOUT_SLIPS = str.maketrans(SLIPS)


def without_slips(text: str) -> str:
    """The kana without dakuten, handakuten and small kana: a word and its flick-typing slips read alike."""
    return text.translate(_WITHOUT_SLIPS)


def normalize_with_offsets(text: str) -> NormalizedText:
    """NFKC + lower-case, per character, so spans can be mapped back to what was typed; a half-width
    kana with its half-width (han)dakuten (ﾊﾟ), or a character with its combining marks, is normalized as one
    character (パ), as NFKC of the whole text would (「ﾊﾟｽﾜｰﾄﾞは abc12345」 names a password)."""
    chars: list[str] = []
    origin: list[int] = []
    origin_end: list[int] = []
    index = 0
    while index < len(text):
        width = 1
        while index + width < len(text) and _composes_with_the_one_before(text[index + width]):
            width += 1
        for normalized in nfkc(text[index : index + width]).lower():
            chars.append(normalized)
            origin.append(index)
            origin_end.append(index + width)
        index += width
    return NormalizedText("".join(chars), origin, origin_end)


def has_meaningful_content(text: str) -> bool:
    """True when the message has at least one letter, kana/kanji or digit."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in nfkc(text))
