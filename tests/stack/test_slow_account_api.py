"""A slow account API delays only the conversation waiting for it, not everyone else's.

The stand-in API holds each request until the test releases it (at most DELAY_SECONDS) and says when
a request has arrived, so the other conversation is timed while the action server is known to be
blocked on the API — not merely after a guess of how long that takes."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from devstack.ports import free_port
from tests.support.stack import RunningStack, new_sender, start_stack, texts

DELAY_SECONDS = 8.0  # the longest the stand-in holds a request (below ACCOUNT_API_READ_TIMEOUT)
OTHER_ANSWER_SECONDS = 2.0  # what another customer may wait meanwhile


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    arrived = threading.Event()  # set when the action server's request reached the API
    release = threading.Event()  # set by the test once it has measured the other conversation

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        _SlowHandler.arrived.set()
        _SlowHandler.release.wait(DELAY_SECONDS)
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "unavailable"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def slow_api_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    _SlowHandler.arrived.clear()
    _SlowHandler.release.clear()
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    running = start_stack(
        tmp_path_factory.mktemp("slow"),
        extra_env={
            "ACCOUNT_API_URL": f"http://127.0.0.1:{port}",
            "ACCOUNT_API_RETRIES": "0",
            "ACCOUNT_API_READ_TIMEOUT": "10",
        },
    )
    yield running
    _SlowHandler.release.set()
    running.stop()
    server.shutdown()


def test_other_conversations_are_answered_while_one_waits_for_the_api(slow_api_stack: RunningStack) -> None:
    waiting = new_sender()
    slow_api_stack.say(waiting, '/start_procedure{"procedure": "send_ocn_id"}')
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(slow_api_stack.say, waiting, "N123456789")
        assert _SlowHandler.arrived.wait(30), "the action server never called the account API"
        started = time.perf_counter()
        other = texts(slow_api_stack.say(new_sender(), "接続用IDを変更したいです"))
        elapsed = time.perf_counter() - started
        assert elapsed < OTHER_ANSWER_SECONDS, f"another customer waited {elapsed:.1f} s"
        assert "変更できません" in other
        # Still blocked: the answer above came while the action server waited on the API.
        assert not slow.done(), "the slow conversation was answered before the API released it"
        _SlowHandler.release.set()
        assert "つながりにくく" in texts(slow.result(timeout=30))
