"""Runs the real sandbox (`python -m account_api serve`) on a free loopback port with a temp DB."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # so `pytest` works from any directory, not only `python -m pytest`
    sys.path.insert(0, str(ROOT))

from account_api.security import SecretBox, new_connection_password  # noqa: E402
from account_api.seed import add_customer  # noqa: E402
from account_api.store import Customer, Store  # noqa: E402
from devstack.ports import free_port  # noqa: E402
from devstack.processes import start_and_wait, stop  # noqa: E402

TOKEN = "test-service-token"
PEPPER = "test-pepper"
ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE="  # base64 of 32 test bytes
CODE_RE = re.compile(r"確認コード: (\d{6})")


def sandbox_env(db_path: Path, port: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ACCOUNT_API_DB=str(db_path),
        ACCOUNT_API_PORT=str(port),
        ACCOUNT_API_HOST="127.0.0.1",
        ACCOUNT_API_TOKEN=TOKEN,
        ACCOUNT_API_PEPPER=PEPPER,
        ACCOUNT_API_ENCRYPTION_KEY=ENCRYPTION_KEY,
        ACCOUNT_API_DEV_ENDPOINTS="1",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class Sandbox:
    url: str
    db_path: Path
    env: dict[str, str]
    process: subprocess.Popen


def start_sandbox(db_path: Path, **extra_env: str) -> Sandbox:
    port = free_port()
    env = sandbox_env(db_path, port, **extra_env)
    url = f"http://127.0.0.1:{port}"
    process = start_and_wait(
        [sys.executable, "-m", "account_api", "serve"],
        f"{url}/healthz",
        name="account sandbox",
        timeout=20,
        env=env,
        cwd=ROOT,
        log_path=db_path.with_suffix(".log"),
    )
    return Sandbox(url, db_path, env, process)


def stop_sandbox(sandbox: Sandbox) -> None:
    stop(sandbox.process)


class Api:
    """Thin test client: adds the token and, for POSTs, a fresh Idempotency-Key unless one is given."""

    def __init__(self, url: str, token: str = TOKEN) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers[("X-Service-Token")] = token

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        key: str | None = "auto",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        h = dict(headers or {})
        if key == "auto":
            h["Idempotency-Key"] = uuid.uuid4().hex
        elif key is not None:
            h["Idempotency-Key"] = key
        if data is not None:
            return self.session.post(self.url + path, data=data, headers=h, timeout=10)
        return self.session.post(self.url + path, json=body, headers=h, timeout=10)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.url + path, params=params, timeout=10)

    # -- flows ----------------------------------------------------------------------------------

    def outbox(self, to: str, last: int = 50) -> list[dict[str, Any]]:
        r = self.get("/dev/outbox", to=to, last=last)
        assert r.status_code == 200, r.text
        return r.json()["messages"]

    def latest_code(self, to: str) -> str:
        codes = [m for m in self.outbox(to) if m["kind"] == "verification_code"]
        assert codes, f"no code sent to {to}"
        match = CODE_RE.search(codes[-1]["body"])
        assert match
        return match.group(1)

    def start(self, conversation_id: str, **identifier: str) -> requests.Response:
        return self.post("/v1/verifications", {"conversation_id": conversation_id, **identifier})

    def confirm(self, verification_id: str, conversation_id: str, code: str, **kw: Any) -> requests.Response:
        return self.post(
            f"/v1/verifications/{verification_id}/confirm", {"conversation_id": conversation_id, "code": code}, **kw
        )

    def verify(self, customer: Customer, conversation_id: str | None = None) -> tuple[str, str]:
        """Full verification; returns (verification_id, conversation_id)."""
        conv = conversation_id or new_conversation()
        r = self.start(conv, customer_number=customer.customer_number)
        assert r.status_code == 202, r.text
        vid = r.json()["verification_id"]
        r = self.confirm(vid, conv, self.latest_code(customer.contact_destination))
        assert r.status_code == 200, r.text
        return vid, conv

    def advance(self, seconds: float) -> None:
        r = self.post("/dev/clock", {"advance_seconds": seconds}, key=None)
        assert r.status_code == 200, r.text


def new_conversation() -> str:
    return "conv-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    sb = start_sandbox(tmp_path_factory.mktemp("account_api") / "account_api.sqlite3")
    yield sb
    stop_sandbox(sb)


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox.url)


@pytest.fixture(scope="session")
def db(sandbox: Sandbox) -> Iterator[Store]:
    store = Store(sandbox.db_path)
    yield store
    store.close()


_serial = itertools.count(1)


@pytest.fixture
def new_customer(db: Store) -> Any:
    """Inserts a fresh customer (own rate limits and lockout) into the running sandbox's DB."""

    def make(*, mobile: bool = True) -> Customer:
        n = next(_serial) + 700000000 + (os.getpid() % 1000) * 10000
        number = f"N{n:09d}"
        customer = Customer(
            customer_number=number,
            ocn_id=f"user{n}@ocn.ne.jp",
            connection_id=f"t{n}@one.ocn.ne.jp",
            name="テスト 顧客",
            mobile=f"070{n % 10**8:08d}" if mobile else None,
            contact_mail=f"user{n}@example.jp",
            postal_code="100-0001",
            address_region="東京都千代田区",
            address_line=f"千代田{n % 1000}-1",
        )
        with db.transaction():
            add_customer(db, SecretBox(ENCRYPTION_KEY), customer, time.time(), new_connection_password())
        return customer

    return make


def stored_connection_password(db: Store, customer: Customer) -> str:
    """The customer's connection password as the sandbox holds it (decrypted with the test key)."""
    encrypted = db.connection_password_encrypted(customer.customer_number)
    assert encrypted is not None
    return SecretBox(ENCRYPTION_KEY).decrypt(encrypted)
