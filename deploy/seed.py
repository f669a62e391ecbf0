"""Fictional customers for load tests, added straight into a sandbox database (SQLite, WAL: the
running sandbox sees them at once). The sandbox sends at most 3 codes per account and client per hour
(a load run is one client), so a load run that verifies many conversations needs many accounts: each
call adds `count` new ones, numbered after the highest existing load-test number (N8........, mobile
070........), so runs never share an account's hourly budget.

    python -m deploy.seed --db var/scaled/account_api.sqlite3 --count 200
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

LOAD_PREFIX = "N8"


def sandbox_key(db_path: Path) -> str:
    """The key a sandbox database's secrets are encrypted with: ACCOUNT_API_ENCRYPTION_KEY, else the scaled
    mode's, which deploy keeps next to its database (deploy/settings.py), else the development key."""
    from account_api.settings import DEV_ENCRYPTION_KEY

    path = db_path.resolve().parent / "secrets" / "account_api_encryption_key"
    beside = path.read_text().strip() if path.exists() else ""
    return os.environ.get("ACCOUNT_API_ENCRYPTION_KEY") or beside or DEV_ENCRYPTION_KEY


def seed_load_customers(db_path: Path, count: int, encryption_key: str | None = None) -> list[Customer]:  # noqa: F821
    from account_api.security import SecretBox
    from account_api.seed import add_customer, seed_demo_customers
    from account_api.store import Customer, Store

    box = SecretBox(encryption_key or sandbox_key(db_path))
    store = Store(db_path)
    try:
        store.create_schema()
        seed_demo_customers(store, box, time.time())
        row = store.conn.execute(
            "SELECT MAX(customer_number) FROM customers WHERE customer_number LIKE ?", (LOAD_PREFIX + "%",)
        ).fetchone()
        start = int(row[0][1:]) + 1 if row and row[0] else 800000000
        customers = []
        with store.transaction():
            for n in range(start, start + count):
                c = Customer(
                    customer_number=f"N{n:09d}",
                    ocn_id=f"load{n}@ocn.ne.jp",
                    connection_id=f"ld{n}@one.ocn.ne.jp",
                    name="負荷 試験",
                    mobile=f"070{n % 10**8:08d}",
                    contact_mail=f"load{n}@example.jp",
                    postal_code="100-0001",
                    address_region="東京都千代田区",
                    address_line=f"千代田{n % 1000}-1",
                )
                add_customer(store, box, c, time.time())
                customers.append(c)
        return customers
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    made = seed_load_customers(args.db, args.count)
    print(f"added {len(made)} customers: {made[0].customer_number} .. {made[-1].customer_number}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
