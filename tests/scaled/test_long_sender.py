"""On PostgreSQL, a 300-character conversation id gets a clear error and is stored nowhere.

Rasa's HTTP API (operators, loopback) accepts any conversation id; the sender_id column holds 255
characters. Stock Rasa failed the insert and kept the conversation, unredacted, in memory.
"""

from __future__ import annotations

import requests


def test_a_300_character_sender_on_postgresql(scaled) -> None:  # noqa: ANN001
    rasa_url = scaled.rasa_urls()[0]  # one Rasa server directly: the HTTP API is not public
    sender = "rest:" + "x" * 295
    response = requests.post(
        f"{rasa_url}/conversations/{sender}/messages",
        params={"token": scaled.s.rasa_api_token},
        json={"text": "電話は090-1234-5678です", "sender": "user"},
        timeout=30,
    )
    assert response.status_code >= 400
    assert "300 characters" in response.text and "255" in response.text
    with scaled.pg_connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM events WHERE length(sender_id) > 255")
        assert cur.fetchone()[0] == 0
