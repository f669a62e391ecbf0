"""How the account client speaks HTTP: one session with the service token, a (connect, read) timeout on
every call, and THE one retry loop (exponential backoff with jitter on connection errors, timeouts and
502/503/504; every call is idempotent: a GET, or a POST whose Idempotency-Key is drawn once per logical
call and reused on every attempt). Replies become a dict or AccountApiError / AccountApiUnavailable,
the latter marked `unanswered` when an attempt may have reached the API without our hearing back (the
client then asks the API for the outcome).

Nothing sensitive is logged: at most the endpoint, the status, the attempt and the duration.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from actions.account_api_results import AccountApiError, AccountApiUnavailable
from actions.metrics import measured_call

# The client's one logger, whichever of its modules logs: operators filter on this name.
logger = logging.getLogger("actions.account_client")

TOKEN_HEADER = "X-Service-Token"
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_STATUSES = frozenset({502, 503, 504})
# A gateway's "no (valid) reply from upstream": the request may have been carried out behind it.
UNANSWERED_STATUSES = frozenset({502, 504})
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


class AccountApiTransport:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        retries: int,
        backoff: float,
        max_backoff: float,
        session: requests.Session | None,
        sleep: Callable[[float], None],
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

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, endpoint: str, params: dict[str, str]) -> dict[str, Any]:
        return self._request("GET", path, endpoint, params=params)

    def post(self, path: str, endpoint: str, body: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        # One key per logical call, the same on every attempt: the server acts at most once.
        key = idempotency_key or uuid.uuid4().hex
        return self._request("POST", path, endpoint, json=body, headers={IDEMPOTENCY_HEADER: key})

    def _request(self, method: str, path: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        with measured_call(endpoint) as answer:  # latency and outcome of the whole call (actions/metrics.py)
            answer["body"] = self._attempts(method, path, endpoint, **kwargs)
        return answer["body"]

    def _attempts(self, method: str, path: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        url = self.base_url + path
        attempts = self.retries + 1  # every call here is idempotent: GET, or POST with a key
        unanswered = False  # some attempt may have reached the API and acted without our hearing back
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
                unanswered = unanswered or not _never_sent(exc)
                if attempt < attempts:
                    self._sleep(self._delay(attempt))
                    continue
                raise AccountApiUnavailable(f"{endpoint}: {type(exc).__name__}", unanswered=unanswered) from None
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
            unanswered = unanswered or status in UNANSWERED_STATUSES
            if status in RETRY_STATUSES and attempt < attempts:
                response.close()
                self._sleep(self._delay(attempt))
                continue
            return self._result(endpoint, response, unanswered)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)  # jitter: bots retrying together don't stampede

    def _result(self, endpoint: str, response: requests.Response, unanswered: bool) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 500:
            raise AccountApiUnavailable(
                f"{endpoint}: HTTP {response.status_code}", response.status_code, unanswered=unanswered
            )
        return self.reply_body(endpoint, response.status_code, data, response.headers.get("Retry-After"))

    def reply_body(
        self, endpoint: str, status: int, data: Any, retry_after_header: str | None = None
    ) -> dict[str, Any]:
        """A reply (as received, or as the API stored it: GET /v1/outcomes) as a dict, or the error it means."""
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
            retry_after=_int(body.get("retry_after", retry_after_header)),
            attempts_left=_int(body.get("attempts_left")),
        )


def _never_sent(exc: requests.RequestException) -> bool:
    """The connection was never made (refused, unreachable, connect timeout): the API cannot have acted.
    Any other failure (read timeout, a connection dropped mid-reply) may follow a request it carried out."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
