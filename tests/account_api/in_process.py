"""The sandbox's service in this process, on its own database and clock, for tests that simulate hours
of attack or thousands of clients (no HTTP in between). Each call runs in one transaction and a refusal
is committed too, as the HTTP app does (account_api/replies.py)."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from account_api.clock import Clock
from account_api.errors import ApiError
from account_api.security import SecretBox
from account_api.seed import add_customer
from account_api.service import AccountService
from account_api.settings import Settings
from account_api.store import Customer, Store

CODE_RE = re.compile(r"確認コード: (\d{6})")
_serial = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]


class InProcess:
    def __init__(self, tmp_path: Path, *, in_memory: bool = False, **settings: Any) -> None:
        # In memory for the long simulations (a third faster); otherwise a file, as the sandbox runs.
        self.settings = Settings(db_path=Path(":memory:") if in_memory else tmp_path / "sandbox.sqlite3", **settings)
        self.store = Store(self.settings.db_path)
        self.store.create_schema()
        self.clock = Clock()
        self.service = AccountService(self.store, self.settings, self.clock)

    def close(self) -> None:
        self.store.close()

    def customer(self, *, mobile: str | None = None, mail_only: bool = False) -> Customer:
        n = next(_serial)
        customer = Customer(
            customer_number=f"N{800000000 + n:09d}",
            ocn_id=f"member{n}@ocn.ne.jp",
            connection_id=f"m{n:07d}@one.ocn.ne.jp",
            name="テスト 顧客",
            mobile=None if mail_only else (mobile or f"080{n:08d}"),
            contact_mail=f"member{n}@example.jp",
            postal_code="100-0001",
            address_region="東京都千代田区",
            address_line=f"千代田{n}-1",
        )
        with self.store.transaction():
            add_customer(self.store, SecretBox(self.settings.encryption_key), customer, self.clock.now())
        return customer

    def _call(self, action: Any) -> Reply:
        with self.store.transaction():
            try:
                return Reply(200, action())
            except ApiError as refusal:
                return Reply(refusal.status, refusal.body())

    def start(self, conversation_id: str, client_ref: str | None = None, **identifier: str) -> Reply:
        reply = self._call(
            lambda: self.service.start_verification(conversation_id, client_ref=client_ref, **identifier)
        )
        return Reply(202, reply.body) if reply.status == 200 else reply

    def confirm(self, verification_id: str, conversation_id: str, code: str) -> Reply:
        return self._call(lambda: self.service.confirm_verification(verification_id, conversation_id, code))

    def latest_code(self, customer: Customer) -> str:
        [message] = self.service.outbox(customer.contact_destination, 1)["messages"]
        match = CODE_RE.search(message["body"])
        assert match, "the last message is not a code"
        return match.group(1)

    def verify(self, customer: Customer, client_ref: str) -> Reply:
        """The customer asks for a code on their own client and types it as it arrived."""
        conv = new_conversation()
        started = self.start(conv, client_ref, customer_number=customer.customer_number)
        if started.status != 202:
            return started
        return self.confirm(started.body["verification_id"], conv, self.latest_code(customer))


def new_conversation() -> str:
    return "web:" + uuid.uuid4().hex


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
