"""python -m console.insight: the insight report as a file, the report's indexes, the review queue.

    python -m console.insight report --since 2026-11-01 --until 2026-11-26 [--channel web|line|rest] \
        --out report.html            # or report.json
    python -m console.insight index  # create the indexes the report needs (once per tracker store)

The tracker store is TRACKER_STORE_URL (as the bot uses it) or --url.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

DEFAULT_URL = "sqlite:///var/tracker.sqlite3"


def _url(args: argparse.Namespace) -> str:
    return args.url or os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL


def _report(args: argparse.Namespace) -> None:
    from console.insight.period import Scope
    from console.insight.render import report_html, report_json
    from console.insight.report import build_report

    scope = Scope(args.since, args.until, args.channel)
    report = build_report(sa.create_engine(_url(args)), scope)
    out = Path(args.out)
    out.write_text(report_json(report) if out.suffix == ".json" else report_html(report), encoding="utf-8")
    print(f"{out}: {report.conversations} conversations, {report.seconds:.2f} s", file=sys.stderr)


def _index(args: argparse.Namespace) -> None:
    from console.insight.indexes import ensure_indexes

    created = ensure_indexes(sa.create_engine(_url(args)))
    print("created: " + ", ".join(created) if created else "all indexes exist")


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
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
