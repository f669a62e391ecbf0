"""python -m console.insight: the insight report as a file, the report's indexes, the review queue.

    python -m console.insight report --since 2026-11-01 --until 2026-11-26 [--channel web|line|rest] \
        --out report.html            # or report.json
    python -m console.insight index  # create the indexes the report needs (once per tracker store)
    python -m console.insight review sync      # take new fallback / low-confidence messages into the queue
    python -m console.insight review list      # the queue, newest first (redacted)
    python -m console.insight review assign ID INTENT | --not-useful
    python -m console.insight review export    # assigned messages -> data/nlu/review.yml

The tracker store is TRACKER_STORE_URL (as the bot uses it) or --url; the queue lives in the
console's store, CONSOLE_STORE_URL (default sqlite:///var/console.sqlite3).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from console.insight.store import tracker_engine

if TYPE_CHECKING:
    from console.insight.desk import DeskReport
    from console.insight.period import Scope
    from console.insight.review import ReviewQueue

DEFAULT_URL = "sqlite:///var/tracker.sqlite3"
DEFAULT_CONSOLE_URL = "sqlite:///var/console.sqlite3"


def _url(args: argparse.Namespace) -> str:
    return args.url or os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL


def _report(args: argparse.Namespace) -> None:
    from console.insight.period import Scope
    from console.insight.render import report_html, report_json
    from console.insight.report import build_report

    scope = Scope(args.since, args.until, args.channel)
    report = build_report(tracker_engine(_url(args)), scope)
    desk = _desk(scope)
    out = Path(args.out)
    out.write_text(report_json(report, desk) if out.suffix == ".json" else report_html(report, desk), encoding="utf-8")
    print(f"{out}: {report.conversations} conversations, {report.seconds:.2f} s", file=sys.stderr)


def _desk(scope: Scope) -> DeskReport | None:
    """The operator desk's figures from the console's store (CONSOLE_STORE_URL), as on the console's report
    page; None when there is no console store to read (a tracker store copied alone)."""
    from console.insight.desk import desk_report
    from console.operator_store import OperatorRepository
    from console.outcomes import OutcomeRepository
    from console.tables import make_engine

    engine = make_engine(os.environ.get("CONSOLE_STORE_URL") or DEFAULT_CONSOLE_URL)
    if not sa.inspect(engine).has_table("console_handoffs"):
        return None
    return desk_report(OutcomeRepository(engine), scope, OperatorRepository(engine).names())


def _index(args: argparse.Namespace) -> None:
    from console.insight.indexes import ensure_indexes

    created = ensure_indexes(tracker_engine(_url(args)))
    print("created: " + ", ".join(created) if created else "all indexes exist")


def _queue() -> ReviewQueue:
    from console.insight.review import ReviewQueue

    return ReviewQueue(sa.create_engine(os.environ.get("CONSOLE_STORE_URL") or DEFAULT_CONSOLE_URL))


def _review(args: argparse.Namespace) -> None:
    from console.insight.export import REVIEW_FILE, export

    queue = _queue()
    if args.action == "sync":
        print(f"{queue.sync(tracker_engine(_url(args)))} new messages to review; queue: {queue.counts()}")
    elif args.action == "list":
        for item in queue.page(limit=args.limit):
            print(f"{item.id:6d}  x{item.times:<4d} {item.predicted_intent or '-':24s} {item.text}")
    elif args.action == "assign":
        from console.insight.export import domain_intents

        if not args.not_useful and args.intent not in domain_intents():
            raise SystemExit(f"{args.intent!r} is not an intent of domain.yml")
        done = queue.not_useful(args.id, "cli") if args.not_useful else queue.assign(args.id, args.intent, "cli")
        print("ok" if done else f"no review item {args.id}")
    else:
        result = export(queue.assigned(), Path(args.out) if args.out else REVIEW_FILE)
        print(
            f"{result.path}: {result.written} examples; left out: {len(result.duplicates_of_test)} duplicate a test"
            f" message, {len(result.already_trained)} already in training data, {len(result.unknown_intent)} unknown intent"
        )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m console.insight", description=__doc__.splitlines()[0])
    p.add_argument("--url", help=f"tracker store URL (default: TRACKER_STORE_URL or {DEFAULT_URL})")
    sub = p.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="write the report to a file (.html or .json)")
    today = date.today()
    report.add_argument("--since", type=date.fromisoformat, default=today - timedelta(days=6), help="first day (JST)")
    report.add_argument("--until", type=date.fromisoformat, default=today, help="last day (JST), included")
    report.add_argument("--channel", choices=["web", "line", "rest"], default=None, help="default: all channels")
    report.add_argument("--out", required=True, help="report.html or report.json")
    report.set_defaults(run=_report)
    index = sub.add_parser("index", help="create the indexes the report needs")
    index.set_defaults(run=_index)
    review = sub.add_parser("review", help="the review queue")
    review.add_argument("action", choices=["sync", "list", "assign", "export"])
    review.add_argument("id", nargs="?", type=int)
    review.add_argument("intent", nargs="?")
    review.add_argument("--not-useful", action="store_true")
    review.add_argument("--limit", type=int, default=50)
    review.add_argument("--out", help="export to this file instead of data/nlu/review.yml")
    review.set_defaults(run=_review)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
