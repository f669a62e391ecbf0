"""The Rasa HTTP API token never needs a command line or a URL: the server takes it from RASA_API_TOKEN,
clients send it in the X-Rasa-Token header (bot_server/api_token.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from rasa.server import ErrorResponse as ServerError  # what Rasa answers 401 with

from bot_server.api_token import auth_args, requires_auth

TOKEN = "a-token-of-twenty-chars"


def test_the_server_takes_the_token_from_the_environment_not_argv() -> None:
    argv = ["rasa", "run", "--enable-api", "--port", "5005"]
    assert auth_args(argv, {"RASA_API_TOKEN": TOKEN}) == [*argv, f"--auth-token={TOKEN}"]
    assert auth_args(argv, {}) == argv  # no token set: as before
    explicit = [*argv, "--auth-token", "given"]
    assert auth_args(explicit, {"RASA_API_TOKEN": TOKEN}) == explicit  # the command line still wins
    assert auth_args(["rasa", "train"], {"RASA_API_TOKEN": TOKEN}) == ["rasa", "train"]


def call(headers: dict[str, str], args: dict[str, str] | None = None) -> str:
    app = SimpleNamespace(config={})

    async def handler(request: object) -> str:
        return "served"

    request = SimpleNamespace(headers=headers, args=args or {})
    return asyncio.run(requires_auth(app, TOKEN)(handler)(request))


def test_the_token_in_its_header_lets_a_client_in_and_nothing_else_does() -> None:
    assert call({"X-Rasa-Token": TOKEN}) == "served"
    for wrong in ({"X-Rasa-Token": TOKEN[:-1]}, {"X-Rasa-Token": ""}, {"Authorization": f"Bearer {TOKEN}"}, {}):
        with pytest.raises(ServerError):
            call(wrong)


def test_the_token_in_the_url_is_refused_even_when_right() -> None:
    """Review (low): `?token=` ends up in proxy and access logs; only the header lets a client in."""
    for headers in ({}, {"X-Rasa-Token": TOKEN}):
        with pytest.raises(ServerError) as refused:
            call(headers, {"token": TOKEN})
        assert refused.value.status == 401
