"""Rasa's HTTP API on `make run`: a token per checkout (never on a command line), CORS only for the
help page's origins (bot_server/http_api.py, devstack/api_token.py). The running server: tests/stack/
test_http_api_auth.py."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot_server.http_api import rasa_argv, web_origins
from devstack.api_token import checkout_token
from devstack.config import Ports, service_env
from devstack.services import product_services

RUN = ["rasa", "run", "--enable-api", "--port", "5005"]


def test_each_checkout_gets_its_own_token_in_var_readable_only_by_its_owner(tmp_path: Path) -> None:
    first, other = tmp_path / "a" / "var", tmp_path / "b" / "var"
    token = checkout_token(first)
    assert len(token) >= 32
    assert checkout_token(first) == token  # kept: the console and tools read the same one
    assert checkout_token(other) != token
    assert stat.S_IMODE((first / "rasa_api_token").stat().st_mode) == 0o600


def test_make_run_gives_every_service_the_token_and_the_help_page_origins(tmp_path: Path) -> None:
    ports = Ports(rasa=15005, web=18080)
    env = service_env(ports, base={}, var_dir=tmp_path)
    assert env["RASA_AUTH_TOKEN"] == checkout_token(tmp_path)
    assert web_origins(env) == ["http://127.0.0.1:18080", "http://localhost:18080"]
    rasa = next(s for s in product_services(ports, tmp_path / "model.tar.gz") if s.name == "rasa")
    assert "*" not in rasa.command and "--cors" not in rasa.command
    assert not any(env["RASA_AUTH_TOKEN"] in arg for arg in rasa.command)


def test_rasa_gets_the_token_and_origins_inside_the_process() -> None:
    env = {"RASA_AUTH_TOKEN": "-starts-with-a-dash", "WEB_ORIGINS": "https://support.ocn.ne.jp/, http://x:1"}
    args = rasa_argv(RUN, env)
    assert "--auth-token=-starts-with-a-dash" in args
    assert args[args.index("--cors") + 1 :] == ["https://support.ocn.ne.jp", "http://x:1"]
    assert rasa_argv(["rasa", "train"], env) == ["rasa", "train"]
    given = rasa_argv([*RUN, "--auth-token", "explicit", "--cors", "https://a.example"], env)
    assert given.count("--cors") == 1 and not any(a.startswith("--auth-token=") for a in given)


def test_no_http_api_without_a_token() -> None:
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN"):
        rasa_argv(RUN, {})
    assert "--auth-token" not in " ".join(rasa_argv(["rasa", "run", "--port", "5005"], {}))  # channels only
