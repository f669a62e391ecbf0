"""What the account API does: verification, lockout, rate limits, procedures, outbox and audit.

HTTP-free; app.py parses requests and renders results. Every public method runs inside the caller's
transaction and raises ApiError for anything the client must be told about.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from . import messages
from .clock import Clock, iso_jst
from .errors import ApiError
from .identifiers import format_phone, mask_address, mask_customer_number, mask_mail, mask_phone
from .security import (
    SecretBox,
    code_hash,
    code_matches,
    constant_time_equals,
    keyed_hash,
    new_code,
    new_token,
    new_verification_id,
)
from .settings import Settings
from .store import Customer, Store, SubjectState, Verification

LOGIN_HISTORY_SIZE = 10
MYPAGE_SECTION = "ご契約内容の確認 ＞ 接続用ID・接続用パスワード"

logger = logging.getLogger(__name__)

SENT_MESSAGE = "ご登録がある場合は、登録済みの連絡先に確認コードを送信しました。"


class AccountService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.box = SecretBox(settings.encryption_key)

    # -- verification ------------------------------------------------------------------------------

    def start_verification(
        self,
        conversation_id: str,
        customer_number: str | None = None,
        ocn_id: str | None = None,
        client_ref: str | None = None,
    ) -> dict[str, Any]:
        s, now = self.settings, self.clock.now()
        if customer_number is not None:
            customer = self.store.accounts.by_number(customer_number)
            identifier = ("customer_number", customer_number)
        else:
            assert ocn_id is not None
            customer = self.store.accounts.by_ocn_id(ocn_id)
            identifier = ("ocn_id", ocn_id)
        # Known accounts share one subject whichever identifier was given; unknown identifiers get
        # their own, so limits and lockout work the same for both and reveal nothing.
        subject = (
            keyed_hash(s.pepper, "subject", "customer", customer.customer_number)
            if customer
            else keyed_hash(s.pepper, "subject", "unknown", *identifier)
        )
        who = customer.customer_number if customer else None
        audit = dict(event="verification.start", conversation_id=conversation_id, customer_number=who, subject=subject)

        locked_until = self._locked_until(subject, conversation_id, now)
        if locked_until is not None:
            self.store.audit_log.add(now=now, result="locked", **audit)
            raise self._locked(locked_until - now)
        # The client reference is already opaque, but it is hashed again with the pepper so nothing the
        # bot sends is stored as sent; without one, the conversation stands for the client.
        client = keyed_hash(
            s.pepper, "client", *(("ref", client_ref) if client_ref else ("conversation", conversation_id))
        )
        ceiling_wait = self._limit_wait(s.max_codes_per_account_per_window, now, subject=subject)
        if ceiling_wait > 0:
            self._code_ceiling_alarm(now, audit)
        wait = max(
            ceiling_wait,
            self._limit_wait(s.max_codes_per_client_per_window, now, subject=subject, client=client),
            self._limit_wait(s.max_codes_per_conversation_per_window, now, conversation_id=conversation_id),
        )
        if wait > 0:
            self.store.audit_log.add(now=now, result="too_many_codes", **audit)
            raise ApiError(
                429,
                "too_many_codes",
                "確認コードの送信回数が上限に達しました。しばらく待ってからお試しください。",
                retry_after=wait,
            )

        verification_id = new_verification_id()
        code = new_code()  # also drawn for decoys, so both paths do the same work
        hashed = code_hash(s.pepper, verification_id, code)
        # A new code replaces any earlier one of this conversation for this account.
        self.store.verifications.void_pending(subject=subject, conversation_id=conversation_id)
        self.store.verifications.add(
            Verification(
                id=verification_id,
                conversation_id=conversation_id,
                subject=subject,
                client=client,
                customer_number=who,
                code_hash=hashed if customer else None,
                status="pending",
                created_at=now,
                expires_at=now + s.code_ttl_seconds,
                verified_until=None,
            )
        )
        if customer:
            self._send(
                customer,
                customer.contact_channel,
                customer.contact_destination,
                messages.verification_code(code, s.code_ttl_seconds // 60),
            )
        self.store.audit_log.add(
            now=now, result="sent" if customer else "decoy", verification_id=verification_id, **audit
        )
        channel, hint = destination_hint(s.pepper, customer, identifier)
        return {
            "verification_id": verification_id,
            "expires_in": s.code_ttl_seconds,
            "message": SENT_MESSAGE,
            "channel": channel,
            "destination_hint": hint,
        }

    def confirm_verification(self, verification_id: str, conversation_id: str, code: str) -> dict[str, Any]:
        s, now = self.settings, self.clock.now()
        v = self.store.verifications.get(verification_id)
        audit = dict(event="verification.confirm", conversation_id=conversation_id, verification_id=verification_id)
        if v is None or not constant_time_equals(v.conversation_id, conversation_id):
            self.store.audit_log.add(now=now, result="not_found", **audit)
            raise ApiError(404, "not_found", "確認手続きが見つかりません。")
        audit.update(customer_number=v.customer_number, subject=v.subject)

        locked_until = self._locked_until(v.subject, conversation_id, now)
        if locked_until is not None:
            self.store.audit_log.add(now=now, result="locked", **audit)
            raise self._locked(locked_until - now)
        if v.status != "pending" or now >= v.expires_at:
            self.store.audit_log.add(now=now, result="expired", **audit)
            raise ApiError(
                410,
                "expired",
                "確認コードの有効期限が切れたか、すでに使われています。新しいコードをお取り寄せください。",
            )

        if code_matches(s.pepper, v.id, code, v.code_hash):
            verified_until = now + s.verified_ttl_seconds
            self.store.verifications.mark_verified(v.id, verified_until)
            self.store.lockout.save_state(self._conversation_key(conversation_id), SubjectState(0, None, None))
            self.store.audit_log.add(now=now, result="verified", **audit)
            return {"verified": True, "verified_until": iso_jst(verified_until), "expires_in": s.verified_ttl_seconds}
        raise self._wrong_code(v, conversation_id, now, audit)

    def _wrong_code(self, v: Verification, conversation_id: str, now: float, audit: dict[str, Any]) -> ApiError:
        """Count a wrong code: lock the conversation after max_wrong_codes, the account only after
        account_lock_wrong_codes from account_lock_clients clients (README "Lockout")."""
        s, key = self.settings, self._conversation_key(conversation_id)
        self.store.lockout.add_wrong_code(v.subject, conversation_id, v.client, now)
        self._sound_alarm_if_needed(now)
        failed = self._subject_state(key, now).failed_attempts + 1
        total, clients = self.store.lockout.wrong_codes_since(v.subject, now - s.lockout_seconds)
        if total >= s.account_lock_wrong_codes and clients >= s.account_lock_clients:
            self.store.lockout.save_state(v.subject, SubjectState(total, now, now + s.lockout_seconds))
            self.store.verifications.void_pending(subject=v.subject)
            self.store.audit_log.add(
                now=now, result="account_locked", detail=f"{total} wrong codes, {clients} clients", **audit
            )
            return self._locked(s.lockout_seconds)
        if failed >= s.max_wrong_codes:
            self.store.lockout.save_state(key, SubjectState(failed, now, now + s.lockout_seconds))
            self.store.verifications.void_pending(subject=v.subject, conversation_id=conversation_id)
            self.store.audit_log.add(now=now, result="locked", detail=f"wrong code {failed}", **audit)
            return self._locked(s.lockout_seconds)
        self.store.lockout.save_state(key, SubjectState(failed, now, None))
        self.store.audit_log.add(now=now, result="invalid_code", detail=f"wrong code {failed}", **audit)
        return ApiError(400, "invalid_code", "確認コードが正しくありません。", attempts_left=s.max_wrong_codes - failed)

    def _conversation_key(self, conversation_id: str) -> str:
        return keyed_hash(self.settings.pepper, "subject", "conversation", conversation_id)

    def _locked_until(self, subject: str, conversation_id: str, now: float) -> float | None:
        """When the later of the account's and the conversation's locks ends (None: neither is locked)."""
        ends = [self._subject_state(k, now).locked_until for k in (subject, self._conversation_key(conversation_id))]
        return max((end for end in ends if end is not None), default=None)

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

    def _code_ceiling_alarm(self, now: float, audit: dict[str, Any]) -> None:
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

    # -- procedures --------------------------------------------------------------------------------

    def account_summary(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "account.summary")
        self._audit_ok("account.summary", verification_id, conversation_id, c)
        return {
            "customer_number_masked": mask_customer_number(c.customer_number),
            "ocn_id_masked": mask_mail(c.ocn_id),
            "connection_id_masked": mask_mail(c.connection_id),
            "contact_channel": c.contact_channel,
            "contact_masked": self._mask_destination(c.contact_channel, c.contact_destination),
            "has_mobile": c.mobile is not None,
            "address_masked": mask_address(c.address_region),
        }

    def password_reset(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        s, now = self.settings, self.clock.now()
        c = self._verified_customer(verification_id, conversation_id, "procedure.password_reset")
        token = new_token()
        self.store.accounts.add_password_reset(
            keyed_hash(s.pepper, "password-reset", token), c.customer_number, now, now + s.password_reset_ttl_seconds
        )
        link = f"{s.password_reset_url}?token={token}"
        sent = self._send_to_contact(c, messages.password_reset(link, s.password_reset_ttl_seconds // 3600))
        self._audit_ok("procedure.password_reset", verification_id, conversation_id, c, sent["channel"])
        return sent

    def connection_credentials(self, verification_id: str, conversation_id: str, method: str) -> dict[str, Any]:
        event = "procedure.connection_credentials"
        c = self._verified_customer(verification_id, conversation_id, event)
        if method == "mypage":
            self._audit_ok(event, verification_id, conversation_id, c, method)
            return {
                "method": "mypage",
                "destination_masked": None,
                "mypage_url": self.settings.mypage_url or None,
                "mypage_section": MYPAGE_SECTION,
            }
        if method == "sms" and not c.mobile:
            self.store.audit_log.add(
                now=self.clock.now(),
                event=event,
                result="no_mobile",
                detail=method,
                conversation_id=conversation_id,
                verification_id=verification_id,
                customer_number=c.customer_number,
            )
            raise ApiError(
                400, "no_mobile", "SMSを受け取れる携帯電話番号が登録されていません。郵送かマイページをご利用ください。"
            )
        # 「確認」: the customer is told the *current* password. Issuing a new one would break a router that
        # works today at its next reconnect, so the stored password is decrypted, never replaced.
        encrypted = self.store.accounts.connection_password_encrypted(c.customer_number)
        assert encrypted is not None  # every customer row has one (NOT NULL)
        message = messages.connection_credentials(c.connection_id, self.box.decrypt(encrypted))
        if method == "sms":
            assert c.mobile is not None
            result = self._send(c, "sms", c.mobile, message)
        else:
            result = self._send(c, "post", c.postal_address, message)
            result["eta_days"] = self.settings.post_eta_days
        self._audit_ok(event, verification_id, conversation_id, c, method)
        return {"method": method, **result}

    def send_customer_number(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "procedure.customer_number")
        sent = self._send_to_contact(c, messages.customer_number(c.customer_number))
        self._audit_ok("procedure.customer_number", verification_id, conversation_id, c, sent["channel"])
        return {**sent, "customer_number_masked": mask_customer_number(c.customer_number)}

    def send_ocn_id(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "procedure.ocn_id")
        sent = self._send_to_contact(c, messages.ocn_id(c.ocn_id))
        self._audit_ok("procedure.ocn_id", verification_id, conversation_id, c, sent["channel"])
        return {**sent, "ocn_id_masked": mask_mail(c.ocn_id)}

    def login_history(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "account.login_history")
        rows = self.store.accounts.recent_logins(c.customer_number, LOGIN_HISTORY_SIZE)
        logins = [
            {
                "time": iso_jst(r["at"]),
                "region": r["region"],
                "device": r["device"],
                "success": bool(r["success"]),
                "unfamiliar": bool(r["unfamiliar"]),
            }
            for r in rows
        ]
        self._audit_ok("account.login_history", verification_id, conversation_id, c)
        return {"logins": logins, "unfamiliar_count": sum(1 for x in logins if x["unfamiliar"])}

    # -- dev ---------------------------------------------------------------------------------------

    def outbox(self, to: str | None, last: int) -> dict[str, Any]:
        return {"messages": [outbox_entry(r, self.box) for r in self.store.outbox.latest(to, last)]}

    # -- helpers -----------------------------------------------------------------------------------

    def _subject_state(self, subject: str, now: float) -> SubjectState:
        """Wrong-code count and lock, with an ended lock or a stale count reset to zero."""
        state = self.store.lockout.state(subject)
        if state.locked_until is not None:
            return state if now < state.locked_until else SubjectState(0, None, None)
        if state.last_failed_at is not None and now - state.last_failed_at >= self.settings.lockout_seconds:
            return SubjectState(0, None, None)
        return state

    def _limit_wait(self, limit: int, now: float, **where: str) -> int:
        window = self.settings.code_rate_window_seconds
        times = self.store.verifications.recent_code_times(now - window, **where)
        if len(times) < limit:
            return 0
        # Wait until enough codes of the window have aged out to send one more.
        return max(1, math.ceil(times[len(times) - limit] + window - now))

    def _locked(self, seconds: float) -> ApiError:
        return ApiError(
            423,
            "locked",
            "確認コードの誤りが続いたため、ご本人確認を一時的に停止しています。時間をおいてお試しください。",
            retry_after=max(1, math.ceil(seconds)),
        )

    def _verified_customer(self, verification_id: str, conversation_id: str, event: str) -> Customer:
        now = self.clock.now()
        v = self.store.verifications.get(verification_id)
        ok = (
            v is not None
            and v.status == "verified"
            and v.customer_number is not None
            and constant_time_equals(v.conversation_id, conversation_id)
            and v.verified_until is not None
            and now < v.verified_until
        )
        customer = self.store.accounts.by_number(v.customer_number) if ok and v and v.customer_number else None
        if customer is None:
            self.store.audit_log.add(
                now=now,
                event=event,
                result="not_verified",
                conversation_id=conversation_id,
                verification_id=verification_id,
            )
            raise ApiError(401, "not_verified", "ご本人確認が済んでいないか、有効期限（15分）が切れています。")
        return customer

    def _audit_ok(
        self, event: str, verification_id: str, conversation_id: str, c: Customer, detail: str | None = None
    ) -> None:
        self.store.audit_log.add(
            now=self.clock.now(),
            event=event,
            result="ok",
            conversation_id=conversation_id,
            verification_id=verification_id,
            customer_number=c.customer_number,
            detail=detail,
        )

    def _send_to_contact(self, c: Customer, message: messages.Message) -> dict[str, Any]:
        return self._send(c, c.contact_channel, c.contact_destination, message)

    def _send(self, c: Customer, channel: str, destination: str, message: messages.Message) -> dict[str, Any]:
        self.store.outbox.add(
            now=self.clock.now(),
            channel=channel,
            destination=destination,
            customer_number=c.customer_number,
            kind=message.kind,
            subject=message.subject,
            body=self.box.encrypt(message.body),
        )
        masked = mask_address(c.address_region) if channel == "post" else self._mask_destination(channel, destination)
        return {"channel": channel, "destination_masked": masked}

    @staticmethod
    def _mask_destination(channel: str, destination: str) -> str:
        return mask_phone(destination) if channel == "sms" else mask_mail(destination)


_DECOY_MAIL_DOMAINS = ("ocn.ne.jp", "gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com", "ezweb.ne.jp")


def destination_hint(pepper: str, customer: Customer | None, identifier: tuple[str, str]) -> tuple[str, str]:
    """Where the code went, masked more than after verification (a phone shows 2 digits, not 4), so a
    customer whose code did not arrive can check it. An unknown identifier gets a decoy of the same
    shapes, derived from the identifier with the pepper: the same on every request, so neither the
    hint's presence, its form nor its changing tells whether the account exists."""
    if customer is not None:
        channel, destination = customer.contact_channel, customer.contact_destination
    else:
        draw = int(keyed_hash(pepper, "destination-hint", *identifier), 16)
        channel = "mail" if draw % 3 == 0 else "sms"  # about the share of accounts without a mobile
        if channel == "sms":
            destination = f"0{(7, 8, 9)[draw // 3 % 3]}0{draw // 9 % 10**8:08d}"
        elif identifier[0] == "ocn_id":
            destination = identifier[1]  # mail goes to the OCN ID itself when there is no other contact
        else:
            letters = "".join(chr(ord("a") + (draw >> (8 * i)) % 26) for i in range(2))
            destination = f"{letters}@{_DECOY_MAIL_DOMAINS[draw // 9 % len(_DECOY_MAIL_DOMAINS)]}"
    if channel == "sms":
        return channel, f"***-****-**{destination[-2:]}"
    return channel, mask_mail(destination)


def outbox_entry(row: Any, box: SecretBox) -> dict[str, Any]:
    to = format_phone(row["destination"]) if row["channel"] == "sms" else row["destination"]
    return {
        "id": row["id"],
        "sent_at": iso_jst(row["created_at"]),
        "channel": row["channel"],
        "to": to,
        "customer_number": row["customer_number"],
        "kind": row["kind"],
        "subject": row["subject"],
        "body": box.decrypt(row["body"]),
    }
