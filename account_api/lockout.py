"""Wrong codes and locks: a conversation locks after a few wrong codes, an account only after many from
several clients, and a burst across all accounts raises an alarm (README "Lockout")."""

from __future__ import annotations

import logging
import math
from typing import Any

from .errors import ApiError
from .records import SubjectState, Verification
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
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def conversation_key(self, conversation_id: str) -> str:
        return keyed_hash(self.settings.pepper, "subject", "conversation", conversation_id)

    def refuse_if_locked(self, subject: str, conversation_id: str, now: float, audit: dict[str, Any]) -> None:
        """Raise 423 (and audit it) while the account or the conversation is locked."""
        locked_until = self._locked_until(subject, conversation_id, now)
        if locked_until is not None:
            self.store.audit_log.add(now=now, result="locked", **audit)
            raise locked(locked_until - now)

    def clear_conversation(self, conversation_id: str) -> None:
        """A right code: the conversation's count starts again from zero."""
        self.store.lockout.save_state(self.conversation_key(conversation_id), SubjectState(0, None, None))

    def wrong_code(self, v: Verification, conversation_id: str, now: float, audit: dict[str, Any]) -> ApiError:
        """Count a wrong code: lock the conversation after max_wrong_codes, the account only after
        account_lock_wrong_codes from account_lock_clients clients (README "Lockout")."""
        s, key = self.settings, self.conversation_key(conversation_id)
        self.store.lockout.add_wrong_code(v.subject, conversation_id, v.client, now)
        self._sound_alarm_if_needed(now)
        failed = self._state(key, now).failed_attempts + 1
        total, clients = self.store.lockout.wrong_codes_since(v.subject, now - s.lockout_seconds)
        if total >= s.account_lock_wrong_codes and clients >= s.account_lock_clients:
            self.store.lockout.save_state(v.subject, SubjectState(total, now, now + s.lockout_seconds))
            self.store.verifications.void_pending(subject=v.subject)
            self.store.audit_log.add(
                now=now, result="account_locked", detail=f"{total} wrong codes, {clients} clients", **audit
            )
            return locked(s.lockout_seconds)
        if failed >= s.max_wrong_codes:
            self.store.lockout.save_state(key, SubjectState(failed, now, now + s.lockout_seconds))
            self.store.verifications.void_pending(subject=v.subject, conversation_id=conversation_id)
            self.store.audit_log.add(now=now, result="locked", detail=f"wrong code {failed}", **audit)
            return locked(s.lockout_seconds)
        self.store.lockout.save_state(key, SubjectState(failed, now, None))
        self.store.audit_log.add(now=now, result="invalid_code", detail=f"wrong code {failed}", **audit)
        return ApiError(400, "invalid_code", "確認コードが正しくありません。", attempts_left=s.max_wrong_codes - failed)

    def _locked_until(self, subject: str, conversation_id: str, now: float) -> float | None:
        """When the later of the account's and the conversation's locks ends (None: neither is locked)."""
        ends = [self._state(k, now).locked_until for k in (subject, self.conversation_key(conversation_id))]
        return max((end for end in ends if end is not None), default=None)

    def _state(self, subject: str, now: float) -> SubjectState:
        """Wrong-code count and lock, with an ended lock or a stale count reset to zero."""
        state = self.store.lockout.state(subject)
        if state.locked_until is not None:
            return state if now < state.locked_until else SubjectState(0, None, None)
        if state.last_failed_at is not None and now - state.last_failed_at >= self.settings.lockout_seconds:
            return SubjectState(0, None, None)
        return state

    def _sound_alarm_if_needed(self, now: float) -> None:
        """Many wrong codes across all accounts: someone is guessing at scale. Tell the operators (once
        per window); nobody is locked out by it, or the alarm itself would be a way to deny service."""
        s = self.settings
        if self.store.lockout.all_wrong_codes_since(now - s.alarm_window_seconds) != s.alarm_wrong_codes:
            return
        logger.warning(
            "ALARM: %d wrong one-time codes in %d s across all accounts.", s.alarm_wrong_codes, s.alarm_window_seconds
        )
        self.store.audit_log.add(
            now=now, event="verification.alarm", result="alarm", detail=f"{s.alarm_wrong_codes} wrong codes"
        )
