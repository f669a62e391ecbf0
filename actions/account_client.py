"""Client of OCN's account API: the only module the bot uses to reach it.

Contract: account_api/README.md and account_api/openapi.yaml (the sandbox in account_api/ implements it).

`AccountClient` has one method per endpoint, each returning a typed result (account_api_results.py);
how it speaks HTTP is account_api_transport.py:

- Every call has a (connect, read) timeout.
- Idempotent calls are retried a bounded number of times with exponential backoff on connection
  errors, timeouts and 502/503/504: GETs, and POSTs, which all carry an Idempotency-Key that is reused
  for every attempt, so a retried request never acts twice. A 4xx is never retried.
- Failures surface as two exceptions: AccountApiUnavailable (the customer gets an apology and a way
  to reach a person) and AccountApiError (the API said no, `.code` says why).
- A call that acts and got no answer (a timeout after its retries) is not guessed at: the client asks
  the API what became of it by its Idempotency-Key (GET /v1/outcomes, `request_outcome`) and returns
  its result, raises its refusal, raises AccountApiUnavailable (not carried out) or, when even that
  cannot be told, AccountApiOutcomeUnknown.
- Nothing sensitive is logged: at most the endpoint, the status, the attempt and the duration, never a
  code, a token, a body or a query string.

The calls are blocking (requests); worst case per call is (retries + 1) x (connect + read timeout) plus
backoff, so keep timeouts short or run calls in a thread pool from async code.
"""

from __future__ import annotations

import ipaddress
import os
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

from actions.account_api_results import (
    AccountApiError,
    AccountApiOutcomeUnknown,
    AccountApiUnavailable,
    AccountSummary,
    ConnectionCredentialsResult,
    CustomerNumberSent,
    Delivery,
    LoginRecord,
    OcnIdSent,
    RequestOutcome,
    VerificationConfirmed,
    VerificationStarted,
    read_result,
)
from actions.account_api_transport import AccountApiTransport, logger

# Callers import the results and errors from here, with the client.
__all__ = [
    "AccountApiError",
    "AccountApiOutcomeUnknown",
    "AccountApiUnavailable",
    "AccountClient",
    "AccountSummary",
    "ConnectionCredentialsResult",
    "CustomerNumberSent",
    "Delivery",
    "LoginRecord",
    "OcnIdSent",
    "RequestOutcome",
    "VerificationConfirmed",
    "VerificationStarted",
    "check_environment",
    "public_default_refusal",
]

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
        self.transport = AccountApiTransport(
            base_url,
            token,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries=retries,
            backoff=backoff,
            max_backoff=max_backoff,
            session=session,
            sleep=sleep,
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

    # The transport's settings, readable on the client as before (tests check from_env by them).

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    @property
    def timeout(self) -> tuple[float, float]:
        return self.transport.timeout

    @property
    def retries(self) -> int:
        return self.transport.retries

    @property
    def session(self) -> requests.Session:
        return self.transport.session

    def close(self) -> None:
        self.transport.close()

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
        connection_id: str | None = None,
        client_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> VerificationStarted:
        """Sends a code to the account's registered contact. Unknown accounts get the same answer.

        The account is named by exactly one of its customer number, OCN ID or connection ID (接続用ID:
        it carries an @ but is no mail address, so it is sent as what it is, never as an OCN ID).
        `client_ref` is the channel's opaque reference to who is asking (channels/client_ref.py): the
        sandbox limits codes per account and client with it, so a stranger cannot use up a customer's."""
        named = {"customer_number": customer_number, "ocn_id": ocn_id, "connection_id": connection_id}
        given = {kind: value for kind, value in named.items() if value is not None}
        if len(given) != 1:
            raise ValueError("give exactly one of customer_number, ocn_id and connection_id")
        body: dict[str, Any] = {"conversation_id": conversation_id, **given}
        if client_ref:
            body["client_ref"] = client_ref
        return self._act(
            "/v1/verifications", "start_verification", body, idempotency_key, VerificationStarted.from_body
        )

    def confirm_verification(
        self, verification_id: str, conversation_id: str, code: str, *, idempotency_key: str | None = None
    ) -> VerificationConfirmed:
        path = f"/v1/verifications/{quote(str(verification_id), safe='')}/confirm"
        body = {"conversation_id": conversation_id, "code": code}
        return self._act(path, "confirm_verification", body, idempotency_key, VerificationConfirmed.from_body)

    # -- reads ----------------------------------------------------------------------------------

    def account_summary(self, verification_id: str | None, conversation_id: str) -> AccountSummary:
        data = self._get("/v1/account", "account_summary", verification_id, conversation_id)
        return read_result(AccountSummary.from_body, data)

    def login_history(self, verification_id: str | None, conversation_id: str) -> list[LoginRecord]:
        """The last (up to) 10 logins, newest first."""
        data = self._get("/v1/login-history", "login_history", verification_id, conversation_id)
        return read_result(lambda d: [LoginRecord.from_body(x) for x in d["logins"]], data)

    # -- procedures -----------------------------------------------------------------------------

    def send_password_reset(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> Delivery:
        return self._procedure("password-reset", Delivery.from_body, verification_id, conversation_id, idempotency_key)

    def send_connection_credentials(
        self, verification_id: str | None, conversation_id: str, method: str, *, idempotency_key: str | None = None
    ) -> ConnectionCredentialsResult:
        """method: "sms" (400 no_mobile without one), "post" (a letter, eta_days) or "mypage" (sends nothing)."""
        return self._procedure(
            "connection-credentials",
            ConnectionCredentialsResult.from_body,
            verification_id,
            conversation_id,
            idempotency_key,
            method=method,
        )

    def send_customer_number(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> CustomerNumberSent:
        return self._procedure(
            "customer-number", CustomerNumberSent.from_body, verification_id, conversation_id, idempotency_key
        )

    def send_ocn_id(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> OcnIdSent:
        return self._procedure("ocn-id", OcnIdSent.from_body, verification_id, conversation_id, idempotency_key)

    # -- what became of a call that got no answer ------------------------------------------------

    def request_outcome(self, path: str, idempotency_key: str) -> RequestOutcome:
        """The outcome of the POST to `path` with `idempotency_key` (read-only; same timeouts and retries)."""
        data = self.transport.get("/v1/outcomes", "request_outcome", {"path": path, "idempotency_key": idempotency_key})
        return read_result(RequestOutcome.from_body, data)

    # -- plumbing -------------------------------------------------------------------------------

    def _act(
        self, path: str, endpoint: str, body: dict[str, Any], idempotency_key: str | None, read: Callable[[Any], T]
    ) -> T:
        """A POST, its reply read with `read`. When no attempt was answered: its outcome as the API
        recorded it (never a guess). A success whose reply cannot be read was carried out all the same:
        its outcome is unknown to us, not "not carried out"."""
        key = idempotency_key or uuid.uuid4().hex  # drawn here: the outcome is asked for by it
        carried_out_unreadable = AccountApiOutcomeUnknown(f"{endpoint}: carried out, reply unreadable")
        try:
            data = self._post_or_outcome(path, endpoint, body, key)
        except AccountApiUnavailable as error:
            if error.status is not None and 200 <= error.status < 300:  # a success without a JSON object
                raise carried_out_unreadable from None
            raise
        try:
            return read_result(read, data)
        except AccountApiUnavailable:  # a success without what the contract promises
            raise carried_out_unreadable from None

    def _post_or_outcome(self, path: str, endpoint: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        try:
            return self.transport.post(path, endpoint, body, key)
        except AccountApiUnavailable as error:
            if not error.unanswered:
                raise  # no attempt reached the API, or it answered: nothing was carried out
            try:
                outcome = self.request_outcome(path, key)
            except (AccountApiUnavailable, AccountApiError):
                logger.warning("account api %s: no answer, and its outcome could not be read", endpoint)
                raise AccountApiOutcomeUnknown(f"{endpoint}: outcome unknown") from None
        logger.info("account api %s: no answer; outcome %s", endpoint, outcome.status or "not carried out")
        if not outcome.carried_out:
            raise AccountApiUnavailable(f"{endpoint}: not carried out")
        return self.transport.reply_body(endpoint, outcome.status, outcome.body)

    def _procedure(
        self,
        name: str,
        read: Callable[[Any], T],
        verification_id: str | None,
        conversation_id: str,
        idempotency_key: str | None,
        **extra: Any,
    ) -> T:
        body = {"verification_id": verification_id, "conversation_id": conversation_id, **extra}
        return self._act(f"/v1/procedures/{name}", name, body, idempotency_key, read)

    def _get(self, path: str, endpoint: str, verification_id: str | None, conversation_id: str) -> dict[str, Any]:
        params = {"verification_id": verification_id or "", "conversation_id": conversation_id}
        return self.transport.get(path, endpoint, params)
