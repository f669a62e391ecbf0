"""The scaled mode end to end: start/stop, conversation ordering across two Rasa servers sharing
Redis + PostgreSQL, the per-sender rate limit and body limit, and redaction in PostgreSQL.

Tests run in file order against one stack (conftest.py); the last one stops it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

import aiohttp
import pytest
from conftest import SHELL_SECRET
from scaled_chat import N_RASA, ROOT, events, interleaved, latest_code, say, user_texts

from deploy.postgres import Postgres
from deploy.procs import alive
from deploy.seed import seed_load_customers

pytestmark = pytest.mark.scaled

TEXTS = [
    "こんにちは",
    "接続用IDを知りたい",
    "いいえ",
    "OCN IDを忘れました",
    "ありがとう",
    "お客さま番号とは",
    "はい",
    "さようなら",
]


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(coro)


def _with_token(url: str, scaled) -> urllib.request.Request:  # noqa: ANN001
    """The Rasa API token in its header (bot_server/api_token.py), never in the URL."""
    return urllib.request.Request(url, headers={"X-Rasa-Token": scaled.s.rasa_api_token})


def test_no_running_process_shows_a_secret_or_holds_one_it_does_not_need(scaled) -> None:  # noqa: ANN001
    s = scaled.s
    every_secret = [s.rasa_api_token, s.pg_password, s.pg_admin_password, s.console_pg_password, s.redis_password]
    every_secret += [s.sandbox_token, s.sandbox_pepper, s.sandbox_encryption_key, s.console_service_token]
    for part in scaled.all_parts():
        pid = part.pid()
        assert pid, part.name
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().decode(errors="replace")
        assert not [secret for secret in every_secret if secret in cmdline], part.name
    with open(f"/proc/{scaled.managed('actions-0').pid()}/environ", "rb") as f:
        actions_env = f.read().decode(errors="replace")
    assert s.rasa_api_token not in actions_env and s.redis_password not in actions_env
    assert s.sandbox_token in actions_env  # what it needs
    # PostgreSQL is not ours: it gets the basics of the shell, none of its tokens (security review 8, S3).
    postmaster = int((Postgres(s).data / "postmaster.pid").read_text().split()[0])
    with open(f"/proc/{postmaster}/environ", "rb") as f:
        postgres_env = f.read().decode(errors="replace")
    assert SHELL_SECRET not in postgres_env and s.rasa_api_token not in postgres_env
    # the sandbox hands out no codes over HTTP here; its state files are ours only
    with pytest.raises(urllib.error.HTTPError) as dev:
        urllib.request.urlopen(
            urllib.request.Request(f"{s.sandbox_url}/dev/outbox", headers={"X-Service-Token": s.sandbox_token}),
            timeout=5,
        )
    assert dev.value.code == 404
    for path in [s.sandbox_db, s.state_dir / "state.json", *s.log_dir.glob("*.log")]:
        assert os.stat(path).st_mode & 0o077 == 0, path


# -- start ----------------------------------------------------------------------------------------


def test_up_starts_every_part_behind_nginx(scaled) -> None:  # noqa: ANN001
    running = set(scaled.running_parts())
    assert {"postgres", "redis", "nginx", "sandbox", "actions-0", "rasa-0", "rasa-1"} <= running
    assert "Scaled mode is up" in scaled.up_output
    # Rasa's HTTP API needs the token on the instances, and nginx does not route it at all (deploy/nginx.py)
    for base in scaled.rasa_urls():
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{base}/status", timeout=5)
        assert denied.value.code == 401
        with urllib.request.urlopen(_with_token(f"{base}/status", scaled), timeout=5) as r:
            assert r.status == 200
    with pytest.raises(urllib.error.HTTPError) as hidden:
        urllib.request.urlopen(_with_token(f"{scaled.s.rasa_url}/status", scaled), timeout=5)
    assert hidden.value.code == 404
    # every part listens on loopback only
    ss = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
    for port in scaled.s.ports.by_part(N_RASA, 1):
        listeners = [line.split()[3] for line in ss.splitlines() if line.split()[3].endswith(f":{port}")]
        assert listeners and all(a.startswith("127.0.0.1:") for a in listeners), (port, listeners)
    # the Rasa servers use PostgreSQL and the Redis lock store
    env = scaled.env("rasa")
    assert env["TRACKER_STORE_URL"].startswith("postgresql://")
    assert env["LOCK_STORE_TYPE"] == "bot_server.lock_store.AtomicRedisLockStore"


def test_refuses_non_loopback_without_token(tmp_path) -> None:  # noqa: ANN001
    env = dict(os.environ, SCALED_STATE_DIR=str(tmp_path), SCALED_LISTEN_HOST="0.0.0.0", RASA_API_TOKEN="")
    r = subprocess.run(
        [sys.executable, "-m", "deploy.scaled", "up", "--rasa", "1", "--actions", "1", "--base-port", "29900"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert "RASA_API_TOKEN must be set" in r.stderr + r.stdout


# -- one conversation on two instances --------------------------------------------------------------


async def _paired(session, urls: list[str], sender: str) -> list:  # noqa: ANN001
    """Pairs of messages reach both instances at the same instant; pairs 80 ms apart; nobody waits."""
    tasks = []
    for r in range(len(TEXTS) // 2):
        tasks += [
            asyncio.create_task(say(session, urls[0], sender, TEXTS[2 * r])),
            asyncio.create_task(say(session, urls[1], sender, TEXTS[2 * r + 1])),
        ]
        await asyncio.sleep(0.08)
    return await asyncio.gather(*tasks)


async def _chained(session, urls: list[str], sender: str, redis_client) -> list:  # noqa: ANN001
    """Alternate instances; send the next message as soon as the previous one holds its ticket in
    the lock store (it is still being processed): the turns overlap, and the order is defined."""
    key = f"lock:rest:{sender}"  # the conversation of REST sender x is rest:x (channels/senders.py)

    def tickets() -> set:
        raw = redis_client.get(key)
        # by number: a ticket's expiry changes while it is kept alive (bot_server/lock_store.py)
        return {json.loads(t)["number"] for t in json.loads(raw)["tickets"]} if raw else set()

    tasks, overlaps = [], 0
    for i, text in enumerate(TEXTS):
        overlaps += bool(tasks) and not tasks[-1].done()
        before = tickets()
        task = asyncio.create_task(say(session, urls[i % 2], sender, text))
        tasks.append(task)
        deadline = time.monotonic() + 5
        while not task.done() and not (tickets() - before) and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
    replies = await asyncio.gather(*tasks)
    replies[0].overlaps = overlaps  # type: ignore[attr-defined]
    return replies


async def _two_instance_conversations(urls: list[str], redis_client) -> dict:  # noqa: ANN001
    plan = {}
    async with aiohttp.ClientSession() as session:
        # 1. stress: 8 conversations at once, each with simultaneous pairs on the two instances
        senders = [f"lock-pair-{uuid.uuid4().hex[:8]}" for _ in range(8)]
        results = await asyncio.wait_for(asyncio.gather(*(_paired(session, urls, s) for s in senders)), 120)
        plan.update(zip(senders, results, strict=False))
        # 2. order: 4 conversations at once, each message sent while the previous one is processed
        senders = [f"lock-seq-{uuid.uuid4().hex[:8]}" for _ in range(4)]
        results = await asyncio.wait_for(
            asyncio.gather(*(_chained(session, urls, s, redis_client) for s in senders)), 120
        )
        plan.update(zip(senders, results, strict=False))
    return plan


def test_messages_of_one_conversation_on_two_instances_are_all_processed_in_order(scaled) -> None:  # noqa: ANN001
    urls = scaled.rasa_urls()[:2]
    import redis

    client = redis.Redis(
        host="127.0.0.1",
        port=scaled.s.ports.redis,
        db=int(scaled.env("rasa")["LOCK_STORE_DB"]),
        password=scaled.s.redis_password,
    )
    plan = run(_two_instance_conversations(urls, client))
    overlaps = sum(rs[0].overlaps for s, rs in plan.items() if "-seq-" in s)
    assert overlaps >= len(TEXTS), f"only {overlaps} messages were sent while the previous one was processed"
    with scaled.pg_connect() as conn:
        for sender, replies in plan.items():
            assert all(r.status == 200 and r.messages for r in replies), (
                sender,
                [(r.status, r.error) for r in replies],
            )
            assert not any(r.headers.get("X-Chat-Limit") for r in replies)
            stored = user_texts(conn, sender)
            assert sorted(stored) == sorted(TEXTS), f"{sender}: lost or duplicated: {stored}"
            assert not interleaved(events(conn, sender)), f"{sender}: two messages processed at once"
            if "-seq-" in sender:
                assert stored == TEXTS, f"{sender}: out of order: {stored}"


# The lock-store race (RasaHQ/rasa#9213) is reproduced against a test-started Redis in tests/redis/.


# -- rate and body limits ---------------------------------------------------------------------------

FAQ = ["接続用IDを知りたい", "OCN IDを忘れました", "お客さま番号とは", "パスワードを変更したい"]


async def _latencies(session, url: str, sender: str, n: int) -> list[float]:  # noqa: ANN001
    out = []
    for i in range(n):
        r = await say(session, url, sender, FAQ[i % len(FAQ)])
        assert r.status == 200 and r.messages and not r.headers.get("X-Chat-Limit"), (r.status, r.texts, r.error)
        out.append(r.seconds)
    return out


async def _flood_scenario(url: str) -> dict:
    async with aiohttp.ClientSession() as session:
        await _latencies(session, url, f"warm-{uuid.uuid4().hex[:6]}", 4)
        baseline = await _latencies(session, url, f"calm-a-{uuid.uuid4().hex[:6]}", 8)
        flooder = f"flood-{uuid.uuid4().hex[:6]}"
        sem = asyncio.Semaphore(20)

        async def one(i: int):  # noqa: ANN202
            async with sem:
                return await say(session, url, flooder, f"こんにちは {i}")

        flood_task = asyncio.ensure_future(asyncio.gather(*(one(i) for i in range(300))))
        await asyncio.sleep(0.2)
        during = await _latencies(session, url, f"calm-b-{uuid.uuid4().hex[:6]}", 8)
        flood = await asyncio.wait_for(flood_task, timeout=120)
    return {"baseline": baseline, "during": during, "flood": flood, "flooder": flooder}


def test_flood_from_one_sender_is_limited_politely_and_does_not_slow_others(scaled) -> None:  # noqa: ANN001
    result = run(_flood_scenario(scaled.s.rasa_url))  # through nginx: the flood reaches both instances
    flood = result["flood"]
    assert all(r.status == 200 and r.messages for r in flood), {(r.status, r.error) for r in flood}
    limited = [r for r in flood if r.headers.get("X-Chat-Limit") == "rate"]
    processed = [r for r in flood if not r.headers.get("X-Chat-Limit")]
    assert len(processed) == 20, len(processed)  # the limit holds across both instances (Redis)
    assert all("少し時間をおいてから" in r.texts[0] and r.headers.get("Retry-After") for r in limited)
    with scaled.pg_connect() as conn:
        assert len(user_texts(conn, result["flooder"])) == 20
    base, during = statistics.median(result["baseline"]), statistics.median(result["during"])
    print(
        f"other sender: baseline median {base * 1000:.0f} ms, during flood {during * 1000:.0f} ms; "
        f"limited replies median {statistics.median(r.seconds for r in limited) * 1000:.1f} ms"
    )
    assert during < max(3 * base, base + 0.25), (result["baseline"], result["during"])


def test_a_stranger_cannot_take_the_rasa_servers_out_of_nginx_with_503s(scaled) -> None:  # noqa: ANN001
    """Security review 8, S1: nginx retried a 503 on the next server and so counted it as that server
    failing (max_fails=1, 3 s). The LINE webhook answers 503 while LINE is not configured, so a few
    anonymous requests a second took every Rasa server out and the health check and REST failed."""
    url = scaled.s.rasa_url
    answers = []
    for _ in range(20):
        line = urllib.request.Request(
            f"{url}/webhooks/line/webhook", b'{"events": []}', {"Content-Type": "application/json"}
        )
        try:
            urllib.request.urlopen(line, timeout=10)
        except urllib.error.HTTPError as refused:
            answers.append(refused.code)
        try:
            with urllib.request.urlopen(f"{url}/", timeout=10) as health:
                answers.append(health.status)
        except urllib.error.HTTPError as down:
            answers.append(down.code)
    assert answers[0] == 503  # LINE is not configured here: the webhook says so ...
    assert answers[1::2] == [200] * 20  # ... and the servers stay in: every health check answered


def test_oversized_bodies_get_a_polite_answer_and_the_bot_keeps_working(scaled) -> None:  # noqa: ANN001
    url = scaled.s.rasa_url

    def post(body: bytes) -> tuple[int, object, dict]:
        req = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.load(r), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null"), dict(e.headers)

    big = json.dumps({"sender": "big-1", "message": "あ" * 9000}, ensure_ascii=False).encode()  # 27 kB > 16 KiB
    status, body, headers = post(big)
    assert status == 200 and headers.get("X-Chat-Limit") == "body" and "長すぎ" in body[0]["text"]
    huge = json.dumps({"sender": "big-2", "message": "あ" * 40000}, ensure_ascii=False).encode()  # > nginx cap
    status, body, _ = post(huge)
    assert status == 413 and body["error"] == "payload_too_large" and "長すぎ" in body["message"]
    status, body, _ = post(json.dumps({"sender": "big-1", "message": "接続用IDを知りたい"}).encode())
    assert status == 200 and body and "接続用ID" in body[0]["text"]


# -- redaction ---------------------------------------------------------------------------------------


async def _procedure(scaled, customer) -> tuple[str, str, list]:  # noqa: ANN001
    sender = f"redact-{uuid.uuid4().hex[:8]}"
    url = scaled.s.rasa_url
    replies = []
    async with aiohttp.ClientSession() as session:
        for text in ["お客さま番号を知りたい", "手続きをお願いします", customer.customer_number]:
            replies.append(await say(session, url, sender, text))
        code = latest_code(scaled.s, customer.mobile)
        phone = f"{customer.mobile[:3]}-{customer.mobile[3:7]}-{customer.mobile[7:]}"
        for text in [code, "はい", f"電話番号は{phone}です。SMSは届きました"]:
            replies.append(await say(session, url, sender, text))
    return sender, code, replies


def test_procedure_conversation_leaves_no_code_or_phone_number_in_postgresql(scaled) -> None:  # noqa: ANN001
    customer = seed_load_customers(scaled.s.sandbox_db, 1)[0]
    sender, code, replies = run(_procedure(scaled, customer))
    assert all(r.status == 200 and r.messages for r in replies)
    assert any("ご本人確認ができました" in t for t in replies[3].texts), [r.texts for r in replies]
    assert any("N80" in t for t in replies[4].texts), [r.texts for r in replies]
    phone = customer.mobile
    with scaled.pg_connect() as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT data FROM events WHERE sender_id = %s", (f"rest:{sender}",))
            rows = [r[0] for r in cur.fetchall()]
            # The code as a number of its own: inside a longer one (a timestamp: 1796543617.433849 holds 543617
            # and, after its point, 433849) it is another number that happens to contain its digits.
            cur.execute("SELECT count(*) FROM events WHERE data ~ %s", (f"(^|[^0-9.]){code}([^0-9]|$)",))
            anywhere = cur.fetchone()[0]
        stored_texts = user_texts(conn, sender)
    assert rows and anywhere == 0
    readable = [json.dumps(json.loads(r), ensure_ascii=False) for r in rows]
    for text in readable:
        assert not re.search(rf"(?<![\d.]){code}(?!\d)", text), text
        digits = re.sub(r"[\s\-]", "", text)
        assert phone not in digits
    assert "[確認コード]" in stored_texts and any("[電話番号]" in t for t in stored_texts), stored_texts
    for t in stored_texts:
        assert not re.search(r"(?<!\d)\d{6}(?!\d)", t), t


# -- stop ----------------------------------------------------------------------------------------------


def test_down_stops_everything_it_started(scaled, scaled_env) -> None:  # noqa: ANN001
    pids = [mg.pid() for mg in scaled.all_parts()]
    assert all(pids)
    r = subprocess.run(
        [sys.executable, "-m", "deploy.scaled", "down"],
        cwd=ROOT,
        env=scaled_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "postgres" in r.stdout and "rasa-0" in r.stdout, r.stdout + r.stderr
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in pids)
    assert not scaled.running_parts()
    status = subprocess.run(
        [sys.executable, "-m", "deploy.scaled", "status"],
        cwd=ROOT,
        env=scaled_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 3 and "nothing" in status.stdout
