"""Small async REST client and PostgreSQL readers shared by the scaled-mode tests."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
N_RASA, M_ACTIONS = 2, 1

CODE_RE = re.compile(r"確認コード: (\d{6})")


@dataclass
class Reply:
    status: int
    messages: list[dict[str, Any]]
    headers: dict[str, str]
    seconds: float
    error: str | None = None

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or "" for m in self.messages if isinstance(m, dict)]


async def say(session: aiohttp.ClientSession, base_url: str, sender: str, text: str, timeout: float = 30) -> Reply:
    start = time.perf_counter()
    try:
        async with session.post(
            f"{base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as r:
            body = await r.text()
            try:
                data = json.loads(body)
            except ValueError:
                data = []
            return Reply(
                r.status, data if isinstance(data, list) else [data], dict(r.headers), time.perf_counter() - start
            )
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return Reply(0, [], {}, time.perf_counter() - start, error=repr(error))


def latest_code(s: Any, to: str) -> str:
    """The newest code sent to `to`, read from the sandbox's database with its key, as an operator's
    `python -m account_api outbox` does (the scaled sandbox has no /dev endpoints)."""
    from account_api.identifiers import normalize_destination
    from account_api.outbox import outbox_entry
    from account_api.security import SecretBox
    from account_api.store import Store

    store = Store(s.sandbox_db)
    try:
        box = SecretBox(s.sandbox_encryption_key)
        messages = [outbox_entry(row, box) for row in store.outbox.latest(normalize_destination(to), 5)]
    finally:
        store.close()
    codes = [CODE_RE.search(m["body"]) for m in messages if m["kind"] == "verification_code"]
    codes = [c for c in codes if c]
    assert codes, f"no code sent to {to}"
    return codes[-1].group(1)


def events(conn: Any, sender: str) -> list[dict[str, Any]]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT type_name, action_name, data FROM events WHERE sender_id = %s ORDER BY id", (f"rest:{sender}",)
        )
        return [{"type": t, "action": a, "data": json.loads(d)} for t, a, d in cur.fetchall()]


def user_texts(conn: Any, sender: str) -> list[str]:
    return [e["data"].get("text") for e in events(conn, sender) if e["type"] == "user"]


def interleaved(evts: list[dict[str, Any]]) -> bool:
    """True when a user message was stored before the previous one's turn ended (action_listen)."""
    open_turn = False
    for e in evts:
        if e["type"] == "user":
            if open_turn:
                return True
            open_turn = True
        elif e["type"] == "action" and e["action"] == "action_listen":
            open_turn = False
    return False
