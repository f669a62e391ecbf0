"""The rows the sandbox reads back as values: a customer, a verification, a subject's lockout state."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Customer:
    customer_number: str
    ocn_id: str
    connection_id: str
    name: str
    mobile: str | None
    contact_mail: str
    postal_code: str
    address_region: str
    address_line: str

    @property
    def contact_channel(self) -> str:
        return "sms" if self.mobile else "mail"

    @property
    def contact_destination(self) -> str:
        return self.mobile or self.contact_mail

    @property
    def postal_address(self) -> str:
        return f"〒{self.postal_code} {self.address_region}{self.address_line}"


@dataclass(frozen=True)
class Verification:
    id: str
    conversation_id: str
    subject: str
    client: str
    client_group: str
    client_block: str
    named: str
    customer_number: str | None
    code_hash: str | None
    status: str
    created_at: float
    expires_at: float
    verified_until: float | None

    @property
    def origin(self) -> Origin:
        return Origin(self.client, self.client_group, self.client_block)


@dataclass(frozen=True)
class Origin:
    """Where a code request or a wrong code came from, as the limits count it (keyed hashes, README
    "Lockout"): the client, its group (the unit of a share) and the group's block (a few shares at most)."""

    client: str
    group: str
    block: str


@dataclass(frozen=True)
class SubjectState:
    failed_attempts: int
    last_failed_at: float | None
    locked_until: float | None
