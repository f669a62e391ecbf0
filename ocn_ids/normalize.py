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

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalized span [start, end)."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else len(self.origin)
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1


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
    """NFKC + lower-case, per character, so spans can be mapped back to what was typed.

    Per-character NFKC does not compose half-width dakuten (ｶﾞ), which only matters for
    kana; IDs and codes are ASCII after normalization, which is what this is used for.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for normalized in nfkc(char).lower():
            chars.append(normalized)
            origin.append(index)
    return NormalizedText("".join(chars), origin)


def has_meaningful_content(text: str) -> bool:
    """True when the message has at least one letter, kana/kanji or digit."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in nfkc(text))
