"""The report's desk figures (outcomes, wait / first response / handling times per day and per
operator), a period without data, and the default period in Japan time."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from benchmarks.synthetic_store import Conversation
from console.insight.charts import all_charts
from console.insight.desk import Durations, desk_figures, desk_report, duration_text
from console.insight.period import Scope, requested_scope
from console.insight.render import report_html
from console.insight.report import build_report
from console.insight.store import tracker_engine
from console.outcomes import Handled
from console.store import Store
from tests.insight.known_store import DAY1, DAY2, at, write_conversations

EMPTY = "この期間のデータはありません"


def test_default_period_ends_today_in_japan_even_before_9_utc() -> None:
    half_past_midnight_jst = at(date(2026, 12, 5), 0, 30)  # 2026-12-04 15:30 UTC
    assert datetime.fromtimestamp(half_past_midnight_jst, timezone.utc).date() == date(2026, 12, 4)
    scope = requested_scope(None, None, None, half_past_midnight_jst, 7, 366)
    assert (scope.first_day, scope.last_day) == (date(2026, 11, 29), date(2026, 12, 5))
    assert scope.until == at(date(2026, 12, 6), 0)  # today's messages so far are in it
    # Unreadable input: the same default, every channel.
    assert requested_scope("2026-13-01", None, "fax", half_past_midnight_jst, 7, 366) == scope
    long = requested_scope("2020-01-01", "2026-12-05", "web", half_past_midnight_jst, 7, 366)
    assert (long.first_day, long.channel) == (date(2026, 12, 5) - timedelta(days=365), "web")


def test_a_period_without_data_says_so_instead_of_drawing_empty_axes(tmp_path: Path) -> None:
    engine = tracker_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    with engine.begin() as db:  # Rasa's table, with nothing in it
        db.exec_driver_sql(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255), "
            "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
    report = build_report(engine, Scope(date(2026, 12, 1), date(2026, 12, 5)))
    assert all_charts(report) == {}
    page = report_html(report)
    assert page.count(EMPTY) == 3  # conversations per day, rates, top intents
    assert "<img" not in page


def test_a_period_with_data_draws_its_charts(tracker_url: str) -> None:
    report = build_report(tracker_engine(tracker_url), Scope(DAY1, DAY2))
    assert set(all_charts(report)) == {"per_day", "rates", "top_intents", "procedures"}
    assert EMPTY not in report_html(report)


def _handled(operator: int, outcome: str | None, ended: float, wait: float, first: float | None, total: float):
    return Handled(f"h{ended}", operator, outcome, ended, wait, first, total)


def test_outcomes_and_times_per_day_and_operator() -> None:
    day = date(2026, 12, 4)
    handled = [
        _handled(1, "resolved", at(day, 10), 30, 10, 300),
        _handled(1, "unresolved", at(day, 11), 90, 20, 600),
        _handled(2, "callback", at(day, 23, 59), 60, None, 120),  # never wrote: no first response
        _handled(2, "resolved", at(day + timedelta(days=1), 0, 1), 600, 40, 1800),  # the next JST day
    ]
    desk = desk_figures(handled, {1: "Alice", 2: "Bob"})
    assert [row.label for row in desk.per_day] == ["2026-12-04", "2026-12-05"]
    first_day = desk.per_day[0]
    assert first_day.handled == 3
    assert first_day.outcomes == {"resolved": 1, "unresolved": 1, "callback": 1, "none": 0}
    assert (first_day.wait.median, first_day.wait.p90) == (60, 90)
    assert first_day.first_response == Durations(2, 15, 20)
    alice, bob = desk.per_operator
    assert (alice.label, alice.handled, alice.total.median) == ("Alice", 2, 450)
    assert (bob.label, bob.outcomes["callback"], bob.total.p90) == ("Bob", 1, 1800)
    assert desk.overall.handled == 4 and desk.overall.wait.p90 == 600
    assert desk_figures([], {}).empty


def test_p90_is_the_nearest_rank() -> None:
    assert Durations.of(range(1, 11)) == Durations(10, 5.5, 9)
    assert Durations.of([None, 7]) == Durations(1, 7, 7)
    assert [duration_text(s) for s in (None, 42, 65, 3720)] == ["—", "42秒", "1分05秒", "1時間02分"]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_desk_report_reads_what_the_console_recorded(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    store.operators.add("alice", "Alice", "hash")
    operator_id = store.password_hash("alice")[0].id
    clock = Clock(at(date(2026, 12, 4), 10))
    store.handoffs.clock = store.outcomes.clock = clock
    handoff, _ = store.handoffs.enqueue("web:desk", "web", None)
    clock.now += 45
    assert store.handoffs.take(handoff.id, operator_id)
    clock.now += 20
    store.outcomes.note_first_reply(handoff.id)
    clock.now += 100
    store.outcomes.note_first_reply(handoff.id)  # a later message: the first one counts
    assert store.handoffs.finish(handoff.id, operator_id, "closed")
    store.outcomes.record(handoff.id, "resolved", None, operator_id)
    store.handoffs.enqueue("web:still-waiting", "web", None)  # not ended: not in the figures

    desk = desk_report(store.outcomes, Scope(date(2026, 12, 4), date(2026, 12, 4)), {operator_id: "Alice"})
    (row,) = desk.per_operator
    assert (row.label, row.handled, row.outcomes["resolved"]) == ("Alice", 1, 1)
    assert (row.wait.median, row.first_response.median, row.total.median) == (45, 20, 120)
    assert desk_report(store.outcomes, Scope(date(2026, 12, 5), date(2026, 12, 5)), {}).empty


def test_a_login_history_handed_to_a_person_before_it_ran_is_not_completed(tmp_path: Path) -> None:
    """The widget's handoff marker and the operator's messages are bot events without a response, as
    the login history is: they do not complete it."""
    c = Conversation("web:history-then-person", at(DAY1, 9))
    c.user("ログイン履歴を確認したい", "start_procedure").slot("procedure", "login_history")
    c.user("[確認コード]", "inform").slot("verified_until", c.now + 900).bot("utter_verified")
    c.bot("utter_confirm_login_history").user("担当者と話したい", "request_human").action("action_handoff")
    c.bot("utter_handoff_queued")
    c._add("bot", {"text": None, "data": {"custom": {"handoff": "waiting"}}})  # the widget's marker
    c.pause()
    c._add("bot", {"text": "担当のサクラです。", "metadata": {"operator": "Sakura"}})
    url = write_conversations(tmp_path / "tracker.sqlite3", [c])
    report = build_report(tracker_engine(url), Scope(DAY1, DAY1))
    (history,) = report.procedures
    assert (history.started, history.verified, history.completed, history.abandoned) == (1, 1, 0, 1)


def test_the_report_file_has_the_desk_section_too(tracker_url: str, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Issue 24 leftover: `python -m console.insight report` wrote the bot's figures without the desk's."""
    from console.insight.__main__ import main

    monkeypatch.setenv("CONSOLE_STORE_URL", f"sqlite:///{tmp_path / 'console.sqlite3'}")
    store = Store(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    store.operators.add("alice", "Alice", "hash")
    operator_id = store.password_hash("alice")[0].id
    clock = Clock(at(DAY1, 10))
    store.handoffs.clock = store.outcomes.clock = clock
    handoff, _ = store.handoffs.enqueue("web:desk", "web", None)
    clock.now += 60
    assert store.handoffs.take(handoff.id, operator_id)
    clock.now += 300
    assert store.handoffs.finish(handoff.id, operator_id, "closed")
    store.outcomes.record(handoff.id, "resolved", None, operator_id)

    period = ["report", "--since", DAY1.isoformat(), "--until", DAY2.isoformat()]
    main(["--url", tracker_url, *period, "--out", str(tmp_path / "report.html")])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="desk"' in page and "有人対応の結果と対応時間" in page and "Alice" in page and "1分00秒" in page
    main(["--url", tracker_url, *period, "--out", str(tmp_path / "report.json")])
    desk = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["desk"]
    assert desk["overall"]["handled"] == 1 and desk["overall"]["outcomes"]["resolved"] == 1
