"""What each server counts, without starting one: the Rasa turn (bounded labels, fallbacks, pauses),
the action server's account API calls (through the real client and transport against a fake API),
the console's queue snapshot, the token check, and the JSON log lines (hash, redaction)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.account_api_results import AccountApiError, AccountApiUnavailable
from actions.account_client import AccountClient
from bot_server import metrics as bot_metrics
from bot_server.json_logs import conversation_hash
from bot_server.metrics_endpoint import authorized
from bot_server.redaction import redact_text
from console.handoff_queue import Handoff
from console.metrics import snapshot
from tests.test_account_client import FakeApi, Reply

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_INTENTS = frozenset({"check_ocn_id", "greet"})


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def tracker(*events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("rest:someone", list(events))


def said(intent: str | None, confidence: float = 0.9) -> UserUttered:
    return UserUttered("text", intent={"name": intent, "confidence": confidence})


# -- the Rasa server -----------------------------------------------------------------------------


def test_intent_labels_stay_within_the_domain() -> None:
    assert bot_metrics.intent_label("check_ocn_id", DOMAIN_INTENTS) == "check_ocn_id"
    assert bot_metrics.intent_label("nlu_fallback", DOMAIN_INTENTS) == "nlu_fallback"
    assert bot_metrics.intent_label("N123456789", DOMAIN_INTENTS) == "other"  # "/N123456789" typed by someone
    assert bot_metrics.intent_label(None, DOMAIN_INTENTS) == "none"
    assert bot_metrics.channel_label("line") == "line" and bot_metrics.channel_label("rest:someone") == "other"


def test_a_turn_counts_its_intent_latency_and_confidence() -> None:
    before = sample("ocn_bot_turn_seconds_count", channel="line", intent="check_ocn_id")
    intents = sample("ocn_bot_intents_total", channel="line", intent="check_ocn_id")
    confident = sample("ocn_bot_nlu_confidence_bucket", le="0.9")
    turn = bot_metrics._Turn(tracker(said("check_ocn_id", 0.85), ActionExecuted("utter_answer_check_ocn_id")))
    bot_metrics.record_turn("line", turn, DOMAIN_INTENTS, 0.02)
    assert sample("ocn_bot_turn_seconds_count", channel="line", intent="check_ocn_id") == before + 1
    assert sample("ocn_bot_intents_total", channel="line", intent="check_ocn_id") == intents + 1
    assert sample("ocn_bot_nlu_confidence_bucket", le="0.9") == confident + 1


def test_nlu_and_reply_fallbacks_are_counted_apart() -> None:
    nlu = sample("ocn_bot_fallbacks_total", channel="socketio", kind="nlu")
    reply = sample("ocn_bot_fallbacks_total", channel="socketio", kind="reply")
    gave_up = tracker(said("nlu_fallback", 0.2), BotUttered("…", metadata={"utter_action": "utter_fallback"}))
    bot_metrics.record_turn("socketio", bot_metrics._Turn(gave_up), DOMAIN_INTENTS, 0.01)
    assert sample("ocn_bot_fallbacks_total", channel="socketio", kind="nlu") == nlu + 1
    assert sample("ocn_bot_fallbacks_total", channel="socketio", kind="reply") == reply + 1
    # A fallback reply to an earlier message is not this turn's.
    answered = tracker(*gave_up.events, said("greet"), ActionExecuted("utter_greet"))
    bot_metrics.record_turn("socketio", bot_metrics._Turn(answered), DOMAIN_INTENTS, 0.01)
    assert sample("ocn_bot_fallbacks_total", channel="socketio", kind="reply") == reply + 1


def test_a_handoff_and_the_messages_a_person_gets_are_counted() -> None:
    pauses = sample("ocn_bot_pauses_total", channel="rest")
    paused_messages = sample("ocn_bot_paused_messages_total", channel="rest")
    handed_over = tracker(said("greet"), ActionExecuted("action_handoff"), ConversationPaused())
    bot_metrics.record_turn("rest", bot_metrics._Turn(handed_over, was_paused=False), DOMAIN_INTENTS, 0.05)
    assert sample("ocn_bot_pauses_total", channel="rest") == pauses + 1
    to_the_person = tracker(*handed_over.events, said(None, 0.0))
    bot_metrics.record_turn("rest", bot_metrics._Turn(to_the_person, was_paused=True), DOMAIN_INTENTS, 0.01)
    assert sample("ocn_bot_paused_messages_total", channel="rest") == paused_messages + 1
    assert sample("ocn_bot_pauses_total", channel="rest") == pauses + 1  # still the one handoff
    assert sample("ocn_bot_turn_seconds_count", channel="rest", intent="none") >= 1


def test_every_rasa_series_starts_at_zero_so_the_first_increase_is_seen() -> None:
    bot_metrics.zero_series(["lost_registration_letter"])
    labels = {"channel": "socketio", "intent": "lost_registration_letter"}  # no other test records this one
    assert REGISTRY.get_sample_value("ocn_bot_turn_seconds_count", labels) == 0.0
    assert REGISTRY.get_sample_value("ocn_bot_turn_seconds_bucket", {**labels, "le": "0.05"}) == 0.0
    assert REGISTRY.get_sample_value("ocn_bot_fallbacks_total", {"channel": "line", "kind": "reply"}) is not None
    assert REGISTRY.get_sample_value("ocn_bot_pauses_total", {"channel": "socketio"}) is not None


# -- the action server ---------------------------------------------------------------------------


@pytest.fixture
def client() -> Iterator[tuple[FakeApi, AccountClient]]:
    fake = FakeApi()
    account = AccountClient(fake.url, "t" * 32, connect_timeout=0.5, read_timeout=0.5, retries=1, backoff=0.01)
    account.transport._sleep = lambda seconds: None
    yield fake, account
    account.close()
    fake.close()


def test_account_api_calls_codes_and_verifications_are_counted(client: tuple[FakeApi, AccountClient]) -> None:
    fake, account = client
    sent = sample("ocn_actions_codes_sent_total", channel="sms")
    wrong = sample("ocn_actions_verifications_total", outcome="invalid_code")
    verified = sample("ocn_actions_verifications_total", outcome="verified")
    fake.reply(Reply(202, {"verification_id": "v1", "expires_in": 600, "channel": "sms"}))
    account.start_verification("rest:a", customer_number="N123456789")
    fake.reply(Reply(400, {"error": "invalid_code", "message": "", "attempts_left": 4}))
    with pytest.raises(AccountApiError):
        account.confirm_verification("v1", "rest:a", "000000")
    fake.reply(Reply(200, {"verified": True, "verified_until": "2026-12-04T10:00:00+09:00", "expires_in": 900}))
    account.confirm_verification("v1", "rest:a", "123456")
    assert sample("ocn_actions_codes_sent_total", channel="sms") == sent + 1
    assert sample("ocn_actions_verifications_total", outcome="invalid_code") == wrong + 1
    assert sample("ocn_actions_verifications_total", outcome="verified") == verified + 1
    assert sample("ocn_actions_account_api_seconds_count", call="confirm_verification") >= 2


def test_lockouts_code_limits_and_outages_are_counted(client: tuple[FakeApi, AccountClient]) -> None:
    fake, account = client
    locked = sample("ocn_actions_lockouts_total", call="confirm_verification")
    limited = sample("ocn_actions_code_limits_total", call="start_verification")
    down = sample("ocn_actions_account_api_calls_total", call="start_verification", outcome="unavailable")
    odd = sample("ocn_actions_account_api_calls_total", call="start_verification", outcome="error")
    fake.reply(Reply(423, {"error": "locked", "message": "", "retry_after": 1800}))
    with pytest.raises(AccountApiError):
        account.confirm_verification("v1", "rest:a", "000000")
    fake.reply(Reply(429, {"error": "too_many_codes", "message": "", "retry_after": 60}))
    with pytest.raises(AccountApiError):
        account.start_verification("rest:a", customer_number="N123456789")
    fake.reply(Reply(503, {}))
    with pytest.raises(AccountApiUnavailable):
        account.start_verification("rest:a", customer_number="N123456789")
    fake.reply(Reply(409, {"error": "N123456789 is odd", "message": ""}))  # an unknown code: no new label
    with pytest.raises(AccountApiError):
        account.start_verification("rest:a", customer_number="N123456789")
    assert sample("ocn_actions_lockouts_total", call="confirm_verification") == locked + 1
    assert sample("ocn_actions_verifications_total", outcome="locked") >= 1
    assert sample("ocn_actions_code_limits_total", call="start_verification") == limited + 1
    assert sample("ocn_actions_account_api_calls_total", call="start_verification", outcome="unavailable") == down + 1
    assert sample("ocn_actions_account_api_calls_total", call="start_verification", outcome="error") == odd + 1


# -- the console, the token ----------------------------------------------------------------------


def handoff(status: str, created_at: float) -> Handoff:
    return Handoff("h", "rest:x", "rest", None, status, None, created_at, None, None)


def test_queue_snapshot_counts_waiting_and_active_and_the_longest_wait() -> None:
    now = 10_000.0
    found = snapshot(
        [handoff("waiting", now - 300), handoff("waiting", now - 30), handoff("active", now - 900)], 2, now
    )
    assert (found.waiting, found.active, found.longest_wait, found.operators) == (2, 1, 300.0, 2)
    assert snapshot([handoff("active", now - 900)], 0, now).longest_wait == 0.0


def test_only_the_exact_bearer_token_reads_the_metrics() -> None:
    assert authorized("Bearer s3cret-token", "s3cret-token")
    assert not authorized("Bearer s3cret-tokenX", "s3cret-token")
    assert not authorized("s3cret-token", "s3cret-token")
    assert not authorized(None, "s3cret-token")
    assert not authorized("Bearer ", "")  # no token set: metrics are off, nobody reads them


# -- JSON log lines ------------------------------------------------------------------------------

LOGGING_SCRIPT = """
import logging
from bot_server.json_logs import conversation_scope, install_json_logging
install_json_logging()
log = logging.getLogger("actions.account_client")
with conversation_scope("line:U0123456789abcdef"):
    log.info("code %s sent to %s", "482913", "090-1234-5678", extra={"note": "call 090-1234-5678"})
log.info("outside")
logging.getLogger("some.library").info("below the root's level")
with conversation_scope(sys.argv[1]):
    log.info("a conversation whose hash holds a code-like run")
"""


def sender_whose_hash_looks_like_a_code() -> str:
    """A sender id whose hash the redaction of codes would cut (six digits in a row, e.g. 123456d9af321d4d)."""
    return next(
        sender
        for sender in (f"rest:test-{n}" for n in itertools.count())
        if redact_text(conversation_hash(sender)) != conversation_hash(sender)
    )


def test_log_lines_are_json_redacted_and_carry_the_conversation_hash() -> None:
    code_like = sender_whose_hash_looks_like_a_code()
    result = subprocess.run(
        [sys.executable, "-c", "import sys\n" + LOGGING_SCRIPT, code_like],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [line["message"] for line in lines[:2]] == ["code [確認コード] sent to [電話番号]", "outside"]
    first, second, third = lines
    assert third["conversation"] == conversation_hash(code_like)
    assert first["conversation"] == conversation_hash("line:U0123456789abcdef") and "U0123" not in result.stderr
    assert (
        first["note"] == "call [電話番号]" and first["level"] == "INFO" and first["logger"] == "actions.account_client"
    )
    assert "conversation" not in second
    assert "482913" not in result.stderr and "1234-5678" not in result.stderr
