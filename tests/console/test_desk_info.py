"""What the operator sees and records in one conversation (issue 24): the side panel (verified when,
never the code), canned replies (定型文), internal notes that never reach the customer, and the
outcome that closing or handing back requires, with the handling times.

The console runs as its own process over a SQLite tracker store written as Rasa lays it out, with a
recording stand-in for Rasa's HTTP API: everything that reaches a customer (socket.io room, LINE push)
goes through that API (console/handoff/rasa_api.py), so what it never receives, no customer does.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from console_support import Operator, add_operator, enqueue, start_console, store_event

from console.handoff.context import jst_time

CODE = "482913"
PHONE = "090-1234-5678"
PASSWORD = "Wx93!pp7"


class RecordingRasa(ThreadingHTTPServer):
    """Answers every call as Rasa would (200) and keeps (path, body) of each."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                recorder.calls.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@dataclass
class Desk:
    url: str
    var_dir: Path
    rasa: RecordingRasa

    @property
    def tracker(self) -> Path:
        return self.var_dir / "tracker.sqlite3"

    @property
    def console_db(self) -> Path:
        return self.var_dir / "console.sqlite3"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    var_dir = tmp_path_factory.mktemp("desk")
    rasa = RecordingRasa()
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    stack, url, env = start_console(var_dir, rasa_url=f"http://127.0.0.1:{rasa.server_address[1]}")
    for name in ("alice", "bob"):
        add_operator(env, name)
    yield Desk(url, var_dir, rasa)
    stack.stop()
    rasa.shutdown()


def _conversation_with_a_verified_procedure(tracker: Path, sender: str, at: float) -> float:
    """A customer asked about a lost password, started the reset, typed the code (and a password and a
    phone number), was verified; the rows hold the secrets as an old or careless store might. Returns
    when the verification happened."""
    events = [
        ("session_started", {"event": "session_started"}),
        ("user", {"event": "user", "text": "パスワードを忘れました"}),
        ("slot", {"event": "slot", "name": "topic", "value": "forgot_ocn_id_password"}),
        (
            "bot",
            {
                "event": "bot",
                "text": "OCN ID（OCNメールアドレス）のパスワードは再設定が必要です。",
                "metadata": {"utter_action": "utter_answer_forgot_ocn_id_password"},
            },
        ),
        ("slot", {"event": "slot", "name": "procedure", "value": "reset_ocn_password"}),
        ("user", {"event": "user", "text": f"パスワードは{PASSWORD}、電話は{PHONE}"}),
        ("slot", {"event": "slot", "name": "otp_code", "value": CODE}),
        ("bot", {"event": "bot", "text": f"確認コード {CODE} を確認しました。お電話番号 {PHONE} 宛てです。"}),
        ("slot", {"event": "slot", "name": "verified_until", "value": at + 600}),
        ("slot", {"event": "slot", "name": "verification_id", "value": "v-123"}),
    ]
    verified_at = at
    for n, (kind, data) in enumerate(events):
        when = at - len(events) + n
        if data.get("name") == "verified_until":
            verified_at = when
        store_event(tracker, sender, kind, data, when)
    return verified_at


def _panel(page: str) -> str:
    return re.search(r'<aside class="context-panel".*?</aside>', page, re.S).group(0)


def test_panel_shows_channel_topic_verification_procedure_and_never_a_secret(desk: Desk) -> None:
    sender = "web:verified-customer"
    verified_at = _conversation_with_a_verified_procedure(desk.tracker, sender, time.time())
    alice = Operator(desk.url, "alice")  # someone is signed in: the desk queues
    handoff_id = enqueue(desk.url, sender, "web", "OCN IDのパスワード再設定").json()["handoff_id"]

    page = alice.get(f"/handoffs/{handoff_id}").text
    panel = _panel(page)
    assert "Web" in panel and "OCN IDのパスワード再設定" in panel
    assert f"確認済み（{jst_time(verified_at)}）" in panel
    assert "OCN IDのパスワード再設定：本人確認済み・手続き中" in panel
    assert "再設定が必要です" in panel  # the bot's last answers
    assert "[確認コード]" in panel  # the bot's line that held the code, masked
    for secret in (CODE, PHONE, PHONE.replace("-", ""), PASSWORD, "v-123"):
        assert secret not in page, secret
    transcript = json.dumps(alice.get(f"/handoffs/{handoff_id}/transcript").json(), ensure_ascii=False)
    for secret in (CODE, PHONE, PASSWORD):
        assert secret not in transcript, secret


def test_panel_of_a_customer_never_verified(desk: Desk) -> None:
    sender = "line:Unotverified"
    store_event(desk.tracker, sender, "user", {"event": "user", "text": "担当者と話したい"}, time.time() - 5)
    alice = Operator(desk.url, "alice")
    handoff_id = enqueue(desk.url, sender, "line").json()["handoff_id"]
    panel = _panel(alice.get(f"/handoffs/{handoff_id}").text)
    assert "LINE" in panel and "未確認" in panel and "なし" in panel


def test_a_login_history_asked_for_a_person_before_it_ran_is_not_complete(desk: Desk) -> None:
    sender = "web:history-then-person"
    now = time.time()
    for n, (kind, data) in enumerate(
        [
            ("slot", {"event": "slot", "name": "procedure", "value": "login_history"}),
            ("slot", {"event": "slot", "name": "verified_until", "value": now + 600}),
            (
                "bot",
                {"event": "bot", "text": "ご本人確認ができました。", "metadata": {"utter_action": "utter_verified"}},
            ),
            ("bot", {"event": "bot", "text": None, "data": {"custom": {"handoff": "waiting"}}}),  # the widget's marker
        ]
    ):
        store_event(desk.tracker, sender, kind, data, now - 10 + n)
    alice = Operator(desk.url, "alice")
    handoff_id = enqueue(desk.url, sender).json()["handoff_id"]
    panel = _panel(alice.get(f"/handoffs/{handoff_id}").text)
    assert "ログイン履歴を確認：本人確認済み・手続き中" in panel
    store_event(
        desk.tracker,
        sender,
        "bot",
        {"event": "bot", "text": "直近2件のログイン履歴です（⚠は普段と違うログイン）。"},
        now,
    )
    assert "ログイン履歴を確認：完了" in _panel(alice.get(f"/handoffs/{handoff_id}").text)


def test_notes_stay_in_the_console(desk: Desk) -> None:
    sender = "web:noted"
    store_event(desk.tracker, sender, "user", {"event": "user", "text": "担当者と話したい"}, time.time() - 5)
    alice, bob = Operator(desk.url, "alice"), Operator(desk.url, "bob")
    handoff_id = enqueue(desk.url, sender).json()["handoff_id"]
    assert alice.post(f"/handoffs/{handoff_id}/take").status_code == 200
    calls_before = len(desk.rasa.calls)

    note = "社内メモ: 折り返しは夕方希望とのこと"
    response = alice.post(f"/handoffs/{handoff_id}/notes", {"text": note})
    assert response.status_code == 201 and response.json()["note"]["text"] == note
    assert alice.post(f"/handoffs/{handoff_id}/notes", {"text": "   "}).status_code == 400
    assert alice.post(f"/handoffs/{handoff_id}/notes", {"text": "あ" * 1001}).status_code == 400
    assert alice.post("/handoffs/nope/notes", {"text": note}).status_code == 404

    assert desk.rasa.calls[calls_before:] == []  # nothing went to Rasa, so to no channel
    assert note in bob.get(f"/handoffs/{handoff_id}").text  # other operators read it
    with sqlite3.connect(desk.tracker) as db:
        stored = [row[0] for row in db.execute("SELECT data FROM events")]
    assert not any("夕方希望" in data for data in stored)
    assert not any(
        "夕方希望" in line["text"] for line in alice.get(f"/handoffs/{handoff_id}/transcript").json()["lines"]
    )


def _outcome_row(desk: Desk, handoff_id: str) -> dict:
    with sqlite3.connect(desk.console_db) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM console_handoff_outcomes WHERE handoff_id = ?", (handoff_id,)).fetchone()
    return dict(row) if row else {}


def test_ending_needs_an_outcome_and_records_it_with_the_first_response(desk: Desk) -> None:
    sender = "web:outcome"
    store_event(desk.tracker, sender, "user", {"event": "user", "text": "担当者と話したい"}, time.time() - 5)
    alice = Operator(desk.url, "alice")
    handoff_id = enqueue(desk.url, sender).json()["handoff_id"]
    assert alice.post(f"/handoffs/{handoff_id}/take").status_code == 200
    assert alice.post(f"/handoffs/{handoff_id}/messages", {"text": "担当のアリスです。"}).status_code == 204
    first_reply = _outcome_row(desk, handoff_id)["first_reply_at"]
    assert alice.post(f"/handoffs/{handoff_id}/messages", {"text": "確認します。"}).status_code == 204
    assert _outcome_row(desk, handoff_id)["first_reply_at"] == first_reply  # the first one counts

    calls_before = len(desk.rasa.calls)
    for body in ({}, {"outcome": ""}, {"outcome": "done"}, {"note": "結果なし"}):
        response = alice.post(f"/handoffs/{handoff_id}/close", body)
        assert response.status_code == 400 and response.json()["error"] == "outcome_required"
    assert alice.post(f"/handoffs/{handoff_id}/handback", {}).status_code == 400
    assert desk.rasa.calls[calls_before:] == []  # nothing ended: the conversation was not resumed
    assert next(r for r in alice.queue() if r["id"] == handoff_id)["status"] == "active"

    response = alice.post(f"/handoffs/{handoff_id}/close", {"outcome": "callback", "note": "明日お電話"})
    assert response.status_code == 200
    row = _outcome_row(desk, handoff_id)
    assert row["outcome"] == "callback" and row["note"] == "明日お電話" and row["recorded_at"] >= first_reply

    # The same conversation comes back: its earlier handoff shows with the operator and the outcome.
    again = enqueue(desk.url, sender).json()["handoff_id"]
    assert again != handoff_id
    earlier = re.search(r'<ul class="earlier".*?</ul>', Operator(desk.url, "bob").get(f"/handoffs/{again}").text, re.S)
    assert "Alice" in earlier.group(0) and "折り返し要" in earlier.group(0) and "明日お電話" in earlier.group(0)

    # The report (default period: the last 7 days in Japan time) counts it for Alice.
    report = alice.get("/insight/report").text
    per_operator = re.search(r'<table class="insight-table" id="desk-per-operator">.*?</table>', report, re.S).group(0)
    cells = re.findall(r"<td>([^<]*)</td>", re.search(r"<tr><td>Alice</td>.*?</tr>", per_operator, re.S).group(0))
    assert cells[:5] == ["Alice", "1", "0", "0", "1"]  # handled, 解決, 未解決, 折り返し要


def test_canned_replies_are_managed_and_offered_on_the_conversation_page(desk: Desk) -> None:
    alice = Operator(desk.url, "alice")
    page = alice.get("/canned")
    assert page.status_code == 200 and "お客さま番号は変更できない" in page.text  # seeded
    form = {
        "csrf_token": alice.csrf,
        "topic": "check_ocn_id",
        "title": "IDの確認先",
        "text": "OCN マイページでご確認いただけます。",
    }
    added = alice.http.post(f"{desk.url}/canned", data=form, timeout=10)
    assert added.status_code == 200 and "追加しました。" in added.text and "IDの確認先" in added.text
    reply_id = re.search(r'data-canned="(\d+)">\s*<td>OCN IDの確認</td>', added.text).group(1)

    edited = alice.http.post(
        f"{desk.url}/canned/{reply_id}", data={**form, "text": "OCN マイページでご確認ください。"}, timeout=10
    )
    assert "保存しました。" in edited.text and "OCN マイページでご確認ください。" in edited.text

    bad = alice.http.post(f"{desk.url}/canned", data={**form, "title": ""}, timeout=10)
    assert bad.status_code == 400 and "見出しを" in bad.text
    assert alice.http.post(f"{desk.url}/canned", data={**form, "topic": "nope"}, timeout=10).status_code == 400
    no_csrf = alice.http.post(f"{desk.url}/canned", data={**form, "csrf_token": "x"}, timeout=10)
    assert no_csrf.status_code == 403

    sender = "web:canned"
    handoff_id = enqueue(desk.url, sender).json()["handoff_id"]
    conversation = alice.get(f"/handoffs/{handoff_id}").text
    assert (
        'data-text="OCN マイページでご確認ください。"' in conversation
        and '<optgroup label="OCN IDの確認">' in conversation
    )

    deleted = alice.http.post(f"{desk.url}/canned/{reply_id}/delete", data={"csrf_token": alice.csrf}, timeout=10)
    assert "削除しました。" in deleted.text and "IDの確認先" not in deleted.text


def test_seeded_canned_replies_fit_a_phone_bubble_in_the_bots_register() -> None:
    from console.canned_replies import SEED, TOPIC_LABELS

    for topic, title, text in SEED:
        assert topic in TOPIC_LABELS, topic
        assert len(text) <= 120, title  # docs/style.md §3
        assert text.endswith("。") and "?" not in text and "様" not in text, title


def test_notes_and_outcomes_go_with_their_handoffs(tmp_path: Path) -> None:
    from console.retention import forget_handoffs, purge_handoffs
    from console.store import Store

    store = Store(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    kept, _ = store.handoffs.enqueue("web:kept", "web", None)
    gone, _ = store.handoffs.enqueue("web:forget-me", "web", None)
    for handoff in (kept, gone):
        store.notes.add(handoff.id, handoff.conversation_id, 1, f"メモ {handoff.conversation_id}")
        store.outcomes.record(handoff.id, "resolved", "メモ", 1)
    assert forget_handoffs(store.engine, "web:forget-me") == 1
    assert store.notes.for_conversation("web:forget-me") == [] and store.outcomes.for_handoffs([gone.id]) == {}
    assert len(store.notes.for_conversation("web:kept")) == 1 and kept.id in store.outcomes.for_handoffs([kept.id])
    assert purge_handoffs(store.engine, time.time() + 1) == 1
    assert store.notes.for_conversation("web:kept") == [] and store.outcomes.for_handoffs([kept.id]) == {}


def test_the_report_page_of_a_period_without_data_says_so(desk: Desk) -> None:
    store_event(desk.tracker, "web:later", "user", {"event": "user", "text": "こんにちは"}, time.time())
    page = Operator(desk.url, "alice").get("/insight/report?since=2020-01-01&until=2020-01-07")
    assert page.status_code == 200
    assert page.text.count("この期間のデータはありません") == 4  # three charts and the desk's figures
    assert "<img" not in page.text
