"""jreadability scores (Lee & Hasebe's model; higher = easier) of every standard text and its easy twin.

Bands from jreadability's documentation (README "Readability scores", after Lee & Hasebe 2015/2016,
for readers of Japanese as a second language): [4.5, 5.5) upper-elementary, [5.5, 6.5)
lower-elementary. EASY_BAND is the floor of the elementary (初級) levels: the readers the guideline
writes for. Only sentences are scored (responses and sections); a button label of two words is no text
the model was made for (its sentence length and word mix are meaningless there).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from easy_japanese.inventory import Pair, pairs, shown

EASY_BAND = 4.5


@cache
def _tagger():  # type: ignore[no-untyped-def]
    from fugashi import Tagger

    return Tagger()


def score(text: str) -> float:
    from jreadability import compute_readability

    return float(compute_readability(text, _tagger()))


@dataclass(frozen=True)
class Scored:
    pair: Pair
    standard: float
    easy: float

    @property
    def gain(self) -> float:
        return self.easy - self.standard


def scored_pairs() -> list[Scored]:
    """Every prose text that has a twin, with both scores (as the customer reads them)."""
    return [
        Scored(pair, score(shown(pair.standard)), score(shown(pair.easy)))
        for pair in pairs()
        if pair.prose and pair.easy and shown(pair.standard) and shown(pair.easy)
    ]


def average(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")
