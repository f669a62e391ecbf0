"""A private PostgreSQL 15, started the way the scaled mode starts its own (deploy/postgres.py: roles,
databases, grants, PGPASSFILEs), in a temporary state directory on a free port. For the fast tests of
least privilege and of the console's PostgreSQL queries; fails (never skips) without the binaries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy.postgres import Postgres
from deploy.settings import ScaledSettings, load
from devstack import system_packages
from devstack.ports import free_port


@contextmanager
def private_postgres(state_dir: Path) -> Iterator[tuple[ScaledSettings, Postgres]]:
    missing = system_packages.require("postgresql")
    if missing:
        pytest.fail(missing)
    env = {"SCALED_MODEL": "unused.tar.gz"}
    settings = load(env=env, base_port=free_port() - 2, state_dir=state_dir)  # Ports.postgres is base + 2
    postgres = Postgres(settings)
    postgres.start()
    try:
        yield settings, postgres
    finally:
        postgres.remove()
