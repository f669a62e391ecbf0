"""Fixtures for the LINE channel tests (fakes in line_fakes.py)."""

import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# `channels` lives at the repository root; make it importable however pytest is started.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from line_fakes import (  # noqa: E402
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    ChannelServer,
    FakeLineApi,
    LoopThread,
    StubBot,
)

from channels.line import LineInput  # noqa: E402


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.stop()


@pytest.fixture(scope="session")
def _fake_line_server(loop_thread: LoopThread) -> Iterator[FakeLineApi]:
    fake = FakeLineApi()
    loop_thread.run(fake.start())
    yield fake
    loop_thread.run(fake.stop())


@pytest.fixture
def fake_line(_fake_line_server: FakeLineApi) -> FakeLineApi:
    _fake_line_server.reset()
    return _fake_line_server


@pytest.fixture
def start_channel(loop_thread: LoopThread, fake_line: FakeLineApi) -> Iterator[Callable[..., ChannelServer]]:
    """Factory: start_channel(**LineInput kwargs) → a running ChannelServer."""
    servers: list[ChannelServer] = []

    def start(**overrides: Any) -> ChannelServer:
        settings: dict[str, Any] = {
            "channel_secret": CHANNEL_SECRET,
            "access_token": ACCESS_TOKEN,
            "api_base_url": fake_line.url,
            "request_timeout": 2.0,
            "retry_backoff": 0.01,
        }
        settings.update(overrides)
        server = ChannelServer(loop_thread, LineInput(**settings), StubBot())
        loop_thread.run(server.start())
        servers.append(server)
        return server

    yield start
    for server in servers:
        loop_thread.run(server.stop())


@pytest.fixture
def channel(start_channel: Callable[..., ChannelServer]) -> ChannelServer:
    return start_channel()


@pytest.fixture(autouse=True)
def _quiet_sanic() -> None:
    logging.getLogger("sanic.access").setLevel(logging.WARNING)
