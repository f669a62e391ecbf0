"""How many one-time codes may be sent: per account and client, per conversation, and a ceiling per
account across all clients whose reaching is told to the operators (README "Lockout")."""

from __future__ import annotations

import logging
import math
from typing import Any

from .errors import ApiError
from .settings import Settings
from .store import Store

logger = logging.getLogger(__name__)


class CodeLimits:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def refuse_if_reached(
        self, now: float, subject: str, client: str, conversation_id: str, audit: dict[str, Any]
    ) -> None:
        """Raise 429 with the wait until one more code may be sent, if any limit is reached."""
        s = self.settings
        ceiling_wait = self._wait(s.max_codes_per_account_per_window, now, subject=subject)
        if ceiling_wait > 0:
            self._ceiling_alarm(now, audit)
        wait = max(
            ceiling_wait,
            self._wait(s.max_codes_per_client_per_window, now, subject=subject, client=client),
            self._wait(s.max_codes_per_conversation_per_window, now, conversation_id=conversation_id),
        )
        if wait > 0:
            self.store.audit_log.add(now=now, result="too_many_codes", **audit)
            raise ApiError(
                429,
                "too_many_codes",
                "確認コードの送信回数が上限に達しました。しばらく待ってからお試しください。",
                retry_after=wait,
            )

    def _wait(self, limit: int, now: float, **where: str) -> int:
        window = self.settings.code_rate_window_seconds
        times = self.store.verifications.recent_code_times(now - window, **where)
        if len(times) < limit:
            return 0
        # Wait until enough codes of the window have aged out to send one more.
        return max(1, math.ceil(times[len(times) - limit] + window - now))

    def _ceiling_alarm(self, now: float, audit: dict[str, Any]) -> None:
        """An account reached its ceiling of codes: several clients asked for its codes within the hour,
        which a customer alone does not do. Refused like any limit, and told to the operators (the log
        names no account, client or conversation; the audit event has the account's subject)."""
        s = self.settings
        logger.warning(
            "ALARM: an account reached %d one-time codes in %d s (several clients).",
            s.max_codes_per_account_per_window,
            s.code_rate_window_seconds,
        )
        self.store.audit_log.add(
            now=now,
            event="verification.code_alarm",
            result="alarm",
            detail=f"{s.max_codes_per_account_per_window} codes per {s.code_rate_window_seconds} s",
            subject=audit["subject"],
            customer_number=audit["customer_number"],
            conversation_id=audit["conversation_id"],
        )
