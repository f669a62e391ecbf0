"""What the account API answers, typed: one frozen dataclass per kind of result (`from_body` reads it from the reply), and the two ways a
call fails (AccountApiUnavailable: nobody in the chat can fix it; AccountApiError: the API said no)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")


class AccountApiUnavailable(Exception):
    """The API is down, too slow, answered 5xx (after retries) or something unusable.

    Also raised when it rejects our service token: a configuration fault nobody in the chat can fix.
    From a call that acts (a POST), this means it was NOT carried out: either no attempt reached the
    API, or the API said so when asked for the outcome (AccountClient asks after an unanswered attempt);
    when that cannot be told, the call raises AccountApiOutcomeUnknown instead.

    `unanswered` (transport level): some attempt may have reached the API without our hearing back (a
    read timeout, a dropped connection, 502/504 from a gateway), so it may have been carried out.
    """

    def __init__(self, message: str, status: int | None = None, *, unanswered: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.unanswered = unanswered


class AccountApiOutcomeUnknown(AccountApiUnavailable):
    """A call that acts got no answer, and asking the API for its outcome failed too: it may or may
    not have been carried out. The customer is told exactly that, never 「行われていません」."""


class AccountApiError(Exception):
    """The API refused the request (4xx). `code` is the API's error code, e.g. invalid_code, locked,
    expired, too_many_codes, not_verified, no_mobile, not_found."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        retry_after: int | None = None,
        attempts_left: int | None = None,
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class VerificationStarted:
    verification_id: str
    expires_in: int  # seconds the code stays valid
    channel: str | None = None  # sms / mail: where the code went (a decoy for unknown accounts)
    destination_hint: str | None = None  # masked: ***-****-**78 / ta****@ocn.ne.jp

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> VerificationStarted:
        return cls(
            str(data["verification_id"]), int(data["expires_in"]), data.get("channel"), data.get("destination_hint")
        )


@dataclass(frozen=True)
class VerificationConfirmed:
    verified_until: datetime
    expires_in: int  # seconds the verification stays valid

    @property
    def verified_until_epoch(self) -> float:
        return self.verified_until.timestamp()

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> VerificationConfirmed:
        return cls(datetime.fromisoformat(data["verified_until"]), int(data["expires_in"]))


@dataclass(frozen=True)
class AccountSummary:
    customer_number_masked: str
    ocn_id_masked: str
    connection_id_masked: str | None
    contact_channel: str  # "sms" or "mail"
    contact_masked: str
    has_mobile: bool
    address_masked: str

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> AccountSummary:
        return cls(
            customer_number_masked=data["customer_number_masked"],
            ocn_id_masked=data["ocn_id_masked"],
            connection_id_masked=data.get("connection_id_masked"),
            contact_channel=data["contact_channel"],
            contact_masked=data["contact_masked"],
            has_mobile=bool(data.get("has_mobile", data["contact_channel"] == "sms")),
            address_masked=data["address_masked"],
        )


@dataclass(frozen=True)
class Delivery:
    channel: str  # "sms" or "mail"
    destination_masked: str

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> Delivery:
        return cls(data["channel"], data["destination_masked"])


@dataclass(frozen=True)
class ConnectionCredentialsResult:
    method: str  # "sms", "post" or "mypage"
    channel: str | None  # None for mypage: nothing is sent
    destination_masked: str | None
    eta_days: int | None = None  # post only
    mypage_url: str | None = None  # mypage only
    mypage_section: str | None = None

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> ConnectionCredentialsResult:
        return cls(
            method=data["method"],
            channel=data.get("channel"),
            destination_masked=data.get("destination_masked"),
            eta_days=data.get("eta_days"),
            mypage_url=data.get("mypage_url"),
            mypage_section=data.get("mypage_section"),
        )


@dataclass(frozen=True)
class CustomerNumberSent:
    channel: str
    destination_masked: str
    customer_number_masked: str

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> CustomerNumberSent:
        return cls(data["channel"], data["destination_masked"], data["customer_number_masked"])


@dataclass(frozen=True)
class OcnIdSent:
    channel: str
    destination_masked: str
    ocn_id_masked: str

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> OcnIdSent:
        return cls(data["channel"], data["destination_masked"], data["ocn_id_masked"])


@dataclass(frozen=True)
class LoginRecord:
    time: datetime
    region: str
    device: str
    success: bool
    unfamiliar: bool

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> LoginRecord:
        return cls(
            time=datetime.fromisoformat(data["time"]),
            region=data["region"],
            device=data["device"],
            success=bool(data["success"]),
            unfamiliar=bool(data["unfamiliar"]),
        )


@dataclass(frozen=True)
class RequestOutcome:
    """What became of a POST whose reply never arrived (GET /v1/outcomes): its stored reply, or none."""

    carried_out: bool
    status: int = 0  # the POST's status when carried out (a refusal is an outcome too)
    body: dict[str, Any] = field(default_factory=dict)  # its reply body

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> RequestOutcome:
        if data["state"] == "not_found":
            return cls(False)
        if data["state"] != "completed" or not isinstance(data["body"], dict):
            raise ValueError("unknown outcome")
        return cls(True, int(data["status"]), data["body"])


def read_result(read: Callable[[dict[str, Any]], T], data: dict[str, Any]) -> T:
    """A 2xx whose body lacks what the contract promises is the server's fault, not the customer's."""
    try:
        return read(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise AccountApiUnavailable(f"unexpected response: {type(exc).__name__}") from None
