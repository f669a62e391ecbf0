"""Load generator: realistic multi-turn Japanese conversations through the REST channel.

A bounded asyncio (aiohttp) client. Each of C workers plays whole conversations back to back, with
no think time (closed loop), until the level's time is up; every request has a timeout, every level
a conversation cap, so the run always ends. Conversation mix (default 70 % FAQ / 30 % procedure):

  FAQ:        「接続用IDを知りたい」→「いいえ」(declines the offered procedure)→「はい」(resolved)
              (or the OCN ID password / customer number questions)
  procedure:  「お客さま番号を知りたい」→「手続きをお願いします」→ customer number of a fresh
              load-test customer → the code read from the sandbox's /dev/outbox →「はい」

Procedure conversations need a fresh account each (the sandbox sends 3 codes per account and client per
hour, and a load run is one client):
they are seeded into the sandbox's SQLite file (deploy/seed.py), so the target's sandbox DB must be
on this machine (it is for `single` and `scaled`).

Targets:
  single   starts one Rasa + one action server + sandbox (devstack, SQLite, in-memory lock) on its
           own ports (RASA_PORT-style base 15100; never the lead's 5005/5055/5056) and stops them after
  scaled   the running scaled mode (`python -m deploy.scaled up ...`; state in var/scaled)

    .venv/bin/python benchmarks/load.py single --levels 1,5,10,20 --seconds 20
    .venv/bin/python benchmarks/load.py scaled --levels 1,5,10,20 --seconds 20
    .venv/bin/python benchmarks/load.py scaled --smoke   # 2 customers for 3 s: checks the script runs

--think T adds a customer's reading/typing time (uniform 0.5T..1.5T) before every turn (before the
first one it spreads the customers' arrivals): with T=0 the
level is a closed loop that measures saturation throughput; with T>0 it measures latency at a
realistic offered load (10 conversations with T=1 s offer about 10 messages/s).

Prints, per level: conversations, messages/s, p50/p95/p99 per turn type, errors (non-200, empty or
unexpected reply, timeout, rate-limited).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CODE_RE = re.compile(r"確認コード: (\d{6})")
FAQ_SCRIPTS = [
    ["接続用IDを知りたい", "いいえ", "はい"],
    ["OCN IDのパスワードを忘れました", "いいえ", "はい"],
    ["お客さま番号を知りたい", "いいえ", "はい"],
]
TURN_TYPES = ["faq", "faq_followup", "proc_start", "proc_id", "proc_code", "proc_confirm"]


# -- targets ------------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    rasa_url: str
    sandbox_url: str
    sandbox_token: str
    sandbox_db: Path
    rasa_pids: list[int]
    stop: Callable[[], None] = lambda: None
    action_pids: list[int] = field(default_factory=list)


def single_target(base_port: int = 15100, var_dir: Path | None = None) -> Target:
    from devstack.config import Ports, service_env
    from devstack.model import latest_model
    from devstack.services import Stack, product_services

    var = var_dir or ROOT / "var" / "bench-single"
    var.mkdir(parents=True, exist_ok=True)
    # All five on our own ports: the console's default (5057) may belong to someone else's stack.
    ports = Ports(
        rasa=base_port, actions=base_port + 1, account_api=base_port + 2, web=base_port + 3, console=base_port + 4
    )
    env = service_env(
        ports,
        base={
            k: v
            for k, v in os.environ.items()
            if k
            not in ("ACTION_ENDPOINT_URL", "TRACKER_STORE_URL", "LOCK_STORE_TYPE", "ACCOUNT_API_URL", "ACCOUNT_API_DB")
        },
        var_dir=var,
    )
    model = latest_model()
    assert model, "no trained model: make train"
    stack = Stack(product_services(ports, model, web=False), env, var / "logs")
    print(f"Starting a single instance on ports {base_port}-{base_port + 4} (SQLite, in-memory lock)...", flush=True)
    stack.start()
    pids = {s.name: s.process.pid for s in stack.started if s.process}
    return Target(
        "single",
        f"http://127.0.0.1:{ports.rasa}",
        f"http://127.0.0.1:{ports.account_api}",
        env["ACCOUNT_API_TOKEN"],
        Path(env["ACCOUNT_API_DB"]),
        [pids["rasa"]],
        stack.stop,
        [pids["actions"]],
    )


def scaled_target() -> Target:
    from deploy.scaled import ScaledStack
    from deploy.settings import load

    probe = ScaledStack(load())
    stack = ScaledStack(load(base_port=probe.layout().get("base_port")))
    if not stack.managed("nginx").running():
        raise SystemExit("the scaled mode is not up: .venv/bin/python -m deploy.scaled up --rasa 2 --actions 1")
    pids = [m.pid() for m in stack.all_parts() if m.name.startswith("rasa-") and m.pid()]
    return Target("scaled", stack.s.rasa_url, stack.s.sandbox_url, stack.s.sandbox_token, stack.s.sandbox_db, pids)  # type: ignore[arg-type]


class CustomerPool:
    """Fresh load-test accounts, seeded in batches into the sandbox DB (one per procedure)."""

    def __init__(self, db: Path, batch: int = 100) -> None:
        self.db, self.batch = db, batch
        self.free: list[Any] = []

    def take(self) -> Any:
        if not self.free:
            from deploy.seed import seed_load_customers

            self.free = seed_load_customers(self.db, self.batch)
        return self.free.pop(0)


# -- one conversation ---------------------------------------------------------------------------------


@dataclass
class Turn:
    kind: str
    text: str
    seconds: float
    ok: bool
    status: int
    error: str = ""
    attempts: int = 1
    replies: list[str] = field(default_factory=list)
    started: float = 0.0


async def post(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float
) -> tuple[int, list[dict[str, Any]], dict[str, str], str]:
    try:
        async with session.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as r:
            raw = await r.text()
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
            return r.status, data if isinstance(data, list) else [], dict(r.headers), ""
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return 0, [], {}, type(error).__name__


@dataclass
class Conversation:
    session: aiohttp.ClientSession
    target: Target
    timeout: float = 30.0
    retries: int = 0  # resend a failed message (as a customer would) this many times
    retry_delay: float = 1.0
    think: float = 0.0  # mean seconds a customer takes to read and type before the next message
    rng: random.Random = field(default_factory=random.Random)
    sender: str = field(default_factory=lambda: f"load-{uuid.uuid4().hex[:12]}")
    turns: list[Turn] = field(default_factory=list)

    async def turn(self, kind: str, text: str, expect: str | None = None) -> Turn:
        if self.think:
            # Also before the first message: customers arrive spread out, not all at t=0.
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.think)
        start_wall = time.time()
        start = time.perf_counter()
        attempts = 0
        while True:
            attempts += 1
            status, messages, headers, error = await post(
                self.session, self.target.rasa_url, self.sender, text, self.timeout
            )
            texts = [m.get("text") or "" for m in messages if isinstance(m, dict)]
            if status == 200 and not error:
                if not messages:
                    error = "empty reply"
                elif headers.get("X-Chat-Limit"):
                    error = f"limited:{headers['X-Chat-Limit']}"
                elif any("申し訳ありません" in t and "ただいま" in t for t in texts):
                    error = "apology"  # action server or account API unreachable
                elif expect and not any(expect in t for t in texts):
                    error = "unexpected reply"
            elif not error:
                error = f"HTTP {status}"
            if not error or attempts > self.retries:
                break
            await asyncio.sleep(self.retry_delay)
        t = Turn(kind, text, time.perf_counter() - start, not error, status, error, attempts, texts, start_wall)
        self.turns.append(t)
        return t

    async def faq(self, script: list[str]) -> bool:
        for i, text in enumerate(script):
            if not (await self.turn("faq" if i == 0 else "faq_followup", text)).ok:
                return False
        return True

    async def procedure(self, pool: CustomerPool) -> bool:
        customer = pool.take()
        steps = [
            ("faq", "お客さま番号を知りたい", "お手続き"),
            ("proc_start", "手続きをお願いします", "お客さま番号"),
            ("proc_id", customer.customer_number, "確認コード"),
        ]
        for kind, text, expect in steps:
            if not (await self.turn(kind, text, expect)).ok:
                return False
        code = await self.read_code(customer.mobile)
        if code is None:
            self.turns.append(Turn("proc_code", "(no code in outbox)", 0.0, False, 0, "no code"))
            return False
        if not (await self.turn("proc_code", code, "ご本人確認ができました")).ok:
            return False
        return (await self.turn("proc_confirm", "はい", "N8")).ok

    async def read_code(self, to: str) -> str | None:
        for _ in range(20):
            try:
                async with self.session.get(
                    f"{self.target.sandbox_url}/dev/outbox",
                    params={"to": to, "last": "3"},
                    headers={"X-Service-Token": self.target.sandbox_token},
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as r:
                    if r.status == 404:  # dev endpoints off (the scaled mode): read the sandbox's own file
                        code = code_from_sandbox_db(self.target.sandbox_db, to)
                        if code:
                            return code
                    elif r.status == 200:
                        found = [
                            CODE_RE.search(m["body"])
                            for m in (await r.json())["messages"]
                            if m["kind"] == "verification_code"
                        ]
                        found = [f for f in found if f]
                        if found:
                            return found[-1].group(1)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.25)
        return None


def code_from_sandbox_db(db: Path, to: str) -> str | None:
    """The newest code sent to `to`, read from the sandbox's database with its key, as an operator's
    `python -m account_api outbox` does: the scaled sandbox has no /dev endpoints (deploy/README.md)."""
    from account_api.identifiers import normalize_destination
    from account_api.outbox import outbox_entry
    from account_api.security import SecretBox
    from account_api.store import Store
    from deploy.seed import sandbox_key

    store = Store(db)
    try:
        box = SecretBox(sandbox_key(db))
        messages = [outbox_entry(row, box) for row in store.outbox.latest(normalize_destination(to), 3)]
    finally:
        store.close()
    found = [CODE_RE.search(m["body"]) for m in messages if m["kind"] == "verification_code"]
    found = [f for f in found if f]
    return found[-1].group(1) if found else None


# -- a level --------------------------------------------------------------------------------------------


@dataclass
class LevelResult:
    concurrency: int
    seconds: float
    conversations: int
    turns: list[Turn]

    @property
    def errors(self) -> int:
        return sum(1 for t in self.turns if not t.ok)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 1),
            "conversations": self.conversations,
            "messages": len(self.turns),
            "messages_per_s": round(len(self.turns) / self.seconds, 1),
            "errors": self.errors,
            "error_kinds": dict(Counter(t.error for t in self.turns if not t.ok)),
        }
        by_kind = defaultdict(list)
        for t in self.turns:
            if t.ok:
                by_kind[t.kind].append(t.seconds * 1000)
        for kind in TURN_TYPES:
            if by_kind.get(kind):
                out[kind] = pct(by_kind[kind])
        return out


def pct(values: list[float]) -> dict[str, float]:
    v = sorted(values)

    def q(p: float) -> float:
        return round(v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))], 1)

    return {"n": len(v), "p50": q(50), "p95": q(95), "p99": q(99), "max": round(v[-1], 1)}


async def run_level(
    target: Target,
    pool: CustomerPool,
    concurrency: int,
    seconds: float,
    procedure_share: float,
    max_conversations: int,
    seed: int = 1,
    think: float = 0.0,
) -> LevelResult:
    rng = random.Random(seed * 1000 + concurrency)
    turns: list[Turn] = []
    started = 0
    stop_at = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal started
            while time.monotonic() < stop_at and started < max_conversations:
                started += 1
                conv = Conversation(session, target, think=think, rng=rng)
                if rng.random() < procedure_share:
                    await conv.procedure(pool)
                else:
                    await conv.faq(rng.choice(FAQ_SCRIPTS))
                turns.extend(conv.turns)

        t0 = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), timeout=seconds + 120)
        elapsed = time.perf_counter() - t0
    return LevelResult(concurrency, elapsed, started, turns)


def print_level(s: dict[str, Any]) -> None:
    print(
        f"\nconcurrency {s['concurrency']:>3}: {s['conversations']} conversations, {s['messages']} messages in "
        f"{s['seconds']} s = {s['messages_per_s']} msg/s, errors {s['errors']} {s['error_kinds'] or ''}"
    )
    if "rasa_cpu_ms_per_message" in s:
        print(f"  Rasa CPU per message: {s['rasa_cpu_ms_per_message']} ms (all Rasa processes, user+system)")
    print(f"  {'turn':<13}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind in TURN_TYPES:
        if kind in s:
            k = s[kind]
            print(f"  {kind:<13}{k['n']:>6}{k['p50']:>9}{k['p95']:>9}{k['p99']:>9}{k['max']:>9}")


def cpu_seconds(pids: list[int]) -> float:
    """user+system CPU time of the processes (from /proc/PID/stat), in seconds."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def reference_cpu_ms(rounds: int = 5) -> float:
    """CPU time of a fixed pure-Python loop (median of `rounds`), measured next to a benchmark: on this
    shared VM the same work costs more CPU time when the host is busy (the CPU per turn of the same code
    moved by 2x between sessions), so CPU figures are comparable only with a similar reference."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        counts: dict[int, str] = {}
        for i in range(300_000):
            counts[i % 1000] = str(i)
        times.append((time.process_time() - start) * 1000)
    return sorted(times)[rounds // 2]


def rss_mb(pids: list[int]) -> list[float]:
    out = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=["single", "scaled"])
    parser.add_argument("--levels", default="1,5,10,20", help="concurrent conversations per level")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each level")
    parser.add_argument("--procedure-share", type=float, default=0.3)
    parser.add_argument("--max-conversations", type=int, default=5000, help="cap per level")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean think time between a customer's turns in s (0: closed loop, saturation)",
    )
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring")
    parser.add_argument("--base-port", type=int, default=15100, help="single: first of 5 ports")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--smoke", action="store_true", help="one level of 2 customers for 3 s: checks it runs")
    args = parser.parse_args()
    if args.smoke:
        args.levels, args.seconds, args.warmup, args.max_conversations = "2", 3.0, 0.0, 10
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    if not levels or min(levels) < 1 or max(levels) > 200:
        parser.error("levels must be between 1 and 200")
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")

    target = single_target(args.base_port) if args.target == "single" else scaled_target()
    results = []
    try:
        pool = CustomerPool(target.sandbox_db)
        if args.warmup:
            asyncio.run(run_level(target, pool, 2, args.warmup, args.procedure_share, 100))
        for level in levels:
            cpu0 = cpu_seconds(target.rasa_pids)
            r = asyncio.run(
                run_level(
                    target, pool, level, args.seconds, args.procedure_share, args.max_conversations, think=args.think
                )
            )
            s = r.summary()
            if target.rasa_pids and r.turns:
                s["rasa_cpu_ms_per_message"] = round((cpu_seconds(target.rasa_pids) - cpu0) * 1000 / len(r.turns), 1)
            results.append(s)
            print_level(s)
        rss = rss_mb(target.rasa_pids)
        print(f"\nRasa server RSS after load: {', '.join(f'{x:.0f} MB' for x in rss)}")
    finally:
        target.stop()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"target": target.name, "levels": results}, ensure_ascii=False, indent=1))
    return 0 if all(s["errors"] == 0 for s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
