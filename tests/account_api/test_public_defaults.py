"""Public development secrets never serve beyond this machine: the sandbox and the client refuse them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ENCRYPTION_KEY, PEPPER, ROOT, TOKEN, free_port

from account_api.settings import Settings
from actions.account_client import AccountClient, check_environment

REAL = {"ACCOUNT_API_TOKEN": TOKEN, "ACCOUNT_API_PEPPER": PEPPER, "ACCOUNT_API_ENCRYPTION_KEY": ENCRYPTION_KEY}
SETTINGS = ("ACCOUNT_API_TOKEN", "ACCOUNT_API_PEPPER", "ACCOUNT_API_ENCRYPTION_KEY", "ACCOUNT_API_DEV_ENDPOINTS")


def serve(host: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    clean.update(env, PYTHONPATH=str(ROOT), ACCOUNT_API_DB=os.devnull)
    command = [sys.executable, "-m", "account_api", "serve", "--host", host, "--port", str(free_port())]
    return subprocess.run(command, env=clean, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({}, "ACCOUNT_API_TOKEN is the public development token"),
        ({**REAL, "ACCOUNT_API_PEPPER": ""}, "ACCOUNT_API_PEPPER is the public development pepper"),
        (REAL, "the dev endpoints are on"),
    ],
    ids=["dev-token", "dev-pepper", "dev-endpoints"],
)
def test_the_sandbox_refuses_to_serve_beyond_loopback_with_public_defaults(env: dict, refused: str) -> None:
    result = serve("0.0.0.0", **env)
    assert result.returncode == 2 and refused in result.stderr and "refusing to serve on 0.0.0.0" in result.stderr


def test_what_may_serve() -> None:
    assert Settings(host="127.0.0.1").refusals() == []  # make run: development defaults on loopback
    assert Settings(host="::1").refusals() == []
    real = Settings(host="10.1.2.3", service_token=TOKEN, pepper=PEPPER, encryption_key=ENCRYPTION_KEY)
    assert len(real.refusals()) == 1  # dev endpoints still on
    assert Settings(**{**real.__dict__, "dev_endpoints": False}).refusals() == []


def test_the_client_refuses_the_public_token_towards_another_machine() -> None:
    remote = {"ACCOUNT_API_URL": "https://account-api.internal.example"}
    with pytest.raises(ValueError, match="public development token"):
        AccountClient.from_env(remote)
    with pytest.raises(SystemExit, match="refuses to start"):
        check_environment(remote)
    check_environment({**remote, "ACCOUNT_API_TOKEN": "a-real-secret-token"})
    check_environment({"ACCOUNT_API_URL": "http://127.0.0.1:5056"})  # make run
    check_environment({})
    AccountClient.from_env({"ACCOUNT_API_URL": "http://localhost:5056"}).close()
