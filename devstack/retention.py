"""`python -m devstack.retention [--every SECONDS]`: the data-lifecycle job as `make run` and the scaled
mode schedule it: at start, then every RETENTION_INTERVAL_SECONDS (default 3600), it runs
`python -m bot_server retention` (tracker and console stores, RETENTION_DAYS: bot_server/retention.py)
and `python -m account_api purge` (the sandbox's sent messages and verifications), each a process of
its own. A failed run is reported and tried again at the next interval; the loop itself never stops
the stack. Kubernetes runs the same bot_server command as a CronJob (deploy/kubernetes/values.yaml).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Mapping

from devstack.config import ROOT

DEFAULT_INTERVAL_SECONDS = 3600
JOBS = (("bot_server", "retention"), ("account_api", "purge"))
JOB_TIMEOUT_SECONDS = 30 * 60


def run_once(env: Mapping[str, str]) -> list[int]:
    """Runs every job once; their exit codes (a job that could not finish in time counts as failed)."""
    codes = []
    for module, command in JOBS:
        try:
            done = subprocess.run(
                [sys.executable, "-m", module, command], cwd=ROOT, env=dict(env), timeout=JOB_TIMEOUT_SECONDS
            )
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = -1
        if code != 0:
            print(f"retention: `python -m {module} {command}` failed ({code}); next try in one interval", flush=True)
        codes.append(code)
    return codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.retention", description=__doc__.split("\n")[0])
    default = float(os.environ.get("RETENTION_INTERVAL_SECONDS", "").strip() or DEFAULT_INTERVAL_SECONDS)
    parser.add_argument("--every", type=float, default=default, help="seconds between runs (default 3600)")
    parser.add_argument("--once", action="store_true", help="run the jobs once and exit with their status")
    args = parser.parse_args(argv)
    if args.once:
        return 0 if not any(run_once(os.environ)) else 1
    while True:
        run_once(os.environ)
        time.sleep(max(1.0, args.every))  # a schedule: nothing to wait for but the clock


if __name__ == "__main__":
    sys.exit(main())
