"""Wrong codes and what they stop (README "Lockout"): a conversation locks after a few wrong codes, a client
after its budget for the account, and the account's codes are compared no more once the guessing bound
is reached; from a lower count on, and while the cross-account alarm is on, each code gets one try.

Every refusal is decided before a code is compared, so "refused" never tells a right code from a wrong
one: over a budget nothing is evaluated, and the bound on guesses holds however many clients ask.

A client that verified the account before (known_clients) is not refused by the account's bound: it
keeps its own budget, so strangers reaching the bound do not lock the customer's own phone or LINE out.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from .alarm import Alarm
from .errors import ApiError
from .records import Origin, SubjectState, Verification
from .security import keyed_hash
from .settings import Settings
from .store import Store

logger = logging.getLogger(__name__)


def locked(seconds: float) -> ApiError:
    return ApiError(
        423,
        "locked",
        "確認コードの誤りが続いたため、ご本人確認を一時的に停止しています。時間をおいてお試しください。",
        retry_after=max(1, math.ceil(seconds)),
    )


class Lockout:
    def __init__(self, store: Store, settings: Settings, alarm: Alarm) -> None:
        self.store = store
        self.settings = settings
        self.alarm = alarm

    def conversation_key(self, conversation_id: str) -> str:
        return keyed_hash(self.settings.pepper, "subject", "conversation", conversation_id)

    def refuse_if_locked(
        self,
        subject: str,
        named: str,
        conversation_id: str,
        origin: Origin,
        now: float,
        audit: dict[str, Any],
    ) -> None:
        """Raise 423 (and audit it, saying which) while the conversation is locked, the client has spent
        its wrong codes for this account, its group its share of them, its block its shares, or the
        account has reached the guessing bound."""
        conversation_lock = self._state(self.conversation_key(conversation_id), now).locked_until
        budgets = self._budget_waits(subject, named, origin, now)
        waits = {"conversation": (conversation_lock or now) - now, **budgets}
        which = max(waits, key=lambda name: waits[name])
        if waits[which] > 0:
            self.store.audit_log.add(now=now, result="locked", detail=which, **audit)
            raise locked(waits[which])

    def one_try_per_code(self, subject: str, now: float) -> bool:
        """Throttled: the account has many wrong codes from all its clients, or the alarm is on."""
        return self._recent(subject, now) >= self.settings.account_throttle_wrong_codes or self.alarm.is_on(now)

    def clear_conversation(self, conversation_id: str) -> None:
        """A right code: the conversation's count starts again from zero."""
        self.store.lockout.save_state(self.conversation_key(conversation_id), SubjectState(0, None, None))

    def wrong_code(self, v: Verification, conversation_id: str, now: float, audit: dict[str, Any]) -> ApiError:
        """Count a wrong code and answer it: 423 once a budget is spent (the client's, its group's share or
        the account's budget, or the conversation's 5), else 400 with the tries left; a throttled code is void after
        one try."""
        s, key = self.settings, self.conversation_key(conversation_id)
        throttled = self.one_try_per_code(v.subject, now)
        counted_before = self._recent(v.subject, now)
        self.store.lockout.add_wrong_code(v.subject, v.named, conversation_id, v.origin, now)
        self.alarm.note_wrong_code(now)
        counted = self._recent(v.subject, now)
        if counted > counted_before:  # past its group's share a wrong code adds nothing to the count
            tell_if_account_under_attack(self.store, self.settings, counted, now, audit)
        failed = self._state(key, now).failed_attempts + 1
        spent = {name: wait for name, wait in self._budget_waits(v.subject, v.named, v.origin, now).items() if wait > 0}
        if spent:
            # The pending codes this budget covers (the client's, or all the account's but those of its
            # known clients) can no longer be tried.
            if "account" in spent:
                self.store.verifications.void_pending(subject=v.subject, except_known_at=now)
            else:
                self.store.verifications.void_pending(subject=v.subject, client=v.client, named=v.named)
            conversation_lock = now + s.lockout_seconds if failed >= s.max_wrong_codes else None
            self.store.lockout.save_state(key, SubjectState(failed, now, conversation_lock))
            detail = f"wrong code {failed}, {' and '.join(spent)} budget spent"
            self.store.audit_log.add(now=now, result="locked", detail=detail, **audit)
            return locked(max(spent.values()))
        if failed >= s.max_wrong_codes:
            self.store.lockout.save_state(key, SubjectState(failed, now, now + s.lockout_seconds))
            self.store.verifications.void_pending(subject=v.subject, conversation_id=conversation_id)
            self.store.audit_log.add(now=now, result="locked", detail=f"wrong code {failed}", **audit)
            return locked(s.lockout_seconds)
        self.store.lockout.save_state(key, SubjectState(failed, now, None))
        detail = f"wrong code {failed}"
        if throttled:  # one try per code: this one is used up (a second try answers 410 expired)
            self.store.verifications.void(v.id)
            detail += ", throttled"
        self.store.audit_log.add(now=now, result="invalid_code", detail=detail, **audit)
        # The same answer, throttled or not (review 3, N2): nothing tells the account's state.
        left = min(s.max_wrong_codes - failed, s.client_wrong_codes - self._recent(v.subject, now, v.client, v.named))
        return ApiError(400, "invalid_code", "確認コードが正しくありません。", attempts_left=left)

    def _recent(self, subject: str, now: float, client: str | None = None, named: str | None = None) -> int:
        """The wrong codes of one client for one identifier, or (without them) of the account as its
        throttle and bound count them: each group at most its share."""
        since = now - self.settings.guess_window_seconds
        if client is None:
            return len(self._account_times(subject, since))
        return len(self.store.lockout.wrong_code_times(subject, since, client, named))

    def _account_times(self, subject: str, since: float) -> list[float]:
        share = self.settings.group_share_wrong_codes
        return self.store.lockout.account_wrong_code_times_capped(
            subject, since, share, share * self.settings.block_shares
        )

    def _budget_waits(self, subject: str, named: str, origin: Origin, now: float) -> dict[str, float]:
        """Seconds until the client's, its group's, its block's and the account's wrong-code budgets allow one
        more (0: not spent; all but the client's are always 0 for a client known to the account). The
        client's budget counts per identifier as typed, so spending it on one identifier says nothing about
        the account's others. The group's share (review 4, M1) and the block's shares (review 5, N1) are
        refused openly, never answered as a wrong code: past them nothing is compared, so each group adds
        at most its share to the guessing bound, each block block_shares shares."""
        s = self.settings
        known = self.store.known_clients.is_known(subject, origin.client, now)
        share = s.group_share_wrong_codes
        return {
            "client": self._budget_wait(subject, now, s.client_wrong_codes, origin.client, named),
            "group share": 0.0 if known else self._share_wait(subject, "client_group", origin.group, share, now),
            "block share": (
                0.0 if known else self._share_wait(subject, "client_block", origin.block, share * s.block_shares, now)
            ),
            "account": 0.0 if known else self._budget_wait(subject, now, s.account_max_wrong_codes),
        }

    def _share_wait(self, subject: str, level: str, value: str, share: int, now: float) -> float:
        """Seconds until the group (or block) may add one more wrong code to the account's count (0: within
        its `share`)."""
        window = self.settings.guess_window_seconds
        times = self.store.lockout.origin_wrong_code_times(subject, now - window, level, value)
        if len(times) < share:
            return 0.0
        return times[len(times) - share] + window - now

    def _budget_wait(
        self, subject: str, now: float, budget: int, client: str | None = None, named: str | None = None
    ) -> float:
        """Seconds until fewer than `budget` wrong codes (of the account, or of one client for it) lie
        within the guess window."""
        window = self.settings.guess_window_seconds
        if client is None:
            times = self._account_times(subject, now - window)
        else:
            times = self.store.lockout.wrong_code_times(subject, now - window, client, named)
        if len(times) < budget:
            return 0.0
        return times[len(times) - budget] + window - now

    def _state(self, subject: str, now: float) -> SubjectState:
        """A conversation's wrong-code count and lock, with an ended lock or a stale count reset to zero."""
        state = self.store.lockout.state(subject)
        if state.locked_until is not None:
            return state if now < state.locked_until else SubjectState(0, None, None)
        if state.last_failed_at is not None and now - state.last_failed_at >= self.settings.lockout_seconds:
            return SubjectState(0, None, None)
        return state


def tell_if_account_under_attack(store: Store, s: Settings, recent: int, now: float, audit: dict[str, Any]) -> None:
    """The account's wrong codes reached the throttle or the bound: told once each (audit + log without
    account, client or conversation), since only many clients together get there."""
    stage = {s.account_throttle_wrong_codes: "throttled", s.account_max_wrong_codes: "paused"}.get(recent)
    if stage is None:
        return
    logger.warning(
        "ALARM: an account reached %d wrong one-time codes in %d s (%s).", recent, s.guess_window_seconds, stage
    )
    store.audit_log.add(
        now=now,
        event="verification.account_alarm",
        result=stage,
        detail=f"{recent} wrong codes in {s.guess_window_seconds} s",
        subject=audit["subject"],
        customer_number=audit["customer_number"],
        conversation_id=audit["conversation_id"],
    )
