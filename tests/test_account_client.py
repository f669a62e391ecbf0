"""actions.account_client against a tiny scripted HTTP server (stdlib, in a thread)."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actions.account_client import (  # noqa: E402
    AccountApiError,
    AccountApiOutcomeUnknown,
    AccountApiUnavailable,
    AccountClient,
    AccountSummary,
    ConnectionCredentialsResult,
    CustomerNumberSent,
    Delivery,
    LoginRecord,
    OcnIdSent,
    VerificationConfirmed,
    VerificationStarted,
)
from devstack.ports import free_port  # noqa: E402

TOKEN = "client-test-token"


class Reply:
    def __init__(
        self,
        status: int = 200,
        body: Any = None,
        *,
        delay: float = 0.0,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status, self.body, self.delay, self.raw, self.headers = status, body, delay, raw, headers or {}


class FakeApi:
    """Answers each request with the next scripted Reply (the last one repeats) and records it."""

    def __init__(self) -> None:
        self.script: list[Reply] = [Reply(200, {})]
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append(
                        {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    reply = fake.script.pop(0) if len(fake.script) > 1 else fake.script[0]
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def reply(self, *replies: Reply) -> None:
        self.script = list(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeApi]:
    server = FakeApi()
    yield server
    server.close()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(fake: FakeApi, sleeps: Sleeps) -> Iterator[AccountClient]:
    c = AccountClient(fake.url, TOKEN, connect_timeout=0.5, read_timeout=0.3, retries=2, backoff=0.1, sleep=sleeps)
    yield c
    c.close()


def body_of(request: dict[str, Any]) -> dict[str, Any]:
    return json.loads(request["body"])


def header(request: dict[str, Any], name: str) -> str | None:
    return {k.lower(): v for k, v in request["headers"].items()}.get(name.lower())


# -- requests on the wire ---------------------------------------------------------------------


def test_token_header_and_idempotency_key(fake, client):
    fake.reply(Reply(202, {"verification_id": "vrf_1", "expires_in": 600}))
    started = client.start_verification("conv-1", customer_number="N123456789")
    assert started == VerificationStarted("vrf_1", 600)
    [req] = fake.requests
    assert req["method"] == "POST" and req["path"] == "/v1/verifications"
    assert header(req, "X-Service-Token") == TOKEN
    assert len(header(req, "Idempotency-Key") or "") >= 16
    assert body_of(req) == {"conversation_id": "conv-1", "customer_number": "N123456789"}


def test_each_logical_call_gets_its_own_key(fake, client):
    fake.reply(Reply(202, {"verification_id": "v", "expires_in": 600}))
    client.start_verification("c", ocn_id="a@ocn.ne.jp")
    client.start_verification("c", ocn_id="a@ocn.ne.jp")
    keys = [header(r, "Idempotency-Key") for r in fake.requests]
    assert len(set(keys)) == 2
    assert body_of(fake.requests[0]) == {"conversation_id": "c", "ocn_id": "a@ocn.ne.jp"}


def test_client_reference_is_sent_only_when_known(fake, client):
    fake.reply(Reply(202, {"verification_id": "v", "expires_in": 600}))
    client.start_verification("c", ocn_id="a@ocn.ne.jp", client_ref="ref-1")
    client.start_verification("c", ocn_id="a@ocn.ne.jp", client_ref=None)
    assert body_of(fake.requests[0]) == {"conversation_id": "c", "ocn_id": "a@ocn.ne.jp", "client_ref": "ref-1"}
    assert "client_ref" not in body_of(fake.requests[1])


def test_caller_can_choose_the_key(fake, client):
    fake.reply(Reply(200, {"channel": "sms", "destination_masked": "090-****-5678", "ocn_id_masked": "ta****@x"}))
    client.send_ocn_id("vrf_1", "c", idempotency_key="conv-c-event-7")
    assert header(fake.requests[0], "Idempotency-Key") == "conv-c-event-7"


def test_gets_carry_no_idempotency_key_and_use_query_params(fake, client):
    fake.reply(Reply(200, {"logins": []}))
    assert client.login_history("vrf_1", "conv 1") == []
    [req] = fake.requests
    assert req["method"] == "GET" and header(req, "Idempotency-Key") is None
    assert req["path"] == "/v1/login-history?verification_id=vrf_1&conversation_id=conv+1"


def test_start_needs_exactly_one_identifier(client):
    with pytest.raises(ValueError):
        client.start_verification("c")
    with pytest.raises(ValueError):
        client.start_verification("c", customer_number="N123456789", ocn_id="a@ocn.ne.jp")


# -- retries and timeouts ---------------------------------------------------------------------


def test_read_timeout_is_bounded_and_unavailable(fake, client, sleeps):
    fake.reply(Reply(200, {}, delay=1.0))
    started = time.monotonic()
    with pytest.raises(AccountApiUnavailable):
        client.account_summary("vrf_1", "c")
    elapsed = time.monotonic() - started
    assert len(fake.requests) == 3  # 1 + 2 retries
    assert len(sleeps) == 2
    assert elapsed < 3 * 0.3 + 0.6  # three read timeouts, not three server delays


def test_post_timeout_retries_with_the_same_key(fake, client):
    fake.reply(Reply(200, {}, delay=1.0), Reply(200, {"channel": "sms", "destination_masked": "m"}))
    assert client.send_password_reset("vrf_1", "c") == Delivery("sms", "m")
    keys = {header(r, "Idempotency-Key") for r in fake.requests}
    assert len(fake.requests) == 2 and len(keys) == 1


def test_retry_on_503_then_success_with_the_same_key(fake, client, sleeps):
    fake.reply(
        Reply(503, {"error": "unavailable"}),
        Reply(502, raw=b"<html>bad gateway</html>"),
        Reply(200, {"verified": True, "verified_until": "2025-01-01T10:15:00+09:00", "expires_in": 900}),
    )
    confirmed = client.confirm_verification("vrf_1", "c", "123456")
    assert isinstance(confirmed, VerificationConfirmed) and confirmed.expires_in == 900
    assert confirmed.verified_until == datetime.fromisoformat("2025-01-01T10:15:00+09:00")
    assert confirmed.verified_until_epoch == confirmed.verified_until.timestamp()
    assert len(fake.requests) == 3
    assert len({header(r, "Idempotency-Key") for r in fake.requests}) == 1
    assert all(body_of(r) == {"conversation_id": "c", "code": "123456"} for r in fake.requests)
    # Exponential backoff with jitter in [0.5, 1] x base.
    assert 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_exhaust_retries(fake, client, status):
    fake.reply(Reply(status, {"error": "x"}))
    with pytest.raises(AccountApiUnavailable) as info:
        client.account_summary("vrf_1", "c")
    assert info.value.status == status and len(fake.requests) == 3


def test_500_is_unavailable_without_retry(fake, client):
    fake.reply(Reply(500, {"error": "internal_error"}))
    with pytest.raises(AccountApiUnavailable):
        client.send_customer_number("vrf_1", "c")
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    "status,code",
    [
        (400, "invalid_code"),
        (401, "not_verified"),
        (404, "not_found"),
        (410, "expired"),
        (423, "locked"),
        (429, "too_many_codes"),
    ],
)
def test_4xx_is_never_retried(fake, client, sleeps, status, code):
    fake.reply(Reply(status, {"error": code, "message": "m"}))
    with pytest.raises(AccountApiError) as info:
        client.confirm_verification("vrf_1", "c", "123456")
    assert info.value.code == code and info.value.status == status
    assert len(fake.requests) == 1 and sleeps == []


def test_connection_refused_is_unavailable_after_bounded_attempts(sleeps):
    port = free_port()  # nothing listens there
    client = AccountClient(f"http://127.0.0.1:{port}", TOKEN, retries=2, backoff=0.01, sleep=sleeps)
    with pytest.raises(AccountApiUnavailable):
        client.start_verification("c", customer_number="N123456789")
    assert len(sleeps) == 2


def test_no_retries_configured(fake, sleeps):
    fake.reply(Reply(503, {}))
    client = AccountClient(fake.url, TOKEN, retries=0, sleep=sleeps)
    with pytest.raises(AccountApiUnavailable):
        client.account_summary("v", "c")
    assert len(fake.requests) == 1 and sleeps == []


# -- error mapping ----------------------------------------------------------------------------


def test_invalid_code_carries_attempts_left(fake, client):
    fake.reply(Reply(400, {"error": "invalid_code", "message": "確認コードが正しくありません。", "attempts_left": 3}))
    with pytest.raises(AccountApiError) as info:
        client.confirm_verification("vrf_1", "c", "000000")
    err = info.value
    assert (err.code, err.attempts_left, err.retry_after) == ("invalid_code", 3, None)
    assert err.message == "確認コードが正しくありません。"


@pytest.mark.parametrize("status,code", [(423, "locked"), (429, "too_many_codes")])
def test_retry_after(fake, client, status, code):
    fake.reply(Reply(status, {"error": code, "message": "m", "retry_after": 1234}))
    with pytest.raises(AccountApiError) as info:
        client.start_verification("c", customer_number="N123456789")
    assert info.value.code == code and info.value.retry_after == 1234


def test_retry_after_header_when_body_has_none(fake, client):
    fake.reply(Reply(429, raw=b"slow down", headers={"Retry-After": "60"}))
    with pytest.raises(AccountApiError) as info:
        client.start_verification("c", customer_number="N123456789")
    assert info.value.code == "too_many_codes" and info.value.retry_after == 60


@pytest.mark.parametrize("code", ["not_verified", "no_mobile", "expired", "not_found", "invalid_request"])
def test_codes_pass_through(fake, client, code):
    fake.reply(
        Reply(
            {"not_verified": 401, "no_mobile": 400, "expired": 410}.get(code, 404 if code == "not_found" else 400),
            {"error": code, "message": "m"},
        )
    )
    with pytest.raises(AccountApiError) as info:
        client.send_connection_credentials("vrf_1", "c", "sms")
    assert info.value.code == code


def test_4xx_without_json_maps_from_status(fake, client):
    fake.reply(Reply(404, raw=b"<html>Not Found</html>"))
    with pytest.raises(AccountApiError) as info:
        client.account_summary("vrf_1", "c")
    assert info.value.code == "not_found" and info.value.status == 404


def test_rejected_service_token_is_unavailable(fake, client):
    fake.reply(Reply(401, {"error": "unauthorized", "message": "bad token"}))
    with pytest.raises(AccountApiUnavailable):
        client.account_summary("vrf_1", "c")
    assert len(fake.requests) == 1


@pytest.mark.parametrize("reply", [Reply(200, raw=b"not json"), Reply(200, [1, 2]), Reply(200, {"unexpected": True})])
def test_unusable_success_is_unavailable(fake, client, reply):
    fake.reply(reply)
    with pytest.raises(AccountApiUnavailable):
        client.send_customer_number("vrf_1", "c")


# -- typed results ----------------------------------------------------------------------------


def test_typed_results(fake, client):
    fake.reply(
        Reply(
            200,
            {
                "customer_number_masked": "N12*****89",
                "ocn_id_masked": "ta****@ocn.ne.jp",
                "connection_id_masked": "ab****@one.ocn.ne.jp",
                "contact_channel": "sms",
                "contact_masked": "090-****-5678",
                "has_mobile": True,
                "address_masked": "東京都千代田区****",
            },
        )
    )
    summary = client.account_summary("vrf_1", "c")
    assert summary == AccountSummary(
        "N12*****89", "ta****@ocn.ne.jp", "ab****@one.ocn.ne.jp", "sms", "090-****-5678", True, "東京都千代田区****"
    )

    fake.reply(
        Reply(200, {"method": "post", "channel": "post", "destination_masked": "東京都千代田区****", "eta_days": 5})
    )
    sent = client.send_connection_credentials("vrf_1", "c", "post")
    assert sent == ConnectionCredentialsResult("post", "post", "東京都千代田区****", eta_days=5)
    assert body_of(fake.requests[-1]) == {"verification_id": "vrf_1", "conversation_id": "c", "method": "post"}
    assert fake.requests[-1]["path"] == "/v1/procedures/connection-credentials"

    fake.reply(
        Reply(200, {"method": "mypage", "destination_masked": None, "mypage_url": "https://m/", "mypage_section": "s"})
    )
    assert client.send_connection_credentials("vrf_1", "c", "mypage").mypage_url == "https://m/"

    fake.reply(
        Reply(
            200, {"channel": "mail", "destination_masked": "ha****@example.jp", "customer_number_masked": "N98*****21"}
        )
    )
    assert client.send_customer_number("vrf_1", "c") == CustomerNumberSent("mail", "ha****@example.jp", "N98*****21")

    fake.reply(Reply(200, {"channel": "sms", "destination_masked": "d", "ocn_id_masked": "ta****@ocn.ne.jp"}))
    assert client.send_ocn_id("vrf_1", "c") == OcnIdSent("sms", "d", "ta****@ocn.ne.jp")

    fake.reply(
        Reply(
            200,
            {
                "logins": [
                    {
                        "time": "2025-01-01T09:00:00+09:00",
                        "region": "海外（ロシア）",
                        "device": "Linux",
                        "success": False,
                        "unfamiliar": True,
                    }
                ]
            },
        )
    )
    [login] = client.login_history("vrf_1", "c")
    assert login == LoginRecord(
        datetime.fromisoformat("2025-01-01T09:00:00+09:00"), "海外（ロシア）", "Linux", False, True
    )


def test_verification_id_is_escaped_in_the_path(fake, client):
    fake.reply(Reply(404, {"error": "not_found", "message": "m"}))
    with pytest.raises(AccountApiError):
        client.confirm_verification("../../v1/x?y", "c", "123456")
    assert fake.requests[0]["path"] == "/v1/verifications/..%2F..%2Fv1%2Fx%3Fy/confirm"


def test_missing_verification_id_is_sent_empty(fake, client):
    fake.reply(Reply(401, {"error": "not_verified", "message": "m"}))
    with pytest.raises(AccountApiError):
        client.send_password_reset(None, "c")
    with pytest.raises(AccountApiError):
        client.account_summary(None, "c")
    assert body_of(fake.requests[0])["verification_id"] is None
    assert "verification_id=&" in fake.requests[1]["path"]


# -- configuration and logging ----------------------------------------------------------------


def test_from_env():
    client = AccountClient.from_env(
        {
            "ACCOUNT_API_URL": "http://10.0.0.1:9/",
            "ACCOUNT_API_TOKEN": "t",
            "ACCOUNT_API_CONNECT_TIMEOUT": "0.5",
            "ACCOUNT_API_READ_TIMEOUT": "1.5",
            "ACCOUNT_API_RETRIES": "4",
        }
    )
    settings = client.transport  # the settings live with the HTTP they govern
    assert settings.base_url == "http://10.0.0.1:9" and settings.timeout == (0.5, 1.5) and settings.retries == 4
    assert settings.session.headers["X-Service-Token"] == "t"
    default = AccountClient.from_env({}).transport
    assert default.base_url == "http://127.0.0.1:5056" and default.timeout == (2.0, 5.0) and default.retries == 2


def test_logs_hold_no_code_token_or_body(fake, client, caplog):
    caplog.set_level(logging.DEBUG)
    fake.reply(Reply(503, {}), Reply(400, {"error": "invalid_code", "message": "m", "attempts_left": 4}))
    with pytest.raises(AccountApiError):
        client.confirm_verification("vrf_secretish", "conv-x", "482913")
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "actions.account_client")
    assert "confirm_verification" in text and "503" in text and "400" in text
    for secret in ("482913", TOKEN, "vrf_secretish"):
        assert secret not in text


# -- a call that acts and got no answer: its outcome, asked for by its key -----------------------

DELIVERY = {"channel": "sms", "destination_masked": "090-****-5678"}


def _timeouts(n: int) -> list[Reply]:
    return [Reply(200, DELIVERY, delay=1.0) for _ in range(n)]  # answered too late: after the read timeout


def test_unanswered_call_that_was_carried_out_returns_its_result(fake, client):
    fake.reply(*_timeouts(3), Reply(200, {"state": "completed", "status": 200, "body": DELIVERY}))
    assert client.send_password_reset("vrf_1", "c", idempotency_key="turn-7") == Delivery("sms", "090-****-5678")
    lookup = fake.requests[-1]
    assert lookup["method"] == "GET" and lookup["path"].startswith("/v1/outcomes?")
    assert "path=%2Fv1%2Fprocedures%2Fpassword-reset" in lookup["path"] and "idempotency_key=turn-7" in lookup["path"]
    assert [r["method"] for r in fake.requests] == ["POST"] * 3 + ["GET"]


def test_unanswered_call_whose_key_draws_itself_is_looked_up_by_that_key(fake, client):
    fake.reply(*_timeouts(3), Reply(200, {"state": "completed", "status": 200, "body": DELIVERY}))
    client.send_password_reset("vrf_1", "c")
    key = header(fake.requests[0], "Idempotency-Key")
    assert key and f"idempotency_key={key}" in fake.requests[-1]["path"]


def test_unanswered_call_that_was_refused_raises_the_refusal(fake, client):
    refusal = {"error": "not_verified", "message": "m"}
    fake.reply(*_timeouts(3), Reply(200, {"state": "completed", "status": 401, "body": refusal}))
    with pytest.raises(AccountApiError) as info:
        client.send_ocn_id("vrf_1", "c")
    assert info.value.code == "not_verified"


def test_unanswered_call_that_was_not_carried_out_is_unavailable_not_unknown(fake, client):
    fake.reply(*_timeouts(3), Reply(200, {"state": "not_found"}))
    with pytest.raises(AccountApiUnavailable) as info:
        client.send_customer_number("vrf_1", "c")
    assert not isinstance(info.value, AccountApiOutcomeUnknown)


@pytest.mark.parametrize(
    "lookup",
    [Reply(200, {}, delay=1.0), Reply(503, {"error": "unavailable"}), Reply(200, {"state": "maybe"})],
)
def test_unanswered_call_whose_outcome_cannot_be_read_is_unknown(fake, client, lookup):
    fake.reply(*_timeouts(3), lookup)
    started = time.monotonic()
    with pytest.raises(AccountApiOutcomeUnknown):
        client.send_connection_credentials("vrf_1", "c", "sms")
    assert time.monotonic() - started < 6 * 0.3 + 1.0  # the lookup has its timeout too


def test_a_gateway_timeout_is_unanswered_too(fake, client):
    fake.reply(Reply(504, {}), Reply(503, {}), Reply(503, {}), Reply(200, {"state": "not_found"}))
    with pytest.raises(AccountApiUnavailable):
        client.send_ocn_id("vrf_1", "c")
    assert fake.requests[-1]["method"] == "GET"


def test_answered_failures_are_not_looked_up(fake, client):
    fake.reply(Reply(503, {}))
    with pytest.raises(AccountApiUnavailable) as info:
        client.send_ocn_id("vrf_1", "c")
    assert not isinstance(info.value, AccountApiOutcomeUnknown)
    assert {r["method"] for r in fake.requests} == {"POST"}


def test_a_refused_connection_is_not_looked_up(sleeps):
    client = AccountClient(f"http://127.0.0.1:{free_port()}", TOKEN, retries=1, backoff=0.01, sleep=sleeps)
    with pytest.raises(AccountApiUnavailable) as info:
        client.send_ocn_id("vrf_1", "c")
    assert not isinstance(info.value, AccountApiOutcomeUnknown) and not info.value.unanswered


def test_a_success_whose_reply_cannot_be_read_was_carried_out_all_the_same(fake, client):
    fake.reply(Reply(200, {"channel": "sms"}))  # no destination_masked: the contract is broken, the SMS went
    with pytest.raises(AccountApiOutcomeUnknown):
        client.send_password_reset("vrf_1", "c")
    fake.reply(Reply(200, raw=b"<html>ok</html>"))
    with pytest.raises(AccountApiOutcomeUnknown):
        client.send_ocn_id("vrf_1", "c")
