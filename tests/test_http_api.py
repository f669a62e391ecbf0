"""Rasa's HTTP API on `make run`: a token per checkout (never on a command line; bot_server/api_token.py),
CORS only for the help page's origins (bot_server/http_api.py, devstack/api_token.py). The running
server: tests/stack/test_http_api_auth.py."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from bot_server.http_api import cors_origins, web_origins
from devstack.api_token import checkout_token
from devstack.config import ROOT, Ports, service_env
from devstack.services import product_services


def test_each_checkout_gets_its_own_token_in_var_readable_only_by_its_owner(tmp_path: Path) -> None:
    first, other = tmp_path / "a" / "var", tmp_path / "b" / "var"
    token = checkout_token(first)
    assert len(token) >= 32
    assert checkout_token(first) == token  # kept: the console and tools read the same one
    assert checkout_token(other) != token
    assert stat.S_IMODE((first / "rasa_api_token").stat().st_mode) == 0o600


def test_make_run_gives_rasa_and_the_console_the_token_and_the_help_page_origins(tmp_path: Path) -> None:
    ports = Ports(rasa=15005, web=18080)
    env = service_env(ports, base={}, var_dir=tmp_path)
    assert env["RASA_API_TOKEN"] == env["RASA_AUTH_TOKEN"] == checkout_token(tmp_path)
    assert web_origins(env) == ["http://127.0.0.1:18080", "http://localhost:18080"]
    rasa = next(s for s in product_services(ports, tmp_path / "model.tar.gz") if s.name == "rasa")
    assert "*" not in rasa.command and "--cors" not in rasa.command
    assert not any(env["RASA_API_TOKEN"] in arg for arg in rasa.command)
    given = service_env(ports, base={"RASA_API_TOKEN": "from-the-shell"}, var_dir=tmp_path)
    assert given["RASA_API_TOKEN"] == given["RASA_AUTH_TOKEN"] == "from-the-shell"


def test_cors_is_for_the_web_origins_unless_the_command_line_says_otherwise() -> None:
    env = {"WEB_ORIGINS": "https://support.ocn.ne.jp/, http://x:1"}
    assert cors_origins(None, env) == ["https://support.ocn.ne.jp", "http://x:1"]
    assert cors_origins(["https://a.example"], env) == ["https://a.example"]
    assert cors_origins(None, {}) == []  # nobody: no page elsewhere may call Rasa


def test_make_run_keeps_var_and_its_databases_private(tmp_path: Path) -> None:
    """Review (low): var/*.sqlite3 were created 0644 under `make run`. The stack makes var/ 0700, the
    files already there 0600, and runs with umask 077, so a database a service creates is 0600 too."""
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    old = var / "tracker.sqlite3"
    old.write_bytes(b"")
    old.chmod(0o644)
    script = (
        "import sqlite3, sys; from pathlib import Path; from devstack.private_state import make_private; "
        "var = Path(sys.argv[1]); make_private(var); "
        "sqlite3.connect(var / 'console.sqlite3').execute('CREATE TABLE t (x)')"
    )
    subprocess.run([sys.executable, "-c", script, str(var)], check=True, cwd=ROOT)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert (
        stat.S_IMODE((var / "console.sqlite3").stat().st_mode) == 0o600
    )  # created afterwards (services inherit the umask)
