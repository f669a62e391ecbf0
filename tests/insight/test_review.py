"""The review queue: what enters it (redacted, newest first), decisions, and the NLU export."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.redaction import PASSWORD_MASK
from bot_server.tracker_stores import RedactingSQLTrackerStore
from console.insight.export import export
from console.insight.nlu_files import comparable
from console.insight.review import NEW, ReviewQueue
from console.insight.store import tracker_engine
from tests.insight.known_store import DAY2, MISS, SECRET_CODE, SECRET_CUSTOMER, SECRET_PHONE, at


def queue_for(tracker_url: str, tmp_path: Path) -> ReviewQueue:
    queue = ReviewQueue(sa.create_engine(f"sqlite:///{tmp_path / 'console.sqlite3'}"))
    queue.sync(tracker_engine(tracker_url), now=at(DAY2, 23))
    return queue


def test_queue_holds_fallbacks_and_low_confidence_newest_first_one_item_per_text(
    tracker_url: str, tmp_path: Path, test_message: str
) -> None:
    queue = queue_for(tracker_url, tmp_path)
    items = queue.page(NEW)
    texts = [item.text for item in items]
    assert texts[0] == test_message  # the newest: low confidence (0.6) though answered
    assert texts.count(MISS) == 1 and next(i for i in items if i.text == MISS).times == 2
    assert "光回線の速度が遅い" in texts and "期間外のメッセージ" in texts  # first sync looks back 30 days
    assert queue.sync(tracker_engine(tracker_url), now=at(DAY2, 23)) == 0  # nothing new: nothing added twice
    assert queue.counts()[NEW] == len(items)


def test_queue_shows_no_code_phone_number_or_customer_number(tracker_url: str, tmp_path: Path) -> None:
    queue = queue_for(tracker_url, tmp_path)
    stored = sa.create_engine(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    with stored.connect() as connection:
        dump = " ".join(str(row) for row in connection.execute(sa.text("SELECT * FROM insight_review_items")))
    for secret in (SECRET_CODE, SECRET_PHONE, SECRET_PHONE.replace("-", ""), SECRET_CUSTOMER, "h8888888"):
        assert secret not in dump
    assert any("[確認コード]" in item.text for item in queue.page(NEW))


def test_export_writes_assigned_messages_and_never_a_test_set_message(
    tracker_url: str, tmp_path: Path, test_message: str
) -> None:
    queue = queue_for(tracker_url, tmp_path)
    by_text = {item.text: item for item in queue.page(NEW)}
    queue.assign(by_text[MISS].id, "out_of_scope", "alice")
    queue.assign(by_text[test_message].id, "forgot_password", "alice")
    secret = next(item for text, item in by_text.items() if "[確認コード]" in text)
    queue.assign(secret.id, "inform", "alice")
    queue.not_useful(by_text["光回線の速度が遅い"].id, "alice")
    out = tmp_path / "review.yml"
    result = export(queue.assigned(), out)
    assert result.duplicates_of_test == [by_text[test_message].id]
    assert result.written == 2
    nlu = yaml.safe_load(out.read_text(encoding="utf-8"))["nlu"]
    written = {block["intent"]: block["examples"] for block in nlu}
    assert set(written) == {"out_of_scope", "inform"}
    assert MISS in written["out_of_scope"]
    assert comparable(test_message) not in {
        comparable(line) for block in written.values() for line in block.split("\n")
    }
    # the labels became the help page's sample values: nothing of the customer's
    assert SECRET_CODE not in written["inform"] and "123456" in written["inform"]
    assert "光回線の速度が遅い" not in out.read_text(encoding="utf-8")


def test_export_with_nothing_assigned_removes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "review.yml"
    out.write_text("stale", encoding="utf-8")
    assert export([], out).written == 0 and not out.exists()


def test_export_is_valid_yaml_without_control_characters_and_redacted_again(tmp_path: Path) -> None:
    """A DEL or NUL a customer's client sent used to reach review.yml and break `make train` (YAML refuses
    them); an item stored before a redaction rule existed must not put its code or phone into the repository."""
    queue = ReviewQueue(sa.create_engine(f"sqlite:///{tmp_path / 'console.sqlite3'}"))
    texts = [
        "料金を\x7f変えたい",
        "支払い\x00方法\x1bを知りたい\u202e",
        f"コードは{SECRET_CODE}で電話は{SECRET_PHONE}です",
    ]
    with queue.engine.begin() as connection:  # as stored by an older console: not redacted, raw
        for number, text in enumerate(texts):
            connection.execute(
                sa.text(
                    "INSERT INTO insight_review_items (text_key, text, times, sender, first_seen, last_seen, status)"
                    " VALUES (:key, :text, 1, 'web:x…', 0, 0, 'new')"
                ),
                {"key": f"k{number}", "text": text},
            )
    for item in queue.page(NEW):
        queue.assign(item.id, "out_of_scope", "alice")
    out = tmp_path / "review.yml"
    assert export(queue.assigned(), out).written == 3
    content = out.read_text(encoding="utf-8")
    examples = yaml.safe_load(content)["nlu"][0]["examples"]  # raised ReaderError on "\x7f" before
    assert "料金を 変えたい" in examples and "支払い 方法 を知りたい" in examples
    assert not any(ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e" for ch in content)
    assert SECRET_CODE not in content and SECRET_PHONE not in content
    assert "コードは123456で電話は090-0000-0000です" in examples


def test_queue_shows_no_typed_password(tmp_path: Path) -> None:
    """A password typed at the ID prompt (masked as the bot stored it) and one after 「パスワードは」 in a
    row stored before passwords were masked: the operator reviewing either sees the mask."""
    path, domain, now = tmp_path / "tracker.sqlite3", Domain.from_yaml("version: '3.1'\n"), time.time()

    def said(text: str) -> UserUttered:
        return UserUttered(text, {"name": "nlu_fallback", "confidence": 0.2}, timestamp=now)

    before = DialogueStateTracker.from_events(
        "web:old11111", [ActionExecuted("action_listen"), said("パスワードは Qz81kk!x です")]
    )
    asyncio.run(SQLTrackerStore(domain, dialect="sqlite", db=str(path)).save(before))
    at_prompt = [SlotSet("requested_slot", "account_ref"), ActionExecuted("action_listen"), said("Wx93!pp7")]
    asyncio.run(
        RedactingSQLTrackerStore(domain, dialect="sqlite", db=str(path)).save(
            DialogueStateTracker.from_events("web:new22222", at_prompt)
        )
    )
    queue = ReviewQueue(sa.create_engine(f"sqlite:///{tmp_path / 'console.sqlite3'}"))
    queue.sync(tracker_engine(f"sqlite:///{path}"), now=now + 60)
    texts = [item.text for item in queue.page(NEW)]
    assert sorted(texts) == sorted([f"パスワードは {PASSWORD_MASK} です", PASSWORD_MASK])
