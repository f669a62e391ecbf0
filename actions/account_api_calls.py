"""The account client's two kinds of call, over its transport (account_api_transport.py): a read (GET)
and an act (a POST with an Idempotency-Key). An act that got no answer is not guessed at: the API is
asked what became of it by its key (GET /v1/outcomes), and its result, its refusal, "not carried out"
(AccountApiUnavailable) or, when even that cannot be told, AccountApiOutcomeUnknown is what the caller
gets. AccountClient (account_client.py) turns each endpoint into one typed method over these."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from actions.account_api_results import (
    AccountApiError,
    AccountApiOutcomeUnknown,
    AccountApiUnavailable,
    RequestOutcome,
    read_result,
)
from actions.account_api_transport import AccountApiTransport, logger

T = TypeVar("T")


class AccountApiCalls:
    def __init__(self, transport: AccountApiTransport) -> None:
        self.transport = transport

    def read(self, path: str, endpoint: str, verification_id: str | None, conversation_id: str) -> dict[str, Any]:
        params = {"verification_id": verification_id or "", "conversation_id": conversation_id}
        return self.transport.get(path, endpoint, params)

    def request_outcome(self, path: str, idempotency_key: str) -> RequestOutcome:
        """The outcome of the POST to `path` with `idempotency_key` (read-only; same timeouts and retries)."""
        data = self.transport.get("/v1/outcomes", "request_outcome", {"path": path, "idempotency_key": idempotency_key})
        return read_result(RequestOutcome.from_body, data)

    def act(
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

    def procedure(
        self,
        name: str,
        read: Callable[[Any], T],
        verification_id: str | None,
        conversation_id: str,
        idempotency_key: str | None,
        **extra: Any,
    ) -> T:
        """POST /v1/procedures/<name> for the verified conversation, `extra` in its body."""
        body = {"verification_id": verification_id, "conversation_id": conversation_id, **extra}
        return self.act(f"/v1/procedures/{name}", name, body, idempotency_key, read)

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
