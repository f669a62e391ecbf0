"""Client of OCN's account API: the only module the bot uses to reach it.

Contract: account_api/README.md and account_api/openapi.yaml (the sandbox in account_api/ implements it).

`AccountClient` has one method per endpoint, each returning a typed result (account_api_results.py);
how it speaks HTTP is account_api_transport.py, and how a call that acts is made is account_api_calls.py:

- Every call has a (connect, read) timeout.
- Idempotent calls are retried a bounded number of times with exponential backoff on connection
  errors, timeouts and 502/503/504: GETs, and POSTs, which all carry an Idempotency-Key that is reused
  for every attempt, so a retried request never acts twice. A 4xx is never retried.
- Failures surface as two exceptions: AccountApiUnavailable (the customer gets an apology and a way
  to reach a person) and AccountApiError (the API said no, `.code` says why).
- A call that acts and got no answer (a timeout after its retries) is not guessed at (account_api_calls.py): it asks
  the API what became of it by its Idempotency-Key (GET /v1/outcomes, `request_outcome`) and returns
  its result, raises its refusal, raises AccountApiUnavailable (not carried out) or, when even that
  cannot be told, AccountApiOutcomeUnknown.
- Nothing sensitive is logged: at most the endpoint, the status, the attempt and the duration, never a
  code, a token, a body or a query string.

The calls are blocking (requests); worst case per call is (retries + 1) x (connect + read timeout) plus
backoff, so keep timeouts short or run calls in a thread pool from async code.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from actions.account_api_calls import AccountApiCalls
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
from actions.account_api_transport import AccountApiTransport

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
    "shared_client",
]


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
        self.calls = AccountApiCalls(self.transport)  # a read, or an act that asks for its outcome unanswered
        self._key = hmac.new(token.encode(), b"ocn-bot account key v1", hashlib.sha256).digest()

    def account_key(self, identifier: str) -> str:
        """An opaque key of an account identifier (32 hex), keyed with a secret derived from the service
        token only this action server and the account API hold: the desk can tell two conversations of
        one verified account apart from two accounts, and cannot recover the identifier."""
        return hmac.new(self._key, identifier.encode(), hashlib.sha256).hexdigest()[:32]

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
        sandbox limits codes per client (and client group) with it, so a stranger cannot use up a customer's."""
        named = {"customer_number": customer_number, "ocn_id": ocn_id, "connection_id": connection_id}
        given = {kind: value for kind, value in named.items() if value is not None}
        if len(given) != 1:
            raise ValueError("give exactly one of customer_number, ocn_id and connection_id")
        body: dict[str, Any] = {"conversation_id": conversation_id, **given}
        if client_ref:
            body["client_ref"] = client_ref
        return self.calls.act(
            "/v1/verifications", "start_verification", body, idempotency_key, VerificationStarted.from_body
        )

    def confirm_verification(
        self, verification_id: str, conversation_id: str, code: str, *, idempotency_key: str | None = None
    ) -> VerificationConfirmed:
        path = f"/v1/verifications/{quote(str(verification_id), safe='')}/confirm"
        body = {"conversation_id": conversation_id, "code": code}
        return self.calls.act(path, "confirm_verification", body, idempotency_key, VerificationConfirmed.from_body)

    # -- reads ----------------------------------------------------------------------------------

    def account_summary(self, verification_id: str | None, conversation_id: str) -> AccountSummary:
        data = self.calls.read("/v1/account", "account_summary", verification_id, conversation_id)
        return read_result(AccountSummary.from_body, data)

    def login_history(self, verification_id: str | None, conversation_id: str) -> list[LoginRecord]:
        """The last (up to) 10 logins, newest first."""
        data = self.calls.read("/v1/login-history", "login_history", verification_id, conversation_id)
        return read_result(lambda d: [LoginRecord.from_body(x) for x in d["logins"]], data)

    # -- procedures -----------------------------------------------------------------------------

    def send_password_reset(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> Delivery:
        return self.calls.procedure(
            "password-reset", Delivery.from_body, verification_id, conversation_id, idempotency_key
        )

    def send_connection_credentials(
        self, verification_id: str | None, conversation_id: str, method: str, *, idempotency_key: str | None = None
    ) -> ConnectionCredentialsResult:
        """method: "sms" (400 no_mobile without one), "post" (a letter, eta_days) or "mypage" (sends nothing)."""
        return self.calls.procedure(
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
        return self.calls.procedure(
            "customer-number", CustomerNumberSent.from_body, verification_id, conversation_id, idempotency_key
        )

    def send_ocn_id(
        self, verification_id: str | None, conversation_id: str, *, idempotency_key: str | None = None
    ) -> OcnIdSent:
        return self.calls.procedure("ocn-id", OcnIdSent.from_body, verification_id, conversation_id, idempotency_key)

    # -- what became of a call that got no answer ------------------------------------------------

    def request_outcome(self, path: str, idempotency_key: str) -> RequestOutcome:
        """The outcome of the POST to `path` with `idempotency_key` (read-only; same timeouts and retries)."""
        return self.calls.request_outcome(path, idempotency_key)


_shared: AccountClient | None = None


def shared_client() -> AccountClient:
    """One client (one connection pool) per action-server process, made on first use from the environment."""
    global _shared
    if _shared is None:
        _shared = AccountClient.from_env()
    return _shared
