"""What the account API does, behind one facade: verification (verification.py, with code_limits.py and
lockout.py), the procedures of a verified customer (procedures.py) and the outbox (outbox.py).

HTTP-free; app.py parses requests and renders results. Every public method runs inside the caller's
transaction and raises ApiError for anything the client must be told about.
"""

from __future__ import annotations

import json
from typing import Any

from .alarm import Alarm, AlarmState
from .clock import Clock
from .code_limits import CodeLimits
from .lockout import Lockout
from .outbox import Outbox
from .procedures import ProcedureService
from .security import SecretBox
from .settings import Settings
from .store import Store
from .verification import VerificationService


class AccountService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.box = SecretBox(settings.encryption_key)
        self.outbox_messages = Outbox(store.outbox, self.box, clock)
        self.alarm = Alarm(store, settings)
        self.verification = VerificationService(
            store,
            settings,
            clock,
            Lockout(store, settings, self.alarm),
            CodeLimits(store, settings),
            self.outbox_messages,
        )
        self.procedures = ProcedureService(store, settings, clock, self.box, self.outbox_messages)

    # -- verification --

    def start_verification(
        self,
        conversation_id: str,
        customer_number: str | None = None,
        ocn_id: str | None = None,
        client_ref: str | None = None,
        connection_id: str | None = None,
    ) -> dict[str, Any]:
        """Exactly one identifier, already normalized (routes.py)."""
        named = {"customer_number": customer_number, "ocn_id": ocn_id, "connection_id": connection_id}
        given = [(kind, value) for kind, value in named.items() if value is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of customer_number, ocn_id and connection_id")
        return self.verification.start(conversation_id, given[0], client_ref)

    def confirm_verification(self, verification_id: str, conversation_id: str, code: str) -> dict[str, Any]:
        return self.verification.confirm(verification_id, conversation_id, code)

    def alarm_state(self) -> AlarmState:
        """The cross-account alarm now (alarm.py): for the operators' metrics and the CLI."""
        return self.alarm.state(self.clock.now())

    # -- procedures of a verified customer --

    def account_summary(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        return self.procedures.account_summary(verification_id, conversation_id)

    def password_reset(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        return self.procedures.password_reset(verification_id, conversation_id)

    def connection_credentials(self, verification_id: str, conversation_id: str, method: str) -> dict[str, Any]:
        return self.procedures.connection_credentials(verification_id, conversation_id, method)

    def send_customer_number(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        return self.procedures.send_customer_number(verification_id, conversation_id)

    def send_ocn_id(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        return self.procedures.send_ocn_id(verification_id, conversation_id)

    def login_history(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        return self.procedures.login_history(verification_id, conversation_id)

    # -- outcome of a request the caller got no answer to --

    def request_outcome(self, token_hash: str, path: str, idempotency_key: str) -> dict[str, Any]:
        """The stored reply to (token, path, key), or not_found: the request has not been carried out.
        Read-only. A request is acted on and its reply stored in one transaction, so there is no third
        state to report (nothing half-done)."""
        stored = self.store.idempotency.response(token_hash, path, idempotency_key)
        if stored is None:
            return {"state": "not_found"}
        return {"state": "completed", "status": stored["status"], "body": json.loads(stored["body"])}

    # -- dev --

    def outbox(self, to: str | None, last: int) -> dict[str, Any]:
        return self.outbox_messages.latest(to, last)
