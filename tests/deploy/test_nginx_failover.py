"""A Rasa server that dies while it holds a customer's message (SIGKILL under load, benchmarks/faults.py):
nginx hands the message to another server instead of answering the customer 502, so the customer
sees no error. The real nginx with the generated configuration, in front of a stand-in that resets
the connection after reading the request (what a killed process does) and a healthy stand-in."""

from __future__ import annotations

import http.server
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from deploy import nginx
from devstack.ports import accepts_connections
from devstack.processes import start_and_wait
from tests.deploy.test_public_face import _AnyPath, _settings

NGINX = "/usr/sbin/nginx"


class DyingServer:
    """Accepts, reads the request, then resets the connection without a reply."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            connection.recv(65536)
            self.requests += 1
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()  # RST, as the kernel sends for a killed process

    def close(self) -> None:
        self.sock.close()


class CountingServer(_AnyPath):
    count = 0

    def _answer(self) -> None:
        CountingServer.count += 1
        super()._answer()

    do_GET = do_POST = _answer


@pytest.fixture
def failing_pair(tmp_path: Path) -> Iterator[tuple[str, DyingServer]]:
    dying = DyingServer()
    healthy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingServer)
    threading.Thread(target=healthy.serve_forever, daemon=True).start()
    s = _settings(tmp_path, public_rest=True)
    s.run_dir.mkdir(parents=True, exist_ok=True)
    s.log_dir.mkdir(parents=True, exist_ok=True)
    conf = nginx.write(s, [dying.port, healthy.server_address[1]], [healthy.server_address[1]])
    command = [NGINX, "-c", str(conf), "-p", str(s.state_dir / "nginx"), "-g", "daemon off;"]
    process = start_and_wait(command, lambda: accepts_connections(s.ports.nginx), name="nginx", timeout=10)
    yield f"http://127.0.0.1:{s.ports.nginx}", dying
    process.terminate()
    process.wait(10)
    healthy.shutdown()
    dying.close()


def test_a_message_whose_server_dies_is_answered_by_another(failing_pair: tuple[str, DyingServer]) -> None:
    url, dying = failing_pair
    CountingServer.count = 0
    statuses = [
        requests.post(f"{url}/webhooks/rest/webhook", json={"sender": f"c{i}", "message": "こんにちは"}, timeout=10)
        for i in range(4)
    ]
    assert dying.requests >= 1  # a message did reach the server that died with it
    assert [r.status_code for r in statuses] == [200] * 4  # and no customer saw an error
    assert CountingServer.count == 4  # each message answered once
