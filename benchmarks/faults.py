"""Fault runs under load in the scaled mode, each checked in PostgreSQL afterwards.

Needs the scaled mode up with at least 2 Rasa servers:
    .venv/bin/python -m deploy.scaled up --rasa 2 --actions 2
    .venv/bin/python benchmarks/faults.py                      # all four faults
    .venv/bin/python benchmarks/faults.py --only rasa,redis --seconds 20 --concurrency 6
    .venv/bin/python benchmarks/faults.py --smoke   # each fault once, 2 customers for 6 s: checks it runs

Each scenario: C customers play load.py's conversations (think time 0.3 s; a customer whose
message fails re-sends it after 1 s, at most twice). At t=5 s the fault is injected:
  rasa      SIGKILL one Rasa server, restart it after 3 s
  actions   SIGKILL action server 0, restart it after 3 s (with M=2 nginx moves to the other)
  postgres  restart PostgreSQL (pg_ctl stop -m fast; start)
  redis     restart Redis (lock store and rate-limit counters are lost)
Afterwards every conversation must continue (one more message each gets a proper answer) and every
message a customer got an answer to must be in PostgreSQL exactly once; messages whose attempt
failed are reported if they were stored anyway (the customer's re-send then makes a duplicate).

`lock-race` (separate): pairs of simultaneous messages of one conversation on two instances,
counting lost/duplicated/overlapping turns in PostgreSQL — run it against the stock RedisLockStore
and ours (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import FAQ_SCRIPTS, Conversation, CustomerPool, Target, pct  # noqa: E402

from deploy.scaled import ScaledStack  # noqa: E402
from deploy.settings import load as load_settings  # noqa: E402

CODE_MASK = "[確認コード]"


def stack() -> ScaledStack:
    st = ScaledStack(load_settings(base_port=ScaledStack(load_settings()).layout().get("base_port")))
    if not st.managed("nginx").running():
        raise SystemExit("the scaled mode is not up: .venv/bin/python -m deploy.scaled up --rasa 2 --actions 2")
    return st


def target_of(st: ScaledStack) -> Target:
    return Target("scaled", st.s.rasa_url, st.s.sandbox_url, st.s.sandbox_token, st.s.sandbox_db, [])


async def inject(st: ScaledStack, fault: str, log: list[str]) -> None:
    loop = asyncio.get_running_loop()

    def run(fn: Any, *a: Any) -> Any:
        return loop.run_in_executor(None, fn, *a)

    t0 = time.monotonic()
    if fault == "rasa":
        await run(st.managed("rasa-0").kill)
        log.append("rasa-0 SIGKILL")
        await asyncio.sleep(3)
        await run(st.parts.start_rasa, 0)
        await run(st.parts.wait_rasa, 0)
    elif fault == "actions":
        await run(st.managed("actions-0").kill)
        log.append("actions-0 SIGKILL")
        await asyncio.sleep(3)
        await run(st.parts.start_actions, 0)
        await run(st.parts.wait_actions, 0)
    elif fault == "postgres":
        await run(st.pg.restart)
    elif fault == "redis":
        await run(st.managed("redis").stop)
        log.append("redis stopped")
        await asyncio.sleep(1)
        await run(st.parts.start_redis)
    log.append(f"{fault} back after {time.monotonic() - t0:.1f} s")


async def scenario(st: ScaledStack, fault: str, seconds: float, concurrency: int) -> dict[str, Any]:
    target = target_of(st)
    pool = CustomerPool(target.sandbox_db)
    convs: list[Conversation] = []
    log: list[str] = []
    stop_at = time.monotonic() + seconds
    fault_at = time.time() + 5
    async with aiohttp.ClientSession() as session:

        async def worker(w: int) -> None:
            i = 0
            while time.monotonic() < stop_at and i < 500:
                c = Conversation(session, target, retries=2, retry_delay=1.0, think=0.3, timeout=20)
                convs.append(c)
                if (w + i) % 3 == 0:
                    await c.procedure(pool)
                else:
                    await c.faq(FAQ_SCRIPTS[(w + i) % len(FAQ_SCRIPTS)])
                i += 1

        async def fault_task() -> None:
            await asyncio.sleep(5)
            await inject(st, fault, log)

        await asyncio.wait_for(
            asyncio.gather(fault_task(), *(worker(w) for w in range(concurrency))), timeout=seconds + 180
        )
        # every conversation continues
        cont = await asyncio.gather(*(c.turn("continue", "ありがとう") for c in convs))
    await asyncio.sleep(0.5)
    turns = [t for c in convs for t in c.turns]
    lost = extra = 0
    details = []
    with st.pg_connect() as conn, conn.cursor() as cur:
        for c in convs:
            cur.execute(
                "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id", (f"rest:{c.sender}",)
            )
            stored = Counter(json.loads(d)["text"] for (d,) in cur.fetchall())
            expected = Counter(CODE_MASK if t.kind == "proc_code" else t.text for t in c.turns if t.ok)
            missing, more = expected - stored, stored - expected
            lost += sum(missing.values())
            extra += sum(more.values())
            if missing or more:
                details.append({"sender": c.sender, "lost": dict(missing), "extra": dict(more)})
    before = [t.seconds * 1000 for t in turns if t.ok and t.started < fault_at and t.kind != "continue"]
    after = [t.seconds * 1000 for t in turns if t.ok and t.started >= fault_at and t.kind != "continue"]
    failed_attempts = sum(t.attempts - 1 + (not t.ok) for t in turns)
    return {
        "fault": fault,
        "log": log,
        "conversations": len(convs),
        "messages": len(turns),
        "customer_saw_errors": failed_attempts,
        "error_kinds": dict(Counter(t.error for t in turns if not t.ok)),
        "turns_needing_resend": sum(t.attempts > 1 for t in turns),
        "turns_failed_after_resends": sum(not t.ok for t in turns),
        "continued": sum(t.ok for t in cont),
        "not_continued": sum(not t.ok for t in cont),
        "latency_before_ms": pct(before) if before else None,
        "latency_from_fault_ms": pct(after) if after else None,
        "lost_in_db": lost,
        "extra_in_db": extra,
        "details": details[:5],
    }


async def lock_race(st: ScaledStack, conversations: int, rounds: int) -> dict[str, Any]:
    texts = [
        "こんにちは",
        "接続用IDを知りたい",
        "いいえ",
        "OCN IDを忘れました",
        "ありがとう",
        "お客さま番号とは",
        "はい",
        "さようなら",
    ]
    urls = st.rasa_urls()[:2]
    target_a = Target("a", urls[0], st.s.sandbox_url, "", st.s.sandbox_db, [])
    target_b = Target("b", urls[1], st.s.sandbox_url, "", st.s.sandbox_db, [])
    senders, bad_http = [], 0
    async with aiohttp.ClientSession() as session:

        async def pairs(sender: str) -> list[Any]:
            ca = Conversation(session, target_a, sender=sender)
            cb = Conversation(session, target_b, sender=sender)
            tasks = []
            for r in range(len(texts) // 2):
                tasks += [
                    asyncio.create_task(ca.turn("a", texts[2 * r])),
                    asyncio.create_task(cb.turn("b", texts[2 * r + 1])),
                ]
                await asyncio.sleep(0.08)
            return await asyncio.gather(*tasks)

        for _ in range(rounds):
            batch = [f"race-{uuid.uuid4().hex[:10]}" for _ in range(conversations)]
            results = await asyncio.wait_for(asyncio.gather(*(pairs(s) for s in batch)), 120)
            bad_http += sum(1 for rs in results for t in rs if t.status != 200 or not t.replies)
            senders += batch
    lost = dup = overlapping = conv_bad = 0
    with st.pg_connect() as conn, conn.cursor() as cur:
        for s in senders:
            cur.execute(
                "SELECT type_name, action_name, data FROM events WHERE sender_id = %s ORDER BY id", (f"rest:{s}",)
            )
            rows = cur.fetchall()
            stored = Counter(json.loads(d)["text"] for t, _, d in rows if t == "user")
            missing, more = Counter(texts) - stored, stored - Counter(texts)
            lost += sum(missing.values())
            dup += sum(more.values())
            open_turn, over = False, 0
            for t, a, _ in rows:
                if t == "user":
                    over += open_turn
                    open_turn = True
                elif t == "action" and a == "action_listen":
                    open_turn = False
            overlapping += over
            conv_bad += bool(missing or more or over)
    pid = st.managed("rasa-0").pid()
    try:  # what the running servers use (they may have been started with SCALED_LOCK_STORE_TYPE)
        environ = dict(
            x.split("=", 1) for x in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if "=" in x
        )
        lock_store = environ.get("LOCK_STORE_TYPE", "?")
    except OSError:
        lock_store = st.env("rasa")["LOCK_STORE_TYPE"]
    return {
        "lock_store": lock_store,
        "conversations": len(senders),
        "messages": len(senders) * len(texts),
        "empty_or_failed_http": bad_http,
        "lost": lost,
        "duplicated": dup,
        "overlapping_turns": overlapping,
        "conversations_affected": conv_bad,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", default="faults", choices=["faults", "lock-race"])
    parser.add_argument("--only", default="rasa,actions,postgres,redis")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5, help="lock-race: rounds of 10 conversations")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--smoke", action="store_true", help="each fault, 2 customers, 6 s: checks the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.concurrency, args.rounds = 6.0, 2, 1
    if not (5 < args.seconds <= 300 and 1 <= args.concurrency <= 50 and 1 <= args.rounds <= 50):
        parser.error("--seconds in (5, 300], --concurrency in 1..50, --rounds in 1..50")
    st = stack()
    if len(st.rasa_urls()) < 2:
        raise SystemExit("needs the scaled mode with --rasa 2 or more")
    if args.mode == "lock-race":
        r = asyncio.run(lock_race(st, 10, args.rounds))
        print(json.dumps(r, ensure_ascii=False, indent=1))
        return 0 if not (r["lost"] or r["duplicated"] or r["overlapping_turns"]) else 1
    results = []
    for fault in [f.strip() for f in args.only.split(",") if f.strip()]:
        print(f"\n== {fault} ==", flush=True)
        r = asyncio.run(scenario(st, fault, args.seconds, args.concurrency))
        results.append(r)
        print(json.dumps(r, ensure_ascii=False, indent=1), flush=True)
        time.sleep(2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print("\nfault      conv  msgs  errors seen  resent  failed  continued  lost  extra  p95 before/after ms")
    for r in results:
        b, a = r["latency_before_ms"] or {}, r["latency_from_fault_ms"] or {}
        print(
            f"{r['fault']:<10}{r['conversations']:>5}{r['messages']:>6}{r['customer_saw_errors']:>13}"
            f"{r['turns_needing_resend']:>8}{r['turns_failed_after_resends']:>8}"
            f"{r['continued']:>6}/{r['continued'] + r['not_continued']:<5}{r['lost_in_db']:>5}{r['extra_in_db']:>7}"
            f"   {b.get('p95', '-')}/{a.get('p95', '-')} (max {a.get('max', '-')})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
