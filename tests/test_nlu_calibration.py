"""benchmarks/nlu_calibration.py: the calibration figures and the threshold rule are what they claim."""

from __future__ import annotations

import sys

import pytest

from devstack.config import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import nlu_calibration as calibration  # noqa: E402

Scored = calibration.Scored


def _items(confidence: float, right: int, wrong: int, group: str = "topic") -> list[Scored]:
    return [Scored(confidence, True, group)] * right + [Scored(confidence, False, group)] * wrong


def test_a_calibrated_model_has_no_calibration_error() -> None:
    items = _items(0.95, 19, 1) + _items(0.55, 11, 9)  # accuracy equals confidence in both bins
    expected, largest = calibration.ece(items, 10)
    assert expected == pytest.approx(0.0)
    assert largest == pytest.approx(0.0)


def test_an_overconfident_model_shows_its_gap_weighted_by_share() -> None:
    # 10 messages at 0.9 of which 6 right (gap 0.3), 30 at 0.35 of which 30 % right (gap 0.05)
    items = _items(0.9, 6, 4) + _items(0.35, 9, 21)
    expected, largest = calibration.ece(items, 15)
    assert expected == pytest.approx(10 / 40 * 0.3 + 30 / 40 * 0.05)
    assert largest == pytest.approx(0.3)


def test_reliability_table_lists_each_bin_with_its_accuracy() -> None:
    rows = calibration.reliability_rows(_items(0.92, 9, 1) + _items(0.41, 1, 1))
    assert [(r[0], r[1], round(r[3], 2)) for r in rows] == [("0.4–0.5", 2, 0.5), ("0.9–1.0", 10, 0.9)]


def test_threshold_is_where_answering_becomes_more_often_right_than_wrong() -> None:
    items = _items(0.2, 2, 8) + _items(0.3, 3, 7) + _items(0.42, 7, 3) + _items(0.8, 9, 1)
    threshold, _ = calibration.calibrated_threshold(items)
    # the calibrated curve passes 1/2 between 0.3 (0.3 right) and 0.42 (0.7 right): first grid step 0.4
    assert threshold == 0.4


def test_messages_the_guard_refused_are_left_out() -> None:
    records = [
        {"gold": "thank", "guarded": True, "ranking": [{"name": "thank", "confidence": 1.0}]},
        {"gold": "thank", "guarded": False, "ranking": [{"name": "affirm", "confidence": 0.6}]},
    ]
    (item,) = calibration.scored(records, frozenset({"thank", "affirm"}))
    assert item == Scored(0.6, False, "conversation")
