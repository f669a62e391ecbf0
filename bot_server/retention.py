"""How long conversations are kept, and forgetting one customer on request (Japan's APPI: a stated
retention period, deletion on request).

    python -m bot_server retention [--days N]                     # delete what is older than N days
    python -m bot_server forget --sender line:U4af4980629...      # delete one customer's conversations

Both work on the tracker store (Rasa's events: bot_server/tracker_retention.py) and the console's
store (handoff queue rows and review items: console/retention.py). The account sandbox deletes its own
old rows (`python -m account_api purge`, same RETENTION_DAYS). `make run` runs the job at start and
every hour (devstack/retention.py), so does the scaled mode; Kubernetes runs it as a CronJob.

Each run appends one JSON audit line to RETENTION_AUDIT_LOG and prints it. The line holds no personal
data: a forgotten sender appears only as a keyed hash (HMAC-SHA256 with RETENTION_AUDIT_KEY), which
lets an auditor confirm "this customer's request was carried out" given the id, but not recover it.

A deletion request outlives a restore: every retention run also forgets again, of each conversation
whose keyed hash a `forget` line of the audit log names, the rows older than the request (a backup
restored after the request brings them back; `deploy.backup restore` runs the job at once); what the
customer writes after the request stays. So the audit log is kept with the backups' lifetime
(RETENTION_DAYS: `deploy.backup` deletes older backups), and RETENTION_AUDIT_KEY never changes.

Settings (read here; the stores' addresses as the console reads them, console/settings.py):
  RETENTION_DAYS       days a conversation is kept (default 90)
  RETENTION_AUDIT_KEY  key of the sender hash (default a public development key: set it in production)
  RETENTION_AUDIT_LOG  file of audit lines (default var/retention-audit.log)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from bot_server import tracker_retention
from channels.senders import MAX_SENDER_ID_LENGTH
from console import retention as console_retention
from console.settings import load_settings as console_settings
from console.tables import make_engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RETENTION_DAYS = 90
DEV_AUDIT_KEY = "dev-retention-audit-key"  # public: production sets RETENTION_AUDIT_KEY
DAY = 86400


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


@dataclass(frozen=True)
class RetentionSettings:
    days: int
    audit_key: str
    audit_log: Path
    tracker_store_url: str
    console_store_url: str

    @classmethod
    def from_env(cls) -> RetentionSettings:
        console = console_settings()
        return cls(
            days=int(_env("RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS))),
            audit_key=_env("RETENTION_AUDIT_KEY", DEV_AUDIT_KEY),
            audit_log=Path(_env("RETENTION_AUDIT_LOG", str(ROOT / "var" / "retention-audit.log"))),
            tracker_store_url=console.tracker_store_url,
            console_store_url=console.store_url,
        )


class Stores:
    """The two stores' engines (one store when both URLs are the same database, as in the scaled mode)."""

    def __init__(self, settings: RetentionSettings) -> None:
        self.tracker = sa.create_engine(settings.tracker_store_url, pool_pre_ping=True)
        self.console = make_engine(settings.console_store_url)
        console_retention.ensure_tables(self.console)

    def dispose(self) -> None:
        self.tracker.dispose()
        self.console.dispose()


def purge_older_than(stores: Stores, cutoff: float) -> dict[str, int]:
    return {
        "tracker_events": tracker_retention.purge_events(stores.tracker, cutoff),
        "handoffs": console_retention.purge_handoffs(stores.console, cutoff),
        "review_items": console_retention.purge_review(stores.console, cutoff),
    }


def forget_requests(settings: RetentionSettings) -> dict[str, float]:
    """Each sender a `forget` line of the audit log names (its keyed hash), and when it was last asked."""
    if not settings.audit_log.is_file():
        return {}
    requests: dict[str, float] = {}
    for line in settings.audit_log.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            asked = datetime.fromisoformat(entry["at"]).timestamp()
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            continue
        if entry.get("event") == "forget" and isinstance(entry.get("sender_hmac"), str):
            requests[entry["sender_hmac"]] = max(asked, requests.get(entry["sender_hmac"], 0.0))
    return requests


def forget_again(stores: Stores, settings: RetentionSettings) -> int:
    """Forgets once more what a deletion request covered: a conversation's rows from before the request
    (a restored backup brings them back). What the customer wrote after it is theirs to keep (security
    review 8, S2: a returning customer's new conversation was deleted every hour). How many
    conversations had rows deleted again."""
    requests = forget_requests(settings)
    if not requests:
        return 0
    present = set(tracker_retention.sender_ids(stores.tracker)) | set(
        console_retention.handoff_conversations(stores.console)
    )
    again = 0
    for sender in present:
        asked = requests.get(sender_hash(settings.audit_key, sender))
        if asked is not None and any(forget_sender(stores, sender, before=asked).values()):
            again += 1
    return again


def forget_sender(stores: Stores, sender_id: str, before: float | None = None) -> dict[str, int]:
    """Deletes one conversation's rows everywhere (those from before `before`, if given)."""
    texts = tracker_retention.customer_texts(stores.tracker, sender_id, before)  # before the events go
    return {
        "review_items": console_retention.forget_review(stores.console, texts),
        "handoffs": console_retention.forget_handoffs(stores.console, sender_id, before),
        "tracker_events": tracker_retention.forget_events(stores.tracker, sender_id, before),
    }


def sender_hash(key: str, sender_id: str) -> str:
    return hmac.new(key.encode(), sender_id.encode(), hashlib.sha256).hexdigest()


def audit(settings: RetentionSettings, line: dict[str, object]) -> None:
    line = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **line}
    text = json.dumps(line, ensure_ascii=False)
    settings.audit_log.parent.mkdir(parents=True, exist_ok=True)
    with settings.audit_log.open("a", encoding="utf-8") as log:
        log.write(text + "\n")
    print(text, flush=True)


def run_retention(settings: RetentionSettings, now: float | None = None) -> dict[str, int]:
    now = time.time() if now is None else now
    stores = Stores(settings)
    try:
        deleted = purge_older_than(stores, now - settings.days * DAY)
        forgotten_again = forget_again(stores, settings)
    finally:
        stores.dispose()
    line: dict[str, object] = {"event": "retention", "days": settings.days, "deleted": deleted}
    if forgotten_again:
        line["forgotten_again"] = forgotten_again  # conversations a restore brought back after a request
    audit(settings, line)
    return deleted


def run_forget(settings: RetentionSettings, sender_id: str) -> dict[str, int]:
    stores = Stores(settings)
    try:
        deleted = forget_sender(stores, sender_id)
    finally:
        stores.dispose()
    audit(settings, {"event": "forget", "sender_hmac": sender_hash(settings.audit_key, sender_id), "deleted": deleted})
    return deleted


def _sender_problem(sender_id: str) -> str | None:
    if not sender_id.strip():
        return "--sender is empty: give the conversation id, e.g. line:U4af4980629..."
    if len(sender_id) > MAX_SENDER_ID_LENGTH:
        return f"--sender is {len(sender_id)} characters; a conversation id has at most {MAX_SENDER_ID_LENGTH}."
    return None


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot_server", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    job = commands.add_parser("retention", help="delete conversations older than RETENTION_DAYS")
    job.add_argument("--days", type=int, help=f"retention period (default RETENTION_DAYS, {DEFAULT_RETENTION_DAYS})")
    forget = commands.add_parser("forget", help="delete one customer's conversations everywhere")
    forget.add_argument("--sender", required=True, help="conversation id, e.g. line:U4af4980629...")
    args = parser.parse_args(argv)
    settings = RetentionSettings.from_env()
    if args.command == "forget":
        problem = _sender_problem(args.sender)
        if problem:
            print(f"bot_server forget: {problem}", file=sys.stderr)
            return 2
        run_forget(settings, args.sender.strip())
        return 0
    days = settings.days if args.days is None else args.days
    if days < 1:
        print("bot_server retention: the retention period must be at least 1 day.", file=sys.stderr)
        return 2
    run_retention(replace(settings, days=days))
    return 0
