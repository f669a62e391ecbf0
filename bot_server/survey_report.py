"""Count the answers to 「疑問・問題は解決しましたか？」 stored in the tracker store.

python -m bot_server.survey_report [--url sqlite:///var/tracker.sqlite3] [--days 7]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter

import sqlalchemy as sa


def count_answers(url: str, since: float = 0.0) -> dict[str, int]:
    engine = sa.create_engine(url)
    query = sa.text(
        "SELECT data FROM events WHERE type_name = 'slot' AND timestamp >= :since AND data LIKE '%survey_answer%'"
    )
    counts: Counter = Counter()
    with engine.connect() as connection:
        for (data,) in connection.execute(query, {"since": since}):
            event = json.loads(data)
            if event.get("name") == "survey_answer" and event.get("value"):
                counts[event["value"]] += 1
    engine.dispose()
    return {"resolved": counts["resolved"], "unresolved": counts["unresolved"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("TRACKER_STORE_URL", "sqlite:///var/tracker.sqlite3"))
    parser.add_argument("--days", type=float, default=0, help="only the last N days (0 = all)")
    args = parser.parse_args()
    since = time.time() - args.days * 86400 if args.days else 0.0
    counts = count_answers(args.url, since)
    total = sum(counts.values())
    rate = f"{counts['resolved'] / total:.0%}" if total else "-"
    print(f"解決した: {counts['resolved']}  解決しなかった: {counts['unresolved']}  解決率: {rate}")


if __name__ == "__main__":
    main()
