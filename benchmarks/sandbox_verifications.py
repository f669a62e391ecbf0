"""How many verifications (code sent + code confirmed) per second the account sandbox handles.

Starts its own sandbox (`python -m account_api serve`, temp SQLite DB, free loopback port), seeds
one customer per verification so the 3-codes-per-hour limit is never the bottleneck, then runs
start+confirm pairs through the bot's AccountClient from a few threads for a few seconds. The code
is read from the outbox table directly, so only the two API calls are measured.

    .venv/bin/python benchmarks/sandbox_verifications.py [--seconds 5] [--threads 4] [--max-pairs 5000]
    .venv/bin/python benchmarks/sandbox_verifications.py --smoke   # 1 s, 20 pairs: checks it runs
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from account_api.outbox import outbox_entry  # noqa: E402
from account_api.security import SecretBox  # noqa: E402
from account_api.seed import add_customer  # noqa: E402
from account_api.settings import DEV_ENCRYPTION_KEY  # noqa: E402
from account_api.store import Customer, Store  # noqa: E402
from actions.account_client import AccountClient  # noqa: E402
from devstack.ports import free_port  # noqa: E402
from devstack.processes import start_and_wait  # noqa: E402

TOKEN = "bench-token"
PEPPER = "bench-pepper"
CODE_RE = re.compile(r"確認コード: (\d{6})")


def seed(db_path: Path, count: int) -> list[Customer]:
    store = Store(db_path)
    store.create_schema()
    customers = [
        Customer(
            customer_number=f"N8{i:08d}",
            ocn_id=f"bench{i}@ocn.ne.jp",
            connection_id=f"b{i}@one.ocn.ne.jp",
            name="ベンチ",
            mobile=f"080{i:08d}",
            contact_mail=f"bench{i}@example.jp",
            postal_code="100-0001",
            address_region="東京都千代田区",
            address_line="1-1",
        )
        for i in range(count)
    ]
    box = SecretBox(DEV_ENCRYPTION_KEY)
    with store.transaction():
        for c in customers:
            add_customer(store, box, c, time.time())
    store.close()
    return customers


def start_server(db_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(
        os.environ,
        ACCOUNT_API_DB=str(db_path),
        ACCOUNT_API_PORT=str(port),
        ACCOUNT_API_TOKEN=TOKEN,
        ACCOUNT_API_PEPPER=PEPPER,
        ACCOUNT_API_DEV_ENDPOINTS="1",
        ACCOUNT_API_ENCRYPTION_KEY=DEV_ENCRYPTION_KEY,
        PYTHONPATH=str(ROOT),
    )
    url = f"http://127.0.0.1:{port}"
    proc = start_and_wait(
        [sys.executable, "-m", "account_api", "serve"], f"{url}/healthz", name="sandbox", timeout=20, env=env, cwd=ROOT
    )
    return proc, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-pairs", type=int, default=5000)
    parser.add_argument("--smoke", action="store_true", help="1 s, 2 threads, 20 pairs: checks the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.threads, args.max_pairs = 1.0, 2, 20

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        customers = iter(seed(db_path, args.max_pairs))
        take = threading.Lock()
        proc, url = start_server(db_path)
        start_ms: list[float] = []
        confirm_ms: list[float] = []
        failures: list[str] = []
        deadline = time.monotonic() + args.seconds

        def worker() -> None:
            client = AccountClient(url, TOKEN, retries=0)
            # bodies are encrypted at rest with the server's key (ACCOUNT_API_ENCRYPTION_KEY is not set for it)
            outbox, box = Store(db_path), SecretBox(DEV_ENCRYPTION_KEY)
            try:
                while time.monotonic() < deadline:
                    with take:
                        customer = next(customers, None)
                    if customer is None:
                        return
                    conv = uuid.uuid4().hex
                    t0 = time.perf_counter()
                    started = client.start_verification(conv, customer_number=customer.customer_number)
                    t1 = time.perf_counter()
                    [row] = outbox.outbox.latest(customer.mobile, 1)
                    code = CODE_RE.search(outbox_entry(row, box)["body"]).group(1)  # type: ignore[union-attr]
                    t2 = time.perf_counter()
                    client.confirm_verification(started.verification_id, conv, code)
                    t3 = time.perf_counter()
                    start_ms.append((t1 - t0) * 1000)
                    confirm_ms.append((t3 - t2) * 1000)
            except Exception as exc:  # report, don't hang the benchmark
                failures.append(repr(exc))
            finally:
                client.close()
                outbox.close()

        began = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        proc.terminate()
        proc.wait(10)

    pairs = len(confirm_ms)
    if failures:
        print(f"failures: {len(failures)} (first: {failures[0]})")

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values or [0.0])[0]

    print(f"{pairs} verifications (start + confirm) in {elapsed:.2f} s with {args.threads} threads")
    print(f"start   p50 {pct(start_ms, 50):.1f} ms  p95 {pct(start_ms, 95):.1f} ms")
    print(f"confirm p50 {pct(confirm_ms, 50):.1f} ms  p95 {pct(confirm_ms, 95):.1f} ms")
    print(f"verifications/second: {pairs / elapsed:.0f}")
    return 1 if failures or not pairs else 0


if __name__ == "__main__":
    sys.exit(main())
