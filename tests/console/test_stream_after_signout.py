"""A live transcript is for a signed-in operator: signing out (or a new password, which signs the
operator out everywhere) ends the open stream too, not only the next page request."""

from __future__ import annotations

import threading
import time

import requests
from console_support import Operator, enqueue


def test_signing_out_ends_an_open_transcript_stream(console) -> None:
    alice = Operator(console.url, "alice")
    handoff_id = enqueue(console.url, "web:stream-after-signout").json()["handoff_id"]
    opened, ended = threading.Event(), threading.Event()

    def follow() -> None:
        try:
            with alice.http.get(f"{console.url}/handoffs/{handoff_id}/stream", stream=True, timeout=60) as stream:
                for _ in stream.iter_lines():
                    opened.set()
        except requests.RequestException:
            return  # cut off (the console stopped): not an orderly end
        ended.set()

    threading.Thread(target=follow, daemon=True).start()
    assert opened.wait(10), "the stream sent nothing"
    assert alice.post("/signout").status_code in (200, 303)
    signed_out = time.monotonic()
    assert ended.wait(20), "the stream outlived the session"
    assert time.monotonic() - signed_out < 20
