"""How many one-time codes may be sent: per client and identifier as typed, per conversation, per client
group across all accounts, per account from all clients (ceilings only many clients reach; the operators
are told long before), and, while the cross-account alarm is on, per client across all accounts (README
"Lockout"). A client known to the account (it verified it before) is refused by none of the wider
limits: only by its own. A group's block (an IPv6 /48) is held to a few groups' worth of the group limits
(review 5, N1), so one /64 of a shared /48 spends its own /56's budgets, not its neighbours'."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .records import Origin
from .settings import Settings
from .store import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asker:
    """Who asks for a code, as the limits count it (keyed hashes): the account's subject, the identifier
    as typed, where the request came from, and whether its client verified this account before."""

    subject: str
    named: str
    origin: Origin
    known: bool


class CodeLimits:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def refuse_if_reached(
        self,
        now: float,
        asker: Asker,
        conversation_id: str,
        audit: dict[str, Any],
        alarm_on: bool = False,
    ) -> None:
        """Raise 429 with the wait until one more code may be sent, if any limit is reached; tell the
        operators when this code is the account's code_alarm_codes-th within the hour."""
        s, subject, client = self.settings, asker.subject, asker.origin.client
        hour, day = s.code_rate_window_seconds, s.guess_window_seconds
        # Per identifier as typed, not per account: a client that types three identifiers of one account
        # is answered as one that types three unrelated ones (no link between them shows).
        limits: list[tuple[int, int, dict[str, str]]] = [
            (s.max_codes_per_client_per_window, hour, {"named": asker.named, "client": client}),
            (s.max_codes_per_client_per_day, day, {"named": asker.named, "client": client}),
            (s.max_codes_per_conversation_per_window, hour, {"conversation_id": conversation_id}),
        ]
        if not asker.known:  # the customer's own client is never refused by what strangers can use up
            limits += group_and_block_limits(s, asker)
        if alarm_on:  # someone guesses across accounts: one client gets few codes, whatever the account
            limits.append((s.alarm_codes_per_client, hour, {"client": client}))
        waits = [self._wait(limit, self._times(window, now, where), window, now) for limit, window, where in limits]
        if not asker.known:  # the ceilings: each group counts at most its share (above)
            waits += [
                self._wait(s.max_codes_per_account_per_window, self._account_times(subject, hour, now), hour, now),
                self._wait(s.max_codes_per_account_per_day, self._account_times(subject, day, now), day, now),
            ]
        wait = max(waits)
        if wait > 0:
            self.store.audit_log.add(now=now, result="too_many_codes", **audit)
            raise ApiError(
                429,
                "too_many_codes",
                "確認コードの送信を一時的に制限しています。しばらく待ってからお試しください。",
                retry_after=wait,
            )
        if len(self._account_times(subject, hour, now)) + 1 == s.code_alarm_codes:
            self._ceiling_alarm(now, audit)

    def _times(self, window: int, now: float, where: dict[str, str]) -> list[float]:
        return self.store.verifications.recent_code_times(now - window, **where)

    def _account_times(self, subject: str, window: int, now: float) -> list[float]:
        """The account's codes within `window` as its ceilings count them: each group at most its share, each
        block at most block_shares shares."""
        s = self.settings
        share = s.group_share_codes_per_window if window == s.code_rate_window_seconds else s.group_share_codes_per_day
        return self.store.verifications.account_code_times_capped(subject, now - window, share, share * s.block_shares)

    def _wait(self, limit: int, times: list[float], window: int, now: float) -> int:
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


def group_and_block_limits(s: Settings, asker: Asker) -> list[tuple[int, int, dict[str, str]]]:
    """The all-accounts group cap and the group's share of this account's codes (review 4, M1: refused
    openly, never a 202 without a code; each group so counts at most its share towards the ceilings),
    and the same for the group's block at block_cap_factor caps and block_shares shares (review 5, N1)."""
    hour, day = s.code_rate_window_seconds, s.guess_window_seconds
    group, block, subject = asker.origin.group, asker.origin.block, asker.subject
    return [
        (s.max_codes_per_group_per_window, hour, {"client_group": group}),
        (s.group_share_codes_per_window, hour, {"subject": subject, "client_group": group}),
        (s.group_share_codes_per_day, day, {"subject": subject, "client_group": group}),
        (s.max_codes_per_group_per_window * s.block_cap_factor, hour, {"client_block": block}),
        (s.group_share_codes_per_window * s.block_shares, hour, {"subject": subject, "client_block": block}),
        (s.group_share_codes_per_day * s.block_shares, day, {"subject": subject, "client_block": block}),
    ]
