"""The report's figures for a tracker store whose conversations are known (exact counts)."""

from __future__ import annotations

import json

import pytest

from console.insight.period import Scope
from console.insight.render import report_html, report_json
from console.insight.report import build_report
from console.insight.store import tracker_engine
from tests.insight.known_store import (
    DAY1,
    DAY2,
    MISS,
    SECRET_CODE,
    SECRET_CUSTOMER,
    SECRET_PHONE,
)


def report_for(url: str, channel: str | None = None) -> dict:
    return build_report(tracker_engine(url), Scope(DAY1, DAY2, channel)).as_dict()


def test_figures_for_all_channels(tracker_url: str) -> None:
    r = report_for(tracker_url)
    assert r["conversations"] == 10
    assert r["conversations_per_day"] == {"2026-11-20": 8, "2026-11-21": 2}
    assert r["messages"] == 25
    assert (r["contained"]["count"], r["contained"]["total"]) == (9, 10)
    assert (r["handoff"]["count"], r["wanted_person"]["count"]) == (1, 1)
    assert (r["resolved"]["count"], r["resolved"]["total"]) == (2, 3)
    assert (r["fallback"]["count"], r["fallback"]["total"]) == (1, 25)
    assert r["clarification"]["count"] == 3
    assert r["nlu_fallback"]["count"] == 4
    procedures = {
        p["procedure"]: (p["started"], p["verified"], p["completed"], p["abandoned"]) for p in r["procedures"]
    }
    assert procedures == {
        "reset_ocn_password": (1, 1, 1, 0),
        "send_connection_id": (1, 0, 0, 1),
        "login_history": (1, 1, 1, 0),
    }
    intents = {i["intent"]: i["count"] for i in r["top_intents"]}
    assert intents["nlu_fallback"] == 4
    assert intents["start_procedure"] == 3


@pytest.mark.parametrize(
    ("channel", "conversations", "messages"),
    [("web", 6, 13), ("line", 3, 8), ("rest", 1, 4)],  # the un-prefixed id counts as LINE (input channel)
)
def test_figures_by_channel(tracker_url: str, channel: str, conversations: int, messages: int) -> None:
    r = report_for(tracker_url, channel)
    assert (r["conversations"], r["messages"]) == (conversations, messages)


def test_unanswered_questions_are_grouped_with_counts(tracker_url: str) -> None:
    questions = report_for(tracker_url)["unanswered"]
    by_example = {q["example"]: q["count"] for q in questions}
    assert by_example[MISS] == 2
    assert sum(by_example.values()) == 5  # 4 fallbacks + 1 low-confidence answer
    assert "期間外のメッセージ" not in by_example


def test_report_shows_no_code_phone_number_or_customer_number(tracker_url: str) -> None:
    report = build_report(tracker_engine(tracker_url), Scope(DAY1, DAY2))
    for shown in (report_json(report), report_html(report), json.dumps(report.as_dict(), ensure_ascii=False)):
        for secret in (SECRET_CODE, SECRET_PHONE, SECRET_PHONE.replace("-", ""), SECRET_CUSTOMER, "web:h8888888"):
            assert secret not in shown
    assert any("[確認コード]" in q.example and "[電話番号]" in q.example for q in report.unanswered)


def test_report_is_the_same_from_the_command_line(tracker_url: str, tmp_path) -> None:
    from console.insight.__main__ import main

    out = tmp_path / "report.json"
    main(["--url", tracker_url, "report", "--since", DAY1.isoformat(), "--until", DAY2.isoformat(), "--out", str(out)])
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["conversations"] == 10 and written["resolved"]["total"] == 3
