"""How many one-time codes may be sent: per account and client, per conversation, per account from all
clients (ceilings only many clients reach; the operators are told long before), and, while the
cross-account alarm is on, per client across all accounts (README "Lockout")."""

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
        self,
        now: float,
        subject: str,
        client: str,
        conversation_id: str,
        audit: dict[str, Any],
        alarm_on: bool = False,
    ) -> None:
        """Raise 429 with the wait until one more code may be sent, if any limit is reached; tell the
        operators when this code is the account's code_alarm_codes-th within the hour."""
        s = self.settings
        hour, day = s.code_rate_window_seconds, s.guess_window_seconds
        limits: list[tuple[int, int, dict[str, str]]] = [
            (s.max_codes_per_client_per_window, hour, {"subject": subject, "client": client}),
            (s.max_codes_per_client_per_day, day, {"subject": subject, "client": client}),
            (s.max_codes_per_conversation_per_window, hour, {"conversation_id": conversation_id}),
            (s.max_codes_per_account_per_window, hour, {"subject": subject}),
            (s.max_codes_per_account_per_day, day, {"subject": subject}),
        ]
        if alarm_on:  # someone guesses across accounts: one client gets few codes, whatever the account
            limits.append((s.alarm_codes_per_client, hour, {"client": client}))
        wait = max(self._wait(limit, window, now, where) for limit, window, where in limits)
        if wait > 0:
            self.store.audit_log.add(now=now, result="too_many_codes", **audit)
            raise ApiError(
                429,
                "too_many_codes",
                "確認コードの送信回数が上限に達しました。しばらく待ってからお試しください。",
                retry_after=wait,
            )
        if len(self.store.verifications.recent_code_times(now - hour, subject=subject)) + 1 == s.code_alarm_codes:
            self._ceiling_alarm(now, audit)

    def _wait(self, limit: int, window: int, now: float, where: dict[str, str]) -> int:
        times = self.store.verifications.recent_code_times(now - window, **where)
        if len(times) < limit:
            return 0
        # Wait until enough codes of the window have aged out to send one more.
        return max(1, math.ceil(times[len(times) - limit] + window - now))

    def _ceiling_alarm(self, now: float, audit: dict[str, Any]) -> None:
        """An account reached code_alarm_codes codes within the hour: several clients asked for its codes,
        which a customer alone does not do. Nobody is refused for it; the operators are told (the log
        names no account, client or conversation; the audit event has the account's subject)."""
        s = self.settings
        logger.warning(
            "ALARM: an account reached %d one-time codes in %d s (several clients).",
            s.code_alarm_codes,
            s.code_rate_window_seconds,
        )
        self.store.audit_log.add(
            now=now,
            event="verification.code_alarm",
            result="alarm",
            detail=f"{s.code_alarm_codes} codes per {s.code_rate_window_seconds} s",
            subject=audit["subject"],
            customer_number=audit["customer_number"],
            conversation_id=audit["conversation_id"],
        )
