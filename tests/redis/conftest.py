"""A real Redis server for the lock store and rate limiter tests: started here, on a free port, in a
temporary directory, without persistence; nginx and PostgreSQL are not needed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    directory: Path = tmp_path_factory.mktemp("redis")
    port = _free_port()
    args = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    args += ["--save", "", "--appendonly", "no", "--enable-debug-command", "local"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(port=port, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"redis-server did not start (exit {process.poll()})") from None
            time.sleep(0.02)
    yield port
    process.terminate()
    process.wait(10)


@pytest.fixture
def redis_client(redis_port: int) -> Iterator[redis.Redis]:
    client = redis.Redis(port=redis_port, db=5, socket_timeout=5)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
