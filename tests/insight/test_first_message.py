"""The report's first-message figure (console/insight/first_message.py): conversations whose first
message got a direct answer, without a clarification, the fallback, a rephrase or a person."""

from __future__ import annotations

from pathlib import Path

from benchmarks.synthetic_store import Conversation
from console.insight.period import Scope
from console.insight.render import report_html
from console.insight.report import build_report
from console.insight.store import tracker_engine
from tests.insight.known_store import DAY1, DAY2, MISS, at, write_conversations


def report_for(url: str, channel: str | None = None) -> dict:
    return build_report(tracker_engine(url), Scope(DAY1, DAY2, channel)).as_dict()


def test_the_known_store_has_seven_of_ten_first_messages_answered_directly(tracker_url: str) -> None:
    # Three conversations open with a message the bot asked back about or gave up on (known_store.py).
    got = report_for(tracker_url)["first_message_direct"]
    assert (got["count"], got["total"]) == (7, 10)
    line = report_for(tracker_url, "line")["first_message_direct"]
    assert (line["count"], line["total"]) == (1, 3)


def test_a_rephrase_a_person_and_a_late_clarification(tmp_path: Path) -> None:
    url = write_conversations(
        tmp_path / "tracker.sqlite3",
        [
            # answered, then asked the same question again: the answer did not fit
            Conversation("web:r1", at(DAY1, 9)).faq("IDを確認したい", "check_ocn_id").faq("OCN IDは？", "check_ocn_id"),
            # answered, then asked for a person
            Conversation("web:r2", at(DAY1, 10)).faq("接続用IDは？", "check_connection_id").handoff(),
            # a person asked for at once
            Conversation("web:r3", at(DAY1, 11)).handoff(),
            # answered directly; a clarification later in the conversation does not count
            Conversation("web:r4", at(DAY1, 12)).faq("お客さま番号は？", "check_customer_number").miss(MISS),
            # answered directly, then another question
            Conversation("web:r5", at(DAY1, 13)).faq("IDの種類は？", "ask_id_types").faq("OCN IDは？", "check_ocn_id"),
            # the same sender the next day opens with a message the bot gave up on: a conversation of its own
            Conversation("web:r5", at(DAY2, 9)).miss(MISS, give_up=True),
        ],
    )
    got = report_for(url)["first_message_direct"]
    assert (got["count"], got["total"]) == (2, 6)


def test_the_figure_is_in_the_html_report(tracker_url: str) -> None:
    html = report_html(build_report(tracker_engine(tracker_url), Scope(DAY1, DAY2, None)))
    assert "<th>初回発話で直接回答</th><td>70.0%</td><td>7 / 10 会話</td>" in html
