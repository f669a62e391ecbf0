"""The action server's Prometheus metrics: what it sees of the account API, served at `GET /metrics`
with the bearer token (bot_server/metrics_endpoint.py).

| series | labels | what |
|---|---|---|
| `ocn_actions_account_api_seconds` (histogram) | call | one logical call, retries included |
| `ocn_actions_account_api_calls_total` | call, outcome | `ok`, the API's error code (KNOWN_ERRORS, else `error`), or `unavailable` (down, 5xx, timeouts after the retries, token refused) |
| `ocn_actions_codes_sent_total` | channel | one-time codes the API accepted to send (`sms` / `mail`; for an unknown account the API answers the same, a decoy) |
| `ocn_actions_verifications_total` | outcome | code confirmations: `verified`, `invalid_code`, `expired`, `not_found`, `locked`, `unavailable`, `error` |
| `ocn_actions_lockouts_total` | call | answers `423 locked` (a conversation or account locked out, account_api/README.md "Lockout") |
| `ocn_actions_code_limits_total` | call | answers `429 too_many_codes` (per client, conversation or the account's ceiling, which alarms at the API) |
| `ocn_actions_failures_total` | action | custom actions that raised: the customer got an apology, the conversation kept its state (actions/safety_net.py) |

The guess alarm is an alert rule over these (deploy/monitoring/rules.yml): wrong codes summed over all
action servers, the same count the account API alarms on. `call` is the client's own name for the
call (actions/account_client.py), never a path with an id in it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pluggy
from prometheus_client import Counter, Histogram
from sanic import Sanic

from actions.account_api_results import AccountApiError, AccountApiUnavailable
from bot_server.json_logs import install_json_logging, set_log_conversation
from bot_server.metrics_endpoint import add_metrics_route

CONFIRM_CALL = "confirm_verification"
START_CALL = "start_verification"
KNOWN_ERRORS = frozenset(
    {
        "invalid_request",
        "invalid_code",
        "expired",
        "not_found",
        "locked",
        "too_many_codes",
        "not_verified",
        "no_mobile",
        "conflict",
        "idempotency_key_reused",
    }
)
CODE_CHANNELS = frozenset({"sms", "mail"})
CALL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0)

CALL_SECONDS = Histogram(
    "ocn_actions_account_api_seconds", "Account API call time, retries included", ["call"], buckets=CALL_BUCKETS
)
CALLS = Counter("ocn_actions_account_api_calls", "Account API calls by outcome", ["call", "outcome"])
CODES_SENT = Counter("ocn_actions_codes_sent", "One-time codes the account API accepted to send", ["channel"])
VERIFICATIONS = Counter("ocn_actions_verifications", "Code confirmations by outcome", ["outcome"])
LOCKOUTS = Counter("ocn_actions_lockouts", "Answers 423 locked", ["call"])
CODE_LIMITS = Counter("ocn_actions_code_limits", "Answers 429 too_many_codes", ["call"])
ACTION_FAILURES = Counter("ocn_actions_failures", "Custom actions that raised (answered with an apology)", ["action"])


def outcome_of(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, AccountApiError):
        return error.code if error.code in KNOWN_ERRORS else "error"
    return "unavailable"


def record_call(call: str, seconds: float, outcome: str, body: dict[str, Any] | None = None) -> None:
    CALL_SECONDS.labels(call).observe(seconds)
    CALLS.labels(call, outcome).inc()
    if outcome == "locked":
        LOCKOUTS.labels(call).inc()
    elif outcome == "too_many_codes":
        CODE_LIMITS.labels(call).inc()
    if call == START_CALL and outcome == "ok":
        channel = (body or {}).get("channel")
        CODES_SENT.labels(channel if channel in CODE_CHANNELS else "other").inc()
    if call == CONFIRM_CALL:
        VERIFICATIONS.labels("verified" if outcome == "ok" else outcome).inc()


@contextmanager
def measured_call(call: str) -> Iterator[dict[str, Any]]:
    """Around one logical account API call: put the answer's body in the yielded dict."""
    answer: dict[str, Any] = {}
    started = time.monotonic()
    try:
        yield answer
    except (AccountApiError, AccountApiUnavailable) as error:
        record_call(call, time.monotonic() - started, outcome_of(error))
        raise
    record_call(call, time.monotonic() - started, "ok", answer.get("body"))


def zero_series() -> None:
    """The series the alert rules read, at 0 from the start (rate() does not see a series' first sample)."""
    for outcome in ("verified", "invalid_code", "expired", "not_found", "locked", "unavailable", "error"):
        VERIFICATIONS.labels(outcome)
    for channel in sorted(CODE_CHANNELS):
        CODES_SENT.labels(channel)
    for call in (START_CALL, CONFIRM_CALL):
        for outcome in ("ok", "unavailable"):
            CALLS.labels(call, outcome)


hookimpl = pluggy.HookimplMarker("rasa_sdk")


class MetricsPlugin:
    """rasa_sdk's own extension point (rasa_sdk/plugin.py): called with the app before it runs."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        install_json_logging()  # the server's lines from here on (bot_server/json_logs.py)
        add_metrics_route(app)
        zero_series()

        @app.on_request
        async def conversation_of_request(request: Any) -> None:
            # The webhook's body names the conversation: this request's log lines carry its hash
            # (each request is its own task, so the setting ends with it).
            if request.path == "/webhook":
                set_log_conversation(_sender_id(request))


def _sender_id(request: Any) -> str | None:
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - a malformed body is rasa_sdk's to answer, not ours
        return None
    sender = body.get("sender_id") if isinstance(body, dict) else None
    return sender if isinstance(sender, str) else None


_PLUGIN = MetricsPlugin()


def register_with_action_server() -> None:
    """Called when the action server imports the actions package, before it calls the plugins."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if not manager.is_registered(_PLUGIN):
        manager.register(_PLUGIN)
