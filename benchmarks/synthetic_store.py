"""A synthetic tracker store (Rasa's SQLTrackerStore `events` table) with a realistic event mix,
and the timing of the insight report on it.

    .venv/bin/python benchmarks/synthetic_store.py generate --url sqlite:///var/bench/tracker.sqlite3 \
        --conversations 100000 --days 30
    .venv/bin/python benchmarks/synthetic_store.py measure --url sqlite:///var/bench/tracker.sqlite3 --days 30
    URL=$(.venv/bin/python benchmarks/synthetic_store.py postgres)   # a private PostgreSQL 15 (deploy/postgres.py)
    .venv/bin/python benchmarks/synthetic_store.py generate --url "$URL" && ... measure --url "$URL"
    .venv/bin/python benchmarks/synthetic_store.py --smoke   # 200 conversations in a temporary SQLite file

Events have the shapes Rasa 3.6 stores (UserUttered with parse_data and intent_ranking, BotUttered
with metadata.utter_action, SlotSet, ActionExecuted, ConversationPaused/Resumed, SessionStarted),
one JSON text per row as SQLTrackerStore writes them. `Conversation` is also how the tests build
a small store with known figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from console.insight.period import JST  # noqa: E402

MODEL = {"model_id": "0" * 32, "assistant_id": "ocn-id-password-bot"}
INTENTS = [
    "forgot_password",
    "check_connection_id",
    "check_customer_number",
    "check_ocn_id",
    "ask_id_types",
    "change_ocn_id_password",
    "forgot_ocn_id_password",
    "check_login_history",
    "greet",
    "thank",
    "goodbye",
    "affirm",
    "deny",
]


def events_table(metadata: sa.MetaData) -> sa.Table:
    """Rasa 3.6's SQLTrackerStore.SQLEvent table, column for column (with its sender_id index)."""
    return sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )


class Conversation:
    """Events of one conversation, as rows of the events table."""

    def __init__(self, sender_id: str, start: float, input_channel: str = "socketio") -> None:
        self.sender_id, self.now, self.input_channel = sender_id, start, input_channel
        self.rows: list[dict[str, Any]] = []
        self._add("session_started", {}, action=None)
        self.action("action_session_start")
        self.action("action_listen")

    def _add(self, type_name: str, data: dict[str, Any], intent: str | None = None, action: str | None = None) -> None:
        self.now += 0.01
        event = {"event": type_name, "timestamp": self.now, "metadata": dict(MODEL), **data}
        self.rows.append(
            {
                "sender_id": self.sender_id,
                "type_name": type_name,
                "timestamp": self.now,
                "intent_name": intent,
                "action_name": action,
                "data": json.dumps(event),
            }
        )

    def wait(self, seconds: float) -> Conversation:
        self.now += seconds
        return self

    def user(self, text: str, intent: str, confidence: float = 0.95) -> Conversation:
        self.wait(5)
        ranking = [{"name": intent, "confidence": confidence}] + [
            {"name": other, "confidence": (1 - confidence) / 9} for other in INTENTS[:9] if other != intent
        ]
        message_id = uuid.uuid4().hex
        parse = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "text": text,
            "message_id": message_id,
            "metadata": {},
            "text_tokens": [[0, len(text)]],
            "intent_ranking": ranking,
        }
        data = {"text": text, "parse_data": parse, "input_channel": self.input_channel, "message_id": message_id}
        self._add("user", data, intent=intent, action=None)
        self._add("user_featurization", {"use_text_for_featurization": False})
        return self

    def bot(self, utter_action: str | None, text: str = "…") -> Conversation:
        metadata = {**MODEL, **({"utter_action": utter_action, "template": utter_action} if utter_action else {})}
        buttons = None
        self._add("bot", {"metadata": metadata, "text": text, "data": {"buttons": buttons}})
        return self

    def action(self, name: str) -> Conversation:
        data = {"name": name, "policy": "RulePolicy", "confidence": 1.0, "action_text": None, "hide_rule_turn": False}
        self._add("action", data, action=name)
        return self

    def slot(self, name: str, value: Any) -> Conversation:
        self._add("slot", {"name": name, "value": value}, action=name)
        return self

    def pause(self) -> Conversation:
        self._add("pause", {})
        return self

    def resume(self) -> Conversation:
        self._add("resume", {})
        return self

    # --- common turns ---------------------------------------------------------------
    def faq(self, text: str, intent: str, confidence: float = 0.95, survey: str | None = None) -> Conversation:
        self.user(text, intent, confidence).action("action_answer").bot(f"utter_answer_{intent}")
        self.bot("utter_ask_survey").slot("pending_question", "survey").action("action_listen")
        if survey:
            answer = "affirm" if survey == "resolved" else "deny"
            self.user("/" + answer, answer, 1.0).action("action_answer_pending_question")
            self.bot("utter_survey_thanks" if survey == "resolved" else "utter_survey_unresolved")
            self.slot("survey_answer", survey).slot("pending_question", None).action("action_listen")
        return self

    def miss(self, text: str, confidence: float = 0.4, give_up: bool = False) -> Conversation:
        self.user(text, "nlu_fallback", confidence).action("action_clarify")
        self.bot("utter_fallback" if give_up else "utter_clarify").slot("pending_question", None)
        return self.action("action_listen")

    def procedure(self, name: str, verified: bool = True, completed: bool = True) -> Conversation:
        self.user("手続きしたい", "start_procedure").action("action_start_procedure").slot("procedure", name)
        self.action("procedure_form").slot("requested_slot", "account_ref").bot("utter_ask_account_ref")
        self.action("action_listen").user("N123456789", "inform").slot("account_ref", "N1234*****")
        self.bot("utter_code_sent").bot("utter_ask_otp_code").action("action_listen")
        if not verified:
            self.user("キャンセル", "cancel").action("action_cancel_procedure").bot("utter_procedure_cancelled")
            return self.slot("procedure", None).action("action_listen")
        self.user("[確認コード]", "inform").slot("otp_code", None).slot("verified_until", self.now + 900)
        self.bot("utter_verified").slot("procedure", name).action("action_ask_procedure_confirmed")
        self.action("action_listen")
        if not completed:
            self.user("いいえ", "deny").slot("procedure_confirmed", False).action("action_run_procedure")
            return self.bot("utter_procedure_cancelled").slot("procedure", None).action("action_listen")
        self.user("はい", "affirm").slot("procedure_confirmed", True).action("action_run_procedure")
        done = {
            "reset_ocn_password": "utter_done_password_reset",
            "send_connection_id": "utter_done_connection_sms",
            "send_customer_number": "utter_done_customer_number",
            "send_ocn_id": "utter_done_ocn_id",
        }.get(name)
        self.bot(done, "直近3件のログイン履歴です" if done is None else "…")
        self.bot("utter_ask_survey").slot("procedure", None).slot("pending_question", "survey")
        return self.action("action_listen")

    def handoff(self) -> Conversation:
        self.user("担当者と話したい", "request_human").action("action_handoff").bot("utter_handoff_queued")
        self.pause().wait(120).user("ありがとう", "thank").resume()
        return self


# --- the synthetic mix ---------------------------------------------------------------
FAQ = [
    ("パスワードを忘れました", "forgot_password"),
    ("接続用IDがわからない", "check_connection_id"),
    ("お客さま番号はどこに書いてありますか", "check_customer_number"),
    ("OCN IDを確認したい", "check_ocn_id"),
    ("IDの種類を教えて", "ask_id_types"),
    ("メールのパスワードを変更したい", "change_ocn_id_password"),
    ("ログイン履歴を見たい", "check_login_history"),
]
MISSES = [
    "光回線の速度が遅い",
    "料金の支払い方法を変えたい",
    "引っ越しするので住所変更したい",
    "解約の手続きはどうすればいい",
    "ルーターのランプが赤く点滅している",
    "メールが送れない",
    "迷惑メールが多い",
    "dポイントが付与されない",
    "請求書を紙でほしい",
    "電話番号 090-1234-5678 に連絡ください",
    "お客さま番号N987654321で契約内容を見たい",
    "Wi-Fiがつながらない",
]
PROCEDURES = ["reset_ocn_password", "send_connection_id", "send_customer_number", "send_ocn_id", "login_history"]


def synthetic_conversation(rng: random.Random, n: int, start: float) -> Conversation:
    roll = rng.random()
    channel = rng.choices(["web", "line", "rest", ""], weights=[60, 33, 5, 2])[0]
    input_channel = {"web": "socketio", "": rng.choice(["socketio", "line"])}.get(channel, channel)
    sender = f"{channel}:{uuid.UUID(int=rng.getrandbits(128)).hex}" if channel else f"{n:012d}"
    c = Conversation(sender, start, input_channel)
    if rng.random() < 0.3:
        c.user("こんにちは", "greet").action("utter_greet").bot("utter_greet").action("action_listen")
    text, intent = rng.choice(FAQ)
    if roll < 0.55:
        c.faq(text, intent, rng.uniform(0.6, 0.99), rng.choice(["resolved", "resolved", "unresolved", None]))
    elif roll < 0.70:
        miss = rng.choice(MISSES) + rng.choice(["", "。", "です", "んですが"])
        c.miss(miss, rng.uniform(0.2, 0.54)).faq(text, intent, survey=rng.choice(["resolved", None]))
    elif roll < 0.78:
        c.miss(rng.choice(MISSES)).miss(rng.choice(MISSES), give_up=True)
        if rng.random() < 0.5:
            c.handoff()
    elif roll < 0.95:
        c.procedure(rng.choice(PROCEDURES), verified=rng.random() < 0.85, completed=rng.random() < 0.9)
    else:
        c.handoff()
    if rng.random() < 0.4:
        c.user("ありがとう", "thank").action("utter_thank").bot("utter_thank").action("action_listen")
    return c


def generate(url: str, conversations: int, days: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    engine = sa.create_engine(url, executemany_mode="values_plus_batch") if url.startswith("postgres") else None
    engine = engine or sa.create_engine(url)
    metadata = sa.MetaData()
    table = events_table(metadata)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    first = datetime.combine(date.today() - timedelta(days=days), datetime.min.time(), JST).timestamp()
    batch: list[dict[str, Any]] = []
    started = time.perf_counter()
    with engine.begin() as connection:
        for n in range(conversations):
            start = first + rng.random() * days * 86400
            batch.extend(synthetic_conversation(rng, n, start).rows)
            if len(batch) > 20000:
                connection.execute(table.insert(), batch)
                batch = []
        if batch:
            connection.execute(table.insert(), batch)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # What autovacuum does on a live store (PostgreSQL's index-only scans need it).
        connection.execute(sa.text("VACUUM ANALYZE events" if engine.dialect.name == "postgresql" else "ANALYZE"))
        events = connection.execute(sa.text("SELECT COUNT(*) FROM events")).scalar()
    print(f"{conversations} conversations, {events} events in {time.perf_counter() - started:.0f} s: {url}")


def measure(url: str, days: int, channel: str | None, repeat: int) -> Iterator[float]:
    from console.insight.indexes import ensure_indexes
    from console.insight.period import Scope
    from console.insight.report import build_report
    from console.insight.store import tracker_engine

    engine = tracker_engine(url)
    created = ensure_indexes(engine)
    if created:
        print(f"created indexes: {', '.join(created)}")
    today = date.today()
    scope = Scope(today - timedelta(days=days), today, channel)
    for _ in range(repeat):
        cpu = time.process_time()
        report = build_report(engine, scope)
        cpu = time.process_time() - cpu
        print(
            f"report ({scope.channel or 'all channels'}, {days + 1} days): {report.conversations} conversations,"
            f" {report.messages} messages in {report.seconds:.2f} s (this process's CPU {cpu:.2f} s;"
            f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        yield report.seconds


def private_postgres(state_dir: Path, stop: bool = False) -> str:
    """Start (or stop) a private PostgreSQL 15 as the scaled mode does (deploy/postgres.py); its URL."""
    from deploy.postgres import Postgres
    from deploy.settings import load
    from devstack.ports import free_port

    state_dir.mkdir(parents=True, exist_ok=True)
    port_file = state_dir / "base_port"
    if not port_file.exists():
        port_file.write_text(str(free_port() - 2))  # Ports.postgres is base + 2
    settings = load(base_port=int(port_file.read_text()), state_dir=state_dir)
    postgres = Postgres(settings)
    if stop:
        postgres.stop()
    else:
        postgres.start()
    # The URL carries no password: libpq finds it in the tracker role's PGPASSFILE (deploy/environment.py).
    os.environ["PGPASSFILE"] = str(settings.pgpass_file("tracker"))
    return settings.tracker_store_url


def smoke() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'tracker.sqlite3'}"
        generate(url, 200, 7)
        times = list(measure(url, 7, None, 1))
    print(f"smoke: report in {times[0]:.2f} s")


def main() -> None:
    if sys.argv[1:] == ["--smoke"]:
        smoke()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--url", required=True)
    gen.add_argument("--conversations", type=int, default=100_000)
    gen.add_argument("--days", type=int, default=30)
    meas = sub.add_parser("measure")
    meas.add_argument("--url", required=True)
    meas.add_argument("--days", type=int, default=30)
    meas.add_argument("--channel", default=None)
    meas.add_argument("--repeat", type=int, default=3)
    pg = sub.add_parser("postgres", help="start a private PostgreSQL and print its URL (or --stop it)")
    pg.add_argument("--state-dir", type=Path, default=Path("/tmp/ocn-insight-bench-pg"))
    pg.add_argument("--stop", action="store_true")
    args = parser.parse_args()
    if args.command == "postgres":
        print(private_postgres(args.state_dir, args.stop))
    elif args.command == "generate":
        generate(args.url, args.conversations, args.days)
    else:
        times = sorted(measure(args.url, args.days, args.channel, args.repeat))
        print(f"median {times[len(times) // 2]:.2f} s over {len(times)} runs")


if __name__ == "__main__":
    main()
