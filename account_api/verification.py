"""Verifying a customer with a one-time code: sending it (within the code limits, or a decoy for an
unknown identifier) and checking it (with the lockout)."""

from __future__ import annotations

import re
from typing import Any

from . import messages
from .clock import Clock, iso_jst
from .code_limits import Asker, CodeLimits
from .errors import ApiError
from .lockout import Lockout
from .outbox import Outbox
from .records import Customer, Origin, Verification
from .security import code_hash, code_matches, constant_time_equals, keyed_hash, new_code, new_verification_id
from .settings import Settings
from .store import Store

# The channels' format (channels/client_ref.py): "cr1_" and the client's HMAC (23 hex; 32 before
# 2026-12-05, of which the first 23 are the same), then ".network.block:group" (or ".network.group").
# Before the network part (2026-12-04) a reference was "cr1_<client>.<group>": one level, no network.
CLIENT_REF = re.compile(
    r"(?P<client>cr1_[0-9a-f]{23})[0-9a-f]{0,9}"
    r"(?:(?:\.[0-9a-f]{1,32})?\.(?P<block>[0-9a-f]{1,32})(?::(?P<group>[0-9a-f]{1,32}))?)?"
)
RAW = "raw:"  # what a reference not in the channels' format is read as: its own client, block and group


def client_block_and_group(client_ref: str) -> tuple[str, str, str]:
    """The client, block and group a client reference names: the contract's one rule (README "Lockout").
    In the channels' format, the client is its first part (so a change of the group levels keeps a
    known client known) and the block and group are after its last "." ("block:group"; one level is
    both). Anything else is its own client, block and group: nothing in it is read as a group, so a
    caller sending raw addresses cannot merge "203.0.113.7" with every other address ending in ".7"."""
    match = CLIENT_REF.fullmatch(client_ref)
    if match is None:
        raw = RAW + client_ref  # never the same as a part of a reference in the format (review 7)
        return raw, raw, raw
    client = match["client"]
    block = match["block"] or client
    return client, block, match["group"] or block


SENT_MESSAGE = "ご登録がある場合は、登録済みの連絡先に確認コードを送信しました。"

# How the account was named: ("customer_number" | "ocn_id" | "connection_id", its normalized value).
Identifier = tuple[str, str]


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
        self.hints = DestinationHints(store, settings)

    def start(self, conversation_id: str, identifier: Identifier, client_ref: str | None = None) -> dict[str, Any]:
        """Send a code for the account `identifier` names: ("customer_number" | "ocn_id" | "connection_id",
        its normalized value)."""
        s, now = self.settings, self.clock.now()
        customer = self._customer(identifier)
        subject = self._subject(customer, identifier)
        who = customer.customer_number if customer else None
        audit = dict(event="verification.start", conversation_id=conversation_id, customer_number=who, subject=subject)
        # The client reference is already opaque, but it is hashed again with the pepper so nothing the
        # bot sends is stored as sent; without one, the conversation stands for the client.
        origin = self._origin(conversation_id, client_ref)
        asker = Asker(
            subject=subject,
            named=keyed_hash(s.pepper, "named", *identifier),
            origin=origin,
            known=self.store.known_clients.is_known(subject, origin.client, now),
        )

        self.lockout.refuse_if_locked(subject, asker.named, conversation_id, asker.origin, now, audit)
        # Past its group's share of the account's codes: 429, never a 202 without a code (review 4, M1).
        self.limits.refuse_if_reached(now, asker, conversation_id, audit, self.lockout.alarm.is_on(now))

        verification_id = self._issue_code(customer, asker, conversation_id, now)
        result = "sent" if customer else "decoy"
        self.store.audit_log.add(now=now, result=result, verification_id=verification_id, **audit)
        channel, hint = self.hints.hint(customer, identifier, now)
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

        # Before the code is compared: over a budget nothing is evaluated (lockout.py).
        self.lockout.refuse_if_locked(v.subject, v.named, conversation_id, v.origin, now, audit)
        if v.status != "pending" or now >= v.expires_at:
            self.store.audit_log.add(now=now, result="expired", **audit)
            raise ApiError(
                410,
                "expired",
                "確認コードの有効期限が切れたか、すでに使われています。新しいコードをお取り寄せください。",
            )

        # Past its group's share of the account's wrong codes refuse_if_locked refused: nothing compared.
        if code_matches(s.pepper, v.id, code, v.code_hash):
            verified_until = now + s.verified_ttl_seconds
            self.store.verifications.mark_verified(v.id, verified_until)
            # This client may ask for this account's codes whatever strangers do (README "Lockout").
            self.store.known_clients.remember(v.subject, v.client, now + s.known_client_seconds)
            self.lockout.clear_conversation(conversation_id)
            self.store.audit_log.add(now=now, result="verified", **audit)
            return {"verified": True, "verified_until": iso_jst(verified_until), "expires_in": s.verified_ttl_seconds}
        raise self.lockout.wrong_code(v, conversation_id, now, audit)

    def _origin(self, conversation_id: str, client_ref: str | None) -> Origin:
        """The client, its group and its block, hashed again with the pepper, so nothing the bot sends is
        stored as sent (without a reference, the conversation stands for all three)."""
        pepper = self.settings.pepper
        if not client_ref:
            client = keyed_hash(pepper, "client", "conversation", conversation_id)
            return Origin(client, client, client)
        client, block, group = client_block_and_group(client_ref)
        return Origin(
            keyed_hash(pepper, "client", "ref", client),
            keyed_hash(pepper, "group", group),
            keyed_hash(pepper, "block", block),
        )

    def _customer(self, identifier: Identifier) -> Customer | None:
        """The account the identifier names (None if unknown)."""
        kind, value = identifier
        lookup = {
            "customer_number": self.store.accounts.by_number,
            "ocn_id": self.store.accounts.by_ocn_id,
            "connection_id": self.store.accounts.by_connection_id,
        }[kind]
        return lookup(value)

    def _subject(self, customer: Customer | None, identifier: Identifier) -> str:
        # Known accounts share one subject whichever identifier was given; unknown identifiers get
        # their own, so limits and lockout work the same for both and reveal nothing.
        if customer:
            return keyed_hash(self.settings.pepper, "subject", "customer", customer.customer_number)
        return keyed_hash(self.settings.pepper, "subject", "unknown", *identifier)

    def _issue_code(self, customer: Customer | None, asker: Asker, conversation_id: str, now: float) -> str:
        s, subject = self.settings, asker.subject
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
                client=asker.origin.client,
                client_group=asker.origin.group,
                client_block=asker.origin.block,
                named=asker.named,
                customer_number=customer.customer_number if customer else None,
                code_hash=hashed if customer else None,
                status="pending",
                created_at=now,
                expires_at=now + s.code_ttl_seconds,
                verified_until=None,
            )
        )
        if customer:
            self.outbox.send_to_contact(customer, messages.verification_code(code, max(1, s.code_ttl_seconds // 60)))
        return verification_id


class DestinationHints:
    """Where the code went, for a customer whose code did not arrive, told so that a known account and
    an unknown identifier cannot be told apart (issue 21 item 9):

    - a phone shows its last 2 digits (`***-****-**78`), which are uniform over real numbers and are
      drawn uniformly for a decoy;
    - a mail address shows nothing before verification (`null`): its first letters and domain have a
      distribution no decoy can copy;
    - a decoy goes to "mail" with the measured share of accounts without a mobile (rounded to
      contact_share_step, measured at most every contact_share_refresh_seconds).

    A decoy is derived from the identifier with the pepper, so it is the same on every request.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._share: tuple[float, float] | None = None  # (measured at, share without a mobile)

    def hint(self, customer: Customer | None, identifier: Identifier, now: float) -> tuple[str, str | None]:
        if customer is not None:
            channel, last_digits = customer.contact_channel, (customer.mobile or "")[-2:]
        else:
            draw = int(keyed_hash(self.settings.pepper, "destination-hint", *identifier), 16)
            channel = "mail" if (draw % 10_000) / 10_000 < self.share_without_mobile(now) else "sms"
            last_digits = f"{draw // 10_000 % 100:02d}"
        return (channel, f"***-****-**{last_digits}") if channel == "sms" else (channel, None)

    def share_without_mobile(self, now: float) -> float:
        s = self.settings
        if self._share is None or now - self._share[0] >= s.contact_share_refresh_seconds:
            measured = self.store.accounts.share_without_mobile()
            self._share = (now, round(measured / s.contact_share_step) * s.contact_share_step)
        return self._share[1]
