"""Client of OCN's account API: the only module the bot uses to reach it.

Contract: account_api/README.md and account_api/openapi.yaml (the sandbox in account_api/ implements it).

- Every call has a (connect, read) timeout.
- Idempotent calls are retried a bounded number of times with exponential backoff on connection
  errors, timeouts and 502/503/504: GETs, and POSTs, which all carry an Idempotency-Key that is reused
  for every attempt, so a retried request never acts twice. A 4xx is never retried.
- Failures surface as two exceptions: AccountApiUnavailable (the customer gets an apology and a way
  to reach a person) and AccountApiError (the API said no, `.code` says why).
- Nothing sensitive is logged: at most the endpoint, the status, the attempt and the duration, never a
  code, a token, a body or a query string.

The calls are blocking (requests); worst case per call is (retries + 1) x (connect + read timeout) plus
backoff, so keep timeouts short or run calls in a thread pool from async code.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_URL = "http://127.0.0.1:5056"
DEV_TOKEN = "dev-service-token"  # the sandbox's public dev default; real deployments set ACCOUNT_API_TOKEN


def public_default_refusal(base_url: str, token: str) -> str | None:
    """Why the client must not talk to `base_url` with `token` (None: it may). The public development
    token is for a sandbox on this machine only; sent anywhere else it is no secret at all."""
    host = urlsplit(base_url).hostname or ""
    if token != DEV_TOKEN or host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"ACCOUNT_API_TOKEN is the public development token but ACCOUNT_API_URL ({host}) is not this machine"


def check_environment(env: Mapping[str, str] | None = None) -> None:
    """Refuse to start the action server with the public token towards another machine."""
    env = os.environ if env is None else env
    refused = public_default_refusal(
        env.get("ACCOUNT_API_URL") or DEFAULT_URL, env.get("ACCOUNT_API_TOKEN") or DEV_TOKEN
    )
    if refused:
        raise SystemExit(f"action server refuses to start: {refused}.")


TOKEN_HEADER = "X-Service-Token"
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_STATUSES = frozenset({502, 503, 504})
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
# Used when a 4xx carries no JSON error body (e.g. a proxy's HTML page).
_STATUS_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    404: "not_found",
    409: "conflict",
    410: "expired",
    413: "payload_too_large",
    422: "invalid_request",
    423: "locked",
    429: "too_many_codes",
}


# -- errors -------------------------------------------------------------------------------------


class AccountApiUnavailable(Exception):
    """The API is down, too slow, answered 5xx (after retries) or something unusable.

    Also raised when it rejects our service token: a configuration fault nobody in the chat can fix.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


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


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationStarted:
    verification_id: str
    expires_in: int  # seconds the code stays valid
    channel: str | None = None  # sms / mail: where the code went (a decoy for unknown accounts)
    destination_hint: str | None = None  # masked: ***-****-**78 / ta****@ocn.ne.jp


@dataclass(frozen=True)
class VerificationConfirmed:
    verified_until: datetime
    expires_in: int  # seconds the verification stays valid

    @property
    def verified_until_epoch(self) -> float:
        return self.verified_until.timestamp()


@dataclass(frozen=True)
class AccountSummary:
    customer_number_masked: str
    ocn_id_masked: str
    connection_id_masked: str | None
    contact_channel: str  # "sms" or "mail"
    contact_masked: str
    has_mobile: bool
    address_masked: str


@dataclass(frozen=True)
class Delivery:
    channel: str  # "sms" or "mail"
    destination_masked: str


@dataclass(frozen=True)
class ConnectionCredentialsResult:
    method: str  # "sms", "post" or "mypage"
    channel: str | None  # None for mypage: nothing is sent
    destination_masked: str | None
    eta_days: int | None = None  # post only
    mypage_url: str | None = None  # mypage only
    mypage_section: str | None = None


@dataclass(frozen=True)
class CustomerNumberSent:
    channel: str
    destination_masked: str
    customer_number_masked: str


@dataclass(frozen=True)
class OcnIdSent:
    channel: str
    destination_masked: str
    ocn_id_masked: str


@dataclass(frozen=True)
class LoginRecord:
    time: datetime
    region: str
    device: str
    success: bool
    unfamiliar: bool


# -- client -------------------------------------------------------------------------------------


class AccountClient:
    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        token: str = DEV_TOKEN,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        max_backoff: float = 2.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self.session = session or requests.Session()
        # Our own retry loop decides; urllib3 must not retry behind its back.
        adapter = HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(
            {TOKEN_HEADER: token, "Accept": "application/json", "User-Agent": "ocn-chatbot-actions/1"}
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> AccountClient:
        env = os.environ if env is None else env
        kwargs: dict[str, Any] = dict(
            base_url=env.get("ACCOUNT_API_URL") or DEFAULT_URL,
            token=env.get("ACCOUNT_API_TOKEN") or DEV_TOKEN,
            connect_timeout=float(env.get("ACCOUNT_API_CONNECT_TIMEOUT") or 2.0),
            read_timeout=float(env.get("ACCOUNT_API_READ_TIMEOUT") or 5.0),
            retries=int(env.get("ACCOUNT_API_RETRIES") or 2),
        )
        kwargs.update(overrides)
        refused = public_default_refusal(kwargs["base_url"], kwargs["token"])
        if refused:
            raise ValueError(refused)
        return cls(**kwargs)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> AccountClient:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    # -- verification ---------------------------------------------------------------------------

    def start_verification(
        self,
        conversation_id: str,
        customer_number: str | None = None,
        ocn_id: str | None = None,
        *,
        client_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> VerificationStarted:
        """Sends a code to the account's registered contact. Unknown accounts get the same answer.

        `client_ref` is the channel's opaque reference to who is asking (channels/client_ref.py): the
        sandbox limits codes per account and client with it, so a stranger cannot use up a customer's."""
        if (customer_number is None) == (ocn_id is None):
            raise ValueError("give exactly one of customer_number and ocn_id")
        body: dict[str, Any] = {"conversation_id": conversation_id}
        body.update({"customer_number": customer_number} if customer_number is not None else {"ocn_id": ocn_id})
        if client_ref:
            body["client_ref"] = client_ref
        data = self._post("/v1/verifications", "start_verification", body, idempotency_key)
        return self._build(
            lambda: VerificationStarted(
                str(data["verification_id"]),
                int(data["expires_in"]),
                data.get("channel"),
                data.get("destination_hint"),
            )
        )

    def confirm_verification(
        self, verification_id: str, conversation_id: str, code: str, *, idempotency_key: str | None = None
    ) -> VerificationConfirmed:
        path = f"/v1/verifications/{quote(str(verification_id), safe='')}/confirm"
        data = self._post(
            path, "confirm_verification", {"conversation_id": conversation_id, "code": code}, idempotency_key
        )
        return self._build(
            lambda: VerificationConfirmed(datetime.fromisoformat(data["verified_until"]), int(data["expires_in"]))
        )

    # -- reads ----------------------------------------------------------------------------------

    def account_summary(self, verification_id: str | None, conversation_id: str) -> AccountSummary:
        data = self._get("/v1/account", "account_summary", verification_id, conversation_id)
        return self._build(
            lambda: AccountSummary(
                customer_number_masked=data["customer_number_masked"],
                ocn_id_masked=data["ocn_id_masked"],
                connection_id_masked=data.get("connection_id_masked"),
                contact_channel=data["contact_channel"],
                contact_masked=data["contact_masked"],
                has_mobile=bool(data.get("has_mobile", data["contact_channel"] == "sms")),
                address_masked=data["address_masked"],
            )
        )

    def login_history(self, verification_id: str | None, conversation_id: str) -> list[LoginRecord]:
        """The last (up to) 10 logins, newest first."""
        data = self._get("/v1/login-history", "login_history", verification_id, conversation_id)
        return self._build(
            lambda: [
                LoginRecord(
                    time=datetime.fromisoformat(x["time"]),
                    region=x["region"],
                    device=x["device"],
                    success=bool(x["success"]),
                    unfamiliar=bool(x["unfamiliar"]),
                )
                for x in data["logins"]
            ]
        )

    # -- procedures -----------------------------------------------------------------------------

    def send_password_reset(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> Delivery:
        data = self._procedure("password-reset", verification_id, conversation_id, idempotency_key)
        return self._build(lambda: Delivery(data["channel"], data["destination_masked"]))

    def send_connection_credentials(
        self, verification_id: str | None, conversation_id: str, method: str, *, idempotency_key: str | None = None
    ) -> ConnectionCredentialsResult:
        """method: "sms" (400 no_mobile without one), "post" (a letter, eta_days) or "mypage" (sends nothing)."""
        data = self._procedure(
            "connection-credentials", verification_id, conversation_id, idempotency_key, method=method
        )
        return self._build(
            lambda: ConnectionCredentialsResult(
                method=data["method"],
                channel=data.get("channel"),
                destination_masked=data.get("destination_masked"),
                eta_days=data.get("eta_days"),
                mypage_url=data.get("mypage_url"),
                mypage_section=data.get("mypage_section"),
            )
        )

    def send_customer_number(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> CustomerNumberSent:
        data = self._procedure("customer-number", verification_id, conversation_id, idempotency_key)
        return self._build(
            lambda: CustomerNumberSent(data["channel"], data["destination_masked"], data["customer_number_masked"])
        )

    def send_ocn_id(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> OcnIdSent:
        data = self._procedure("ocn-id", verification_id, conversation_id, idempotency_key)
        return self._build(lambda: OcnIdSent(data["channel"], data["destination_masked"], data["ocn_id_masked"]))

    # -- plumbing -------------------------------------------------------------------------------

    def _procedure(
        self, name: str, verification_id: str | None, conversation_id: str, idempotency_key: str | None, **extra: Any
    ) -> dict[str, Any]:
        body = {"verification_id": verification_id, "conversation_id": conversation_id, **extra}
        return self._post(f"/v1/procedures/{name}", name, body, idempotency_key)

    def _get(self, path: str, endpoint: str, verification_id: str | None, conversation_id: str) -> dict[str, Any]:
        params = {"verification_id": verification_id or "", "conversation_id": conversation_id}
        return self._request("GET", path, endpoint, params=params)

    def _post(self, path: str, endpoint: str, body: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        # One key per logical call, the same on every attempt: the server acts at most once.
        key = idempotency_key or uuid.uuid4().hex
        return self._request("POST", path, endpoint, json=body, headers={IDEMPOTENCY_HEADER: key})

    def _request(self, method: str, path: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        url = self.base_url + path
        attempts = self.retries + 1  # every call here is idempotent: GET, or POST with a key
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except _TRANSIENT as exc:
                logger.warning(
                    "account api %s: %s (attempt %d/%d, %.0f ms)",
                    endpoint,
                    type(exc).__name__,
                    attempt,
                    attempts,
                    (time.monotonic() - started) * 1000,
                )
                if attempt < attempts:
                    self._sleep(self._delay(attempt))
                    continue
                raise AccountApiUnavailable(f"{endpoint}: {type(exc).__name__}") from None
            except requests.RequestException as exc:  # e.g. a malformed base URL: retrying won't help
                logger.error("account api %s: %s", endpoint, type(exc).__name__)
                raise AccountApiUnavailable(f"{endpoint}: {type(exc).__name__}") from None

            status = response.status_code
            log = logger.info if status < 400 else logger.warning
            log(
                "account api %s -> %d (attempt %d/%d, %.0f ms)",
                endpoint,
                status,
                attempt,
                attempts,
                (time.monotonic() - started) * 1000,
            )
            if status in RETRY_STATUSES and attempt < attempts:
                response.close()
                self._sleep(self._delay(attempt))
                continue
            return self._result(endpoint, response)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)  # jitter: bots retrying together don't stampede

    def _result(self, endpoint: str, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if 200 <= status < 300:
            if not isinstance(data, dict):
                raise AccountApiUnavailable(f"{endpoint}: unreadable response", status)
            return data
        if status >= 500 or status < 400:
            raise AccountApiUnavailable(f"{endpoint}: HTTP {status}", status)
        body = data if isinstance(data, dict) else {}
        code = body.get("error") if isinstance(body.get("error"), str) else _STATUS_CODES.get(status, f"http_{status}")
        if status == 401 and code == "unauthorized":
            logger.error("account api %s: service token rejected (check ACCOUNT_API_TOKEN)", endpoint)
            raise AccountApiUnavailable(f"{endpoint}: service token rejected", status)
        raise AccountApiError(
            status,
            code,
            str(body.get("message") or ""),
            retry_after=_int(body.get("retry_after", response.headers.get("Retry-After"))),
            attempts_left=_int(body.get("attempts_left")),
        )

    @staticmethod
    def _build(make: Callable[[], T]) -> T:
        """A 2xx whose body lacks what the contract promises is the server's fault, not the customer's."""
        try:
            return make()
        except (KeyError, TypeError, ValueError) as exc:
            raise AccountApiUnavailable(f"unexpected response: {type(exc).__name__}") from None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
