"""Fixtures for the web chat tests: the real product stack on free loopback ports (temporary
SQLite files), the help-page server, and a headless Debian Chromium driven by Selenium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web_support import SCREENSHOTS, WebStack, chromium, running_web_stack


@pytest.fixture(scope="module")
def web_stack() -> Iterator[WebStack]:
    with running_web_stack() as stack:
        yield stack


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium("web") as driver:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        yield driver
