"""Issue 26 item 2: the easy texts read as easy (jreadability, higher = easier; easy_japanese/readability.py).

These hold for the twins that exist; test_coverage.py lists the texts that have none yet.
"""

from __future__ import annotations

import pytest

from easy_japanese.inventory import pairs, placeholders
from easy_japanese.readability import EASY_BAND, average, score, scored_pairs


@pytest.fixture(scope="module")
def scored():  # type: ignore[no-untyped-def]
    return scored_pairs()


def test_the_measure_tells_easy_japanese_from_the_standard_register() -> None:
    standard = "ご入会時にお送りしているOCN会員登録証（お申込内容のご案内）に、IDとパスワードが記載されています。"
    easy = "OCNに入ったときに、紙が届きました。その紙に、IDとパスワードが書いてあります。"
    assert score(easy) >= EASY_BAND > score(standard)


def test_the_easy_texts_average_is_in_the_easy_band(scored) -> None:  # type: ignore[no-untyped-def]
    easy = [s.easy for s in scored]
    assert not easy or average(easy) >= EASY_BAND, f"easy average {average(easy):.2f} < {EASY_BAND}"


def test_no_easy_text_is_harder_than_its_standard_twin(scored) -> None:  # type: ignore[no-untyped-def]
    harder = [f"{s.pair.where}: {s.standard:.2f} -> {s.easy:.2f}" for s in scored if s.easy < s.standard]
    assert not harder, "easy twins harder than the standard text:\n" + "\n".join(harder)


def test_every_twin_keeps_the_placeholders_of_its_standard_text() -> None:
    wrong = [p.where for p in pairs() if p.easy and placeholders(p.easy) != placeholders(p.standard)]
    assert not wrong, f"placeholders differ from the standard text: {wrong}"
