"""How long the retention job (bot_server/retention.py) takes on a one-machine SQLite tracker store
with 100,000 conversations spread over 180 days, so about half are older than the 90-day period.

Builds the store with benchmarks/synthetic_store.py (Rasa's events table, a realistic event mix),
adds one handoff and review item per 100 conversations to the console store, runs the retention job
once and prints its time and what it deleted, then a second run (nothing left to delete: the cost of
the hourly schedule), then `forget` of one sender.

    .venv/bin/python benchmarks/retention.py [--conversations 100000] [--days 180]
    .venv/bin/python benchmarks/retention.py --smoke   # a few hundred conversations, seconds
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.synthetic_store import generate  # noqa: E402
from bot_server.retention import RetentionSettings, run_forget, run_retention  # noqa: E402
from console.handoff_queue import HandoffQueue  # noqa: E402
from console.insight.review import ReviewQueue  # noqa: E402
from console.tables import handoffs, make_engine, metadata  # noqa: E402

RETENTION_DAYS = 90


def fill_console(tracker_url: str, console_url: str) -> None:
    """One handoff per 100 conversations, at the time of the conversation; the review queue synced."""
    tracker = sa.create_engine(tracker_url)
    with tracker.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT sender_id, MIN(timestamp) FROM events GROUP BY sender_id ORDER BY sender_id")
        ).all()
    console = make_engine(console_url)
    metadata.create_all(console)
    queue = HandoffQueue(console)
    for sender, at in rows[::100]:
        handoff, _ = queue.enqueue(sender, "web", None)
        with console.begin() as connection:
            connection.execute(handoffs.update().where(handoffs.c.id == handoff.id).values(created_at=at, ended_at=at))
    review = ReviewQueue(console)
    first = min(at for _, at in rows) if rows else time.time()
    review.sync(tracker, now=first + 1)
    while review.sync(tracker):
        pass
    tracker.dispose()
    console.dispose()


def event_count(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = int(connection.execute(sa.text("SELECT COUNT(*) FROM events")).scalar_one())
    engine.dispose()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=180, help="conversations spread over this many days")
    parser.add_argument("--smoke", action="store_true", help="300 conversations: checks the script runs")
    args = parser.parse_args()
    conversations = 300 if args.smoke else args.conversations
    with tempfile.TemporaryDirectory(prefix="ocn-retention-bench-") as folder:
        tracker_url = f"sqlite:///{Path(folder) / 'tracker.sqlite3'}"
        console_url = f"sqlite:///{Path(folder) / 'console.sqlite3'}"
        generate(tracker_url, conversations, args.days)
        fill_console(tracker_url, console_url)
        before = event_count(tracker_url)
        settings = RetentionSettings(RETENTION_DAYS, "bench-key", Path(folder) / "audit.log", tracker_url, console_url)
        started = time.perf_counter()
        deleted = run_retention(settings)
        first = time.perf_counter() - started
        started = time.perf_counter()
        run_retention(settings)
        again = time.perf_counter() - started
        engine = sa.create_engine(tracker_url)
        with engine.connect() as connection:
            sender = connection.execute(sa.text("SELECT sender_id FROM events LIMIT 1")).scalar_one()
        engine.dispose()
        started = time.perf_counter()
        forgot = run_forget(settings, sender)
        forget_seconds = time.perf_counter() - started
    print(
        f"retention ({RETENTION_DAYS} days) on {conversations} conversations / {before} events over {args.days} days:"
        f" {first:.2f} s, deleted {deleted}; second run (nothing to delete) {again:.2f} s;"
        f" forget one sender {forget_seconds:.2f} s ({forgot['tracker_events']} events)"
    )
    return 0 if deleted["tracker_events"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
