"""A fake account API client for the action tests that follows the real one's signatures.

`FakeClient` subclasses `AccountClient` and overrides every API call with the same signature
(tests/actions/test_fake_account_client.py checks it), so a changed signature in the real client
fails a test instead of leaving the actions tested against a client that no longer exists.
Each call is recorded as (name, positional args, keyword args); `fail` makes every call raise.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from actions.account_client import (
    AccountClient,
    AccountSummary,
    ConnectionCredentialsResult,
    CustomerNumberSent,
    Delivery,
    LoginRecord,
    OcnIdSent,
    RequestOutcome,
    VerificationConfirmed,
    VerificationStarted,
)


class FakeClient(AccountClient):
    def __init__(self) -> None:  # no HTTP session: nothing here talks to a server
        self.calls: list[tuple[str, tuple, dict[str, Any]]] = []
        self.fail: Exception | None = None
        self._key = b"fake-account-key"

    def _call(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))
        if self.fail:
            raise self.fail

    def close(self) -> None:
        pass

    def account_key(self, identifier: str) -> str:
        return AccountClient.account_key(self, identifier)  # a keyed hash, no server: the real one

    def start_verification(
        self,
        conversation_id: str,
        customer_number: str | None = None,
        ocn_id: str | None = None,
        *,
        connection_id: str | None = None,
        client_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> VerificationStarted:
        self._call(
            "start",
            conversation_id,
            customer_number,
            ocn_id,
            connection_id=connection_id,
            client_ref=client_ref,
            idempotency_key=idempotency_key,
        )
        return VerificationStarted("v-1", 600)

    def confirm_verification(
        self, verification_id: str, conversation_id: str, code: str, *, idempotency_key: str | None = None
    ) -> VerificationConfirmed:
        self._call("confirm", verification_id, conversation_id, code, idempotency_key=idempotency_key)
        return VerificationConfirmed(datetime.now(timezone.utc) + timedelta(minutes=15), 900)

    def account_summary(self, verification_id: str | None, conversation_id: str) -> AccountSummary:
        self._call("summary", verification_id, conversation_id)
        return AccountSummary(
            "N12*****89", "ta****@ocn.ne.jp", None, "sms", "090-****-5678", True, "東京都千代田区****"
        )

    def login_history(self, verification_id: str | None, conversation_id: str) -> list[LoginRecord]:
        self._call("history", verification_id, conversation_id)
        now = datetime(2026, 11, 24, 0, 12, tzinfo=timezone.utc)
        return [
            LoginRecord(now, "東京都", "iPhone", True, False),
            LoginRecord(now, "海外（不明）", "Windows", False, True),
        ]

    def send_password_reset(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> Delivery:
        self._call("reset", verification_id, conversation_id, idempotency_key=idempotency_key)
        return Delivery("sms", "090-****-5678")

    def send_connection_credentials(
        self, verification_id: str | None, conversation_id: str, method: str, *, idempotency_key: str | None = None
    ) -> ConnectionCredentialsResult:
        self._call("connection", verification_id, conversation_id, method, idempotency_key=idempotency_key)
        return ConnectionCredentialsResult(method, "post", "東京都千代田区****", eta_days=5)

    def send_customer_number(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> CustomerNumberSent:
        self._call("customer_number", verification_id, conversation_id, idempotency_key=idempotency_key)
        return CustomerNumberSent("sms", "090-****-5678", "N12*****89")

    def send_ocn_id(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> OcnIdSent:
        self._call("ocn_id", verification_id, conversation_id, idempotency_key=idempotency_key)
        return OcnIdSent("sms", "090-****-5678", "ta****@ocn.ne.jp")

    def request_outcome(self, path: str, idempotency_key: str) -> RequestOutcome:
        self._call("outcome", path, idempotency_key)
        return RequestOutcome(False)
