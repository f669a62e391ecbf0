"""REST round trip of single turns, one conversation at a time (no concurrency).

FAQ turns: the FAQ conversations of load.py one after another (question → 「いいえ」 → 「はい」;
goal p95 < 50 ms).
Procedure turn: each turn of a verified procedure — start, customer number (the action calls the
sandbox, which sends a code), code, confirm (goal p95 < 200 ms).

    .venv/bin/python benchmarks/rest_latency.py                 # starts its own single instance (ports 15200-15204)
    .venv/bin/python benchmarks/rest_latency.py scaled          # the running scaled mode (through nginx)
    .venv/bin/python benchmarks/rest_latency.py http://127.0.0.1:5005 --sandbox-url http://127.0.0.1:5056 \\
        --sandbox-db var/account_api.sqlite3                   # any running stack on this machine
    .venv/bin/python benchmarks/rest_latency.py scaled --smoke  # a few turns: checks the script runs
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import (  # noqa: E402
    FAQ_SCRIPTS,
    ROOT,
    Conversation,
    CustomerPool,
    Target,
    cpu_seconds,
    pct,
    reference_cpu_ms,
    rss_mb,
    scaled_target,
    single_target,
)


async def measure(target: Target, faq_turns: int, procedures: int) -> dict:
    pool = CustomerPool(target.sandbox_db, batch=max(procedures, 1))
    async with aiohttp.ClientSession() as session:
        warm = Conversation(session, target)
        await warm.faq(["接続用IDを知りたい", "いいえ", "はい"])
        # CPU time of the servers over the FAQ turns only: unlike wall-clock it hardly depends on
        # what else runs on the machine.
        cpu0 = (cpu_seconds(target.rasa_pids), cpu_seconds(target.action_pids))
        faq_convs = []
        i = 0
        while sum(len(c.turns) for c in faq_convs) < faq_turns:
            c = Conversation(session, target)
            await c.faq(FAQ_SCRIPTS[i % len(FAQ_SCRIPTS)])
            faq_convs.append(c)
            i += 1
        cpu1 = (cpu_seconds(target.rasa_pids), cpu_seconds(target.action_pids))
        proc = []
        for _ in range(procedures):
            c = Conversation(session, target)
            await c.procedure(pool)
            proc.append(c)
    all_faq = [t for c in faq_convs for t in c.turns]
    faq_ok = [t.seconds * 1000 for t in all_faq if t.ok]
    proc_turns = [t for c in proc for t in c.turns if t.kind.startswith("proc_")]
    faq_n = max(len(all_faq), 1)
    return {
        "faq_cpu_ms": {
            "rasa": (cpu1[0] - cpu0[0]) * 1000 / faq_n if target.rasa_pids else None,
            "actions": (cpu1[1] - cpu0[1]) * 1000 / faq_n if target.action_pids else None,
        },
        "faq": pct(faq_ok) if faq_ok else None,
        "procedure": pct([t.seconds * 1000 for t in proc_turns if t.ok]) if proc_turns else None,
        "errors": sum(not t.ok for t in all_faq + proc_turns),
        "faq_first": pct([t.seconds * 1000 for t in all_faq if t.ok and t.kind == "faq"]),
        "faq_followup": pct([t.seconds * 1000 for t in all_faq if t.ok and t.kind == "faq_followup"]),
        "by_step": {
            k: pct([t.seconds * 1000 for t in proc_turns if t.kind == k and t.ok])
            for k in ("proc_start", "proc_id", "proc_code", "proc_confirm")
            if any(t.kind == k and t.ok for t in proc_turns)
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", default="single", help="single | scaled | a Rasa base URL")
    parser.add_argument("--faq-turns", type=int, default=200)
    parser.add_argument("--procedures", type=int, default=30)
    parser.add_argument("--sandbox-url", default="http://127.0.0.1:5056")
    parser.add_argument("--sandbox-token", default=os.environ.get("ACCOUNT_API_TOKEN") or "dev-service-token")
    parser.add_argument("--sandbox-db", type=Path, default=ROOT / "var" / "account_api.sqlite3")
    parser.add_argument("--base-port", type=int, default=15200, help="single: first of 5 ports")
    parser.add_argument("--smoke", action="store_true", help="6 FAQ turns and 1 procedure: checks the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.faq_turns, args.procedures = 6, 1
    if not (0 < args.faq_turns <= 5000 and 0 <= args.procedures <= 500):
        parser.error("--faq-turns in 1..5000, --procedures in 0..500")
    if args.target == "single":
        target = single_target(args.base_port, ROOT / "var" / "bench-latency")
    elif args.target == "scaled":
        target = scaled_target()
    else:
        target = Target("url", args.target.rstrip("/"), args.sandbox_url, args.sandbox_token, args.sandbox_db, [])
    try:
        r = asyncio.run(asyncio.wait_for(measure(target, args.faq_turns, args.procedures), timeout=900))
        rss = rss_mb(target.rasa_pids)  # before the stack stops (issue 8: Rasa RSS < 1.2 GB)
        reference = reference_cpu_ms()
    finally:
        target.stop()
    f, p = r["faq"], r["procedure"]
    print(f"target {target.name} ({target.rasa_url}), one conversation at a time")
    if f:
        print(
            f"FAQ turn        n={f['n']:>4}  p50 {f['p50']:6.1f} ms  p95 {f['p95']:6.1f} ms  p99 {f['p99']:6.1f} ms"
            f"   goal p95 < 50 ms: {'met' if f['p95'] < 50 else 'NOT met'}"
        )
        for k, label in (("faq_first", "question"), ("faq_followup", "follow-up")):
            print(f"  {label:<13} n={r[k]['n']:>4}  p50 {r[k]['p50']:6.1f} ms  p95 {r[k]['p95']:6.1f} ms")
        cpu = r["faq_cpu_ms"]
        for name in ("rasa", "actions"):
            if cpu[name] is not None:
                print(f"  CPU per FAQ turn, {name + ' server':<15} {cpu[name]:6.1f} ms (user+system, /proc/PID/stat)")
    if p:
        print(
            f"procedure turn  n={p['n']:>4}  p50 {p['p50']:6.1f} ms  p95 {p['p95']:6.1f} ms  p99 {p['p99']:6.1f} ms"
            f"   goal p95 < 200 ms: {'met' if p['p95'] < 200 else 'NOT met'}"
        )
        for step, s in r["by_step"].items():
            print(f"  {step:<13} n={s['n']:>4}  p50 {s['p50']:6.1f} ms  p95 {s['p95']:6.1f} ms")
    print(f"errors: {r['errors']}")
    if rss:
        print(
            "Rasa server RSS after the run: "
            + ", ".join(f"{x:.0f} MB" for x in rss)
            + "   goal < 1.2 GB: "
            + ("met" if max(rss) < 1200 else "NOT met")
        )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"machine reference: a fixed Python loop took {reference:.0f} ms CPU (compare CPU figures only at a similar value)"
    )
    return 0 if r["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
