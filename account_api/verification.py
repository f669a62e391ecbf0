"""Verifying a customer with a one-time code: sending it (within the code limits, or a decoy for an
unknown identifier) and checking it (with the lockout)."""

from __future__ import annotations

from typing import Any

from . import messages
from .clock import Clock, iso_jst
from .code_limits import CodeLimits
from .errors import ApiError
from .identifiers import mask_mail
from .lockout import Lockout
from .outbox import Outbox
from .records import Customer, Verification
from .security import code_hash, code_matches, constant_time_equals, keyed_hash, new_code, new_verification_id
from .settings import Settings
from .store import Store

SENT_MESSAGE = "ご登録がある場合は、登録済みの連絡先に確認コードを送信しました。"


class VerificationService:
    def __init__(
        self, store: Store, settings: Settings, clock: Clock, lockout: Lockout, limits: CodeLimits, outbox: Outbox
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.lockout = lockout
        self.limits = limits
        self.outbox = outbox

    def start(
        self,
        conversation_id: str,
        customer_number: str | None = None,
        ocn_id: str | None = None,
        client_ref: str | None = None,
    ) -> dict[str, Any]:
        s, now = self.settings, self.clock.now()
        customer, identifier = self._customer(customer_number, ocn_id)
        subject = self._subject(customer, identifier)
        who = customer.customer_number if customer else None
        audit = dict(event="verification.start", conversation_id=conversation_id, customer_number=who, subject=subject)

        self.lockout.refuse_if_locked(subject, conversation_id, now, audit)
        # The client reference is already opaque, but it is hashed again with the pepper so nothing the
        # bot sends is stored as sent; without one, the conversation stands for the client.
        client = keyed_hash(
            s.pepper, "client", *(("ref", client_ref) if client_ref else ("conversation", conversation_id))
        )
        self.limits.refuse_if_reached(now, subject, client, conversation_id, audit)

        verification_id = self._issue_code(customer, subject, client, conversation_id, now)
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

    def confirm(self, verification_id: str, conversation_id: str, code: str) -> dict[str, Any]:
        s, now = self.settings, self.clock.now()
        v = self.store.verifications.get(verification_id)
        audit = dict(event="verification.confirm", conversation_id=conversation_id, verification_id=verification_id)
        if v is None or not constant_time_equals(v.conversation_id, conversation_id):
            self.store.audit_log.add(now=now, result="not_found", **audit)
            raise ApiError(404, "not_found", "確認手続きが見つかりません。")
        audit.update(customer_number=v.customer_number, subject=v.subject)

        self.lockout.refuse_if_locked(v.subject, conversation_id, now, audit)
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
            self.lockout.clear_conversation(conversation_id)
            self.store.audit_log.add(now=now, result="verified", **audit)
            return {"verified": True, "verified_until": iso_jst(verified_until), "expires_in": s.verified_ttl_seconds}
        raise self.lockout.wrong_code(v, conversation_id, now, audit)

    def _customer(self, customer_number: str | None, ocn_id: str | None) -> tuple[Customer | None, tuple[str, str]]:
        """The account (None if unknown) and the identifier it was asked for by."""
        if customer_number is not None:
            return self.store.accounts.by_number(customer_number), ("customer_number", customer_number)
        assert ocn_id is not None
        return self.store.accounts.by_ocn_id(ocn_id), ("ocn_id", ocn_id)

    def _subject(self, customer: Customer | None, identifier: tuple[str, str]) -> str:
        # Known accounts share one subject whichever identifier was given; unknown identifiers get
        # their own, so limits and lockout work the same for both and reveal nothing.
        if customer:
            return keyed_hash(self.settings.pepper, "subject", "customer", customer.customer_number)
        return keyed_hash(self.settings.pepper, "subject", "unknown", *identifier)

    def _issue_code(
        self, customer: Customer | None, subject: str, client: str, conversation_id: str, now: float
    ) -> str:
        s = self.settings
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
                customer_number=customer.customer_number if customer else None,
                code_hash=hashed if customer else None,
                status="pending",
                created_at=now,
                expires_at=now + s.code_ttl_seconds,
                verified_until=None,
            )
        )
        if customer:
            self.outbox.send_to_contact(customer, messages.verification_code(code, s.code_ttl_seconds // 60))
        return verification_id


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
