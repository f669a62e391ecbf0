"""No clear-text secrets in the database; the outbox, customers and alarm CLI."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import CODE_RE, ENCRYPTION_KEY, PEPPER, ROOT, TOKEN, new_conversation, sandbox_env
from in_process import InProcess


def _holds(text: str, secret: str) -> bool:
    """The secret in the stored text. A six-digit code inside a run of hex digits is a hash's chance digits (a
    SHA-256 in the idempotency table once held 「843980」), not the code: a code stored in clear stands apart."""
    if not secret.isdigit():
        return secret in text
    return re.search(rf"(?<![0-9a-f]){secret}(?![0-9a-f])", text) is not None


def test_database_holds_no_clear_text_secret(api, db, new_customer):
    customer = new_customer()
    secrets: list[str] = []
    # A used code, a pending code, a reset link, the connection password (sent twice, never replaced).
    vid, conv = api.verify(customer)
    secrets.append(api.latest_code(customer.mobile))
    api.post("/v1/procedures/password-reset", {"verification_id": vid, "conversation_id": conv})
    for method in ("sms", "post"):
        api.post(
            "/v1/procedures/connection-credentials", {"verification_id": vid, "conversation_id": conv, "method": method}
        )
    conv2 = new_conversation()
    api.start(conv2, customer_number=customer.customer_number)
    secrets.append(api.latest_code(customer.mobile))
    for message in api.outbox(customer.customer_number):
        body = message["body"]
        secrets += CODE_RE.findall(body)
        secrets += re.findall(r"token=([\w-]+)", body)
        secrets += re.findall(r"接続用パスワード: (\S+)", body)
    assert len(set(secrets)) == 4  # two codes, one reset token, one connection password
    secrets += [TOKEN, PEPPER, ENCRYPTION_KEY]

    tables = db.table_names()  # the outbox too: its bodies are encrypted
    assert {"customers", "verifications", "audit_log", "idempotency", "password_resets"} <= set(tables)
    for table in tables:
        for row in db.conn.execute(f"SELECT * FROM {table}"):
            for value in tuple(row):
                text = str(value)
                for secret in set(secrets):
                    assert not _holds(text, secret), f"{table} holds a secret in clear text"


def run_cli(sandbox, *args):
    return subprocess.run(
        [sys.executable, "-m", "account_api", *args],
        cwd=ROOT,
        env=sandbox.env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_outbox_cli_shows_the_code_sent_to_a_phone(api, sandbox, new_customer):
    customer = new_customer()
    api.start(new_conversation(), customer_number=customer.customer_number)
    code = api.latest_code(customer.mobile)
    pretty = f"{customer.mobile[:3]}-{customer.mobile[3:7]}-{customer.mobile[7:]}"
    out = run_cli(sandbox, "outbox", "--to", pretty, "--last", "1")
    assert out.returncode == 0, out.stderr
    assert f"SMS → {pretty}" in out.stdout and f"確認コード: {code}" in out.stdout
    assert run_cli(sandbox, "outbox", "--to", customer.customer_number).stdout.count("[verification_code]") == 1
    assert "nothing sent" in run_cli(sandbox, "outbox", "--to", "099-0000-0000").stdout


def test_customers_cli_lists_the_demo_customers(sandbox):
    out = run_cli(sandbox, "customers")
    assert out.returncode == 0, out.stderr
    for expected in (
        "N123456789",
        "taro.yamada@ocn.ne.jp",
        "abc12345@one.ocn.ne.jp",
        "090-1234-5678",
        "N987654321",
        "hanako.sato@example.jp",
        "N555000111",
    ):
        assert expected in out.stdout


def test_seeding_is_idempotent(sandbox, db):
    before = db.conn.execute("SELECT COUNT(*) FROM logins").fetchone()[0]
    assert run_cli(sandbox, "customers").returncode == 0  # the CLI seeds too
    assert db.conn.execute("SELECT COUNT(*) FROM logins").fetchone()[0] == before
    numbers = [c.customer_number for c in db.customers()]
    assert len(numbers) == len(set(numbers)) and "N123456789" in numbers


def test_idempotency_records_cannot_be_reversed_to_the_code(api, db, new_customer):
    """The stored request hash is keyed: trying all 10^6 codes against a bare SHA-256 finds nothing."""
    import hashlib
    import json

    customer = new_customer()
    conv = new_conversation()
    vid = api.start(conv, customer_number=customer.customer_number).json()["verification_id"]
    code = api.latest_code(customer.mobile)
    assert api.confirm(vid, conv, code).status_code == 200
    body = {"conversation_id": conv, "code": code}
    bare = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    stored = {row["request_hash"] for row in db.conn.execute("SELECT request_hash FROM idempotency")}
    assert stored and bare not in stored


def test_alarm_cli_says_whether_the_cross_account_alarm_is_on(tmp_path):
    sb = InProcess(tmp_path, encryption_key=ENCRYPTION_KEY, pepper=PEPPER)
    env = sandbox_env(sb.settings.db_path, 0)
    quiet = subprocess.run(
        [sys.executable, "-m", "account_api", "alarm"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert quiet.returncode == 0 and "alarm: off" in quiet.stdout and "raised 0 times" in quiet.stdout
    for n in range(sb.settings.alarm_wrong_codes):  # the default burst: 200 wrong codes within 10 minutes
        conv = f"web:burst-{n}"
        started = sb.start(conv, f"guesser-{n}", customer_number=f"N0001{n:05d}")
        assert sb.confirm(started.body["verification_id"], conv, "000000").status == 400
    sb.close()
    loud = subprocess.run(
        [sys.executable, "-m", "account_api", "alarm"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert "alarm: ON until" in loud.stdout and "window: 200" in loud.stdout and "raised 1 times" in loud.stdout
