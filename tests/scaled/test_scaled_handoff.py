"""Handoff in the scaled mode (2 Rasa servers, PostgreSQL, Redis): the queue lives in PostgreSQL,
the paused state in the shared tracker store, and any Rasa server reaches the customer's web
session through socket.io's Redis manager. Runs before test_scaled_mode.py (which stops the stack)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import Operator, WidgetCustomer, add_operator  # noqa: E402

pytestmark = pytest.mark.scaled


async def _append_on(rasa_url: str, token: str, sender: str, text: str) -> None:
    """What the console does, sent to one chosen Rasa server."""
    url = f"{rasa_url}/conversations/{quote(sender, safe=':')}/tracker/events"
    params = {"output_channel": "latest", "execute_side_effects": "true"}
    body = [{"event": "bot", "text": text, "metadata": {"operator": "Scaled"}}]
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
        http.post(url, json=body, params=params, headers={"X-Rasa-Token": token}) as response,
    ):
        assert response.status == 200, await response.text()


def test_handoff_works_across_rasa_servers(scaled) -> None:
    env = scaled.env("console")  # the console's own database role, as an operator adding an account uses
    add_operator(env, "scaled-op")
    console_url = f"http://127.0.0.1:{scaled.s.ports.console}"
    operator = Operator(console_url, "scaled-op")
    assert operator.signed_in
    first, second = scaled.rasa_urls()[:2]

    async def scenario() -> None:
        customer = WidgetCustomer()
        await customer.connect(first)  # the customer's socket lives on the first Rasa server
        sender = f"web:{customer.session_id}"
        await customer.say("担当者と話したい")
        await customer.wait_text("担当者におつなぎします", 30)
        row = next(r for r in operator.queue() if r["channel"] == "web" and r["status"] == "waiting")
        assert operator.post(f"/handoffs/{row['id']}/take").status_code == 200
        await customer.wait_text("担当者がチャットに参加しました")

        # Emitted by the *second* server: reaches the socket on the first one through Redis.
        marker = f"別のサーバーから {uuid.uuid4().hex[:6]}"
        await _append_on(second, scaled.s.rasa_api_token, sender, marker)
        await customer.wait_text(marker)

        # The customer's message reaches the console from the shared tracker store, not the NLU.
        await customer.say("パスワードを忘れました")
        await asyncio.to_thread(operator.wait_for_customer_line, row["id"], "パスワードを忘れました")
        assert operator.post(f"/handoffs/{row['id']}/messages", {"text": "担当の者です。"}).status_code == 204
        await customer.wait_text("担当の者です。")
        assert operator.post(f"/handoffs/{row['id']}/handback", {"outcome": "resolved"}).status_code == 200
        await customer.wait_text("ここからはチャットボットがお答えします")
        await customer.say("お客さま番号を変更したい")
        await customer.wait_text("変更できません", 30)
        await customer.sio.disconnect()

    asyncio.run(scenario())
    with scaled.pg_connect(as_console=True) as conn, conn.cursor() as cur:  # the console's own database
        cur.execute("SELECT status FROM console_handoffs")
        assert ("returned",) in cur.fetchall()
