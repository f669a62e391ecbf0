"""Sending: what the sandbox "sends" lands in its outbox (encrypted), and reading it back (/dev/outbox, CLI)."""

from __future__ import annotations

from typing import Any

from . import messages
from .clock import Clock, iso_jst
from .identifiers import format_phone, mask_address, mask_mail, mask_phone
from .records import Customer
from .repositories import OutboxRepository
from .security import SecretBox


class Outbox:
    def __init__(self, repository: OutboxRepository, box: SecretBox, clock: Clock) -> None:
        self.repository = repository
        self.box = box
        self.clock = clock

    def send_to_contact(self, c: Customer, message: messages.Message) -> dict[str, Any]:
        return self.send(c, c.contact_channel, c.contact_destination, message)

    def send(self, c: Customer, channel: str, destination: str, message: messages.Message) -> dict[str, Any]:
        """Store the message and say where it went, masked."""
        self.repository.add(
            now=self.clock.now(),
            channel=channel,
            destination=destination,
            customer_number=c.customer_number,
            kind=message.kind,
            subject=message.subject,
            body=self.box.encrypt(message.body),
        )
        masked = mask_address(c.address_region) if channel == "post" else mask_destination(channel, destination)
        return {"channel": channel, "destination_masked": masked}

    def latest(self, to: str | None, last: int) -> dict[str, Any]:
        return {"messages": [outbox_entry(r, self.box) for r in self.repository.latest(to, last)]}


def mask_destination(channel: str, destination: str) -> str:
    return mask_phone(destination) if channel == "sms" else mask_mail(destination)


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
