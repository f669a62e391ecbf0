"""Handoff latency: a customer's message to the operator's screen, and an operator's message to the
customer's widget (goal: p95 < 1 s on this machine).

Starts its own product stack on free ports (Rasa, actions, console, account sandbox), then:
the customer is a socket.io client (the widget's protocol) that asks for a person; the operator
signs in to the console, takes the conversation and keeps its live transcript open (the same
server-sent events stream the console page reads). Each message is timed from just before it is
sent until it is in the other side's hands. One message at a time; the per-conversation rate limit
is lifted for the run (a customer would not send 100 messages a minute).

    .venv/bin/python benchmarks/handoff_latency.py [--messages 50]
    .venv/bin/python benchmarks/handoff_latency.py --smoke   # 3 messages: checks the script runs
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "console"))
from console_support import PASSWORD, WidgetCustomer, add_operator  # noqa: E402

from tests.support.stack import start_stack  # noqa: E402

_SIGNIN = re.compile(r'name="csrf_token" value="([^"]*)"')
_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')


def _letters() -> str:
    """A unique tag without digits: digits could be redacted as a code or phone number on the way."""
    return uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))[:10]


def pct(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "max": ordered[-1]}


class OperatorScreen:
    """The console's side: a signed-in session and the live transcript stream."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url
        self.csrf = ""
        self.lines: asyncio.Queue[tuple[float, dict]] = asyncio.Queue()

    async def sign_in(self, username: str) -> None:
        async with self.http.get(f"{self.url}/signin") as page:
            token = _SIGNIN.search(await page.text()).group(1)
        form = {"username": username, "password": PASSWORD, "csrf_token": token, "next": "/queue"}
        async with self.http.post(f"{self.url}/signin", data=form) as page:
            self.csrf = _CSRF.search(await page.text()).group(1)

    async def post(self, path: str, body: dict | None = None) -> int:
        async with self.http.post(self.url + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}) as r:
            return r.status

    async def queue(self) -> list[dict]:
        async with self.http.get(f"{self.url}/api/queue") as r:
            return (await r.json())["queue"]

    async def follow(self, handoff_id: str) -> None:
        no_limit = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with self.http.get(f"{self.url}/handoffs/{handoff_id}/stream", timeout=no_limit) as stream:
            event = ""
            async for raw in stream.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "line":
                    self.lines.put_nowait((time.perf_counter(), json.loads(line[6:])))

    async def wait_line(self, text: str, timeout: float = 10) -> float:
        deadline = time.monotonic() + timeout
        while True:
            arrived, line = await asyncio.wait_for(self.lines.get(), max(0.01, deadline - time.monotonic()))
            if line["kind"] == "customer" and line["text"] == text:
                return arrived


async def measure(rasa_url: str, console_url: str, messages: int) -> dict[str, dict[str, float]]:
    customer = WidgetCustomer()
    await customer.connect(rasa_url)
    # unsafe=True: keep cookies from an IP-address host (the console on 127.0.0.1)
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30), cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as http:
        operator = OperatorScreen(http, console_url)
        await operator.sign_in("bench")
        await customer.say("担当者と話したい")
        await customer.wait_text("担当者におつなぎします")
        handoff_id = (await operator.queue())[0]["id"]
        assert await operator.post(f"/handoffs/{handoff_id}/take") == 200
        await customer.wait_text("担当者がチャットに参加しました")
        follower = asyncio.create_task(operator.follow(handoff_id))
        to_operator, to_customer = [], []
        began = time.perf_counter()
        for i in range(messages):
            text = f"お客さまのメッセージ {_letters()}"
            start = time.perf_counter()
            await customer.say(text)
            try:
                to_operator.append((await operator.wait_line(text)) - start)
            except asyncio.TimeoutError:
                raise SystemExit(
                    f"message {i} did not reach the operator screen ({time.perf_counter() - began:.0f} s in)"
                ) from None
            reply = f"担当者の返事 {_letters()}"
            start = time.perf_counter()
            assert await operator.post(f"/handoffs/{handoff_id}/messages", {"text": reply}) == 204
            to_customer.append((await customer.wait_text(reply)) - start)
        follower.cancel()
        await operator.post(f"/handoffs/{handoff_id}/handback", {"outcome": "resolved"})
    await customer.sio.disconnect()
    return {
        "customer -> operator screen (ms)": pct([s * 1000 for s in to_operator]),
        "operator -> customer widget (ms)": pct([s * 1000 for s in to_customer]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--smoke", action="store_true", help="3 messages each way: checks the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.messages = 3
    var_dir = Path(tempfile.mkdtemp(prefix="ocn-handoff-bench-"))
    print("Starting the stack...", flush=True)
    # The per-conversation rate limit (20/min) would hold back a benchmark's burst: measured here is
    # delivery, so it is lifted for this run only.
    stack = start_stack(var_dir, extra_env={"HANDOFF_HOURS": "00:00-24:00", "RATE_LIMIT_PER_MINUTE": "100000"})
    try:
        add_operator(stack.env, "bench")
        figures = asyncio.run(measure(stack.rasa_url, stack.console_url, args.messages))
    finally:
        stack.stop()
    for name, row in figures.items():
        print(f"{name:34s} n={row['n']:3.0f}  p50 {row['p50']:6.1f}  p95 {row['p95']:6.1f}  max {row['max']:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
