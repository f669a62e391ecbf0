"""A slow account API delays only the conversation waiting for it, not everyone else's."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from devstack.ports import free_port
from tests.support.stack import RunningStack, new_sender, start_stack, texts

DELAY_SECONDS = 4.0


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        time.sleep(DELAY_SECONDS)
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "unavailable"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def slow_api_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
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
    running.stop()
    server.shutdown()


def test_other_conversations_are_answered_while_one_waits_for_the_api(slow_api_stack: RunningStack) -> None:
    waiting = new_sender()
    slow_api_stack.say(waiting, '/start_procedure{"procedure": "send_ocn_id"}')
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(slow_api_stack.say, waiting, "N123456789")
        time.sleep(0.5)  # the action server is now waiting on the account API
        started = time.perf_counter()
        other = texts(slow_api_stack.say(new_sender(), "接続用IDを変更したいです"))
        elapsed = time.perf_counter() - started
        assert "変更できません" in other
        assert elapsed < DELAY_SECONDS / 2, f"another customer waited {elapsed:.1f} s"
        assert "つながりにくく" in texts(slow.result(timeout=30))
