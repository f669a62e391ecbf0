"""Guessing an operator's password at the sign-in form is throttled: after a handful of wrong passwords
for one account from one address, even the right one is refused for a while (and others can still sign in).
Behind a reverse proxy the throttle counts the operator's own address (the proxy's X-Forwarded-For), so a
guesser does not lock out everyone who comes through the same proxy. Bodies above the limit are refused,
with or without a Content-Length."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from console_support import Operator, add_operator, start_console

from console.auth import SIGNIN_FAILURES_ALLOWED, SIGNIN_FAILURES_PER_ADDRESS
from console.settings import DEFAULT_MAX_BODY_BYTES

GUESSER, COLLEAGUE = "198.51.100.7", "203.0.113.9"


def test_repeated_wrong_passwords_are_throttled(console) -> None:
    add_operator(console.env, "dave")
    for _ in range(SIGNIN_FAILURES_ALLOWED):
        assert not Operator(console.url, "dave", password="wrong password guess").signed_in
    assert not Operator(console.url, "dave").signed_in  # the right password, too soon
    assert Operator(console.url, "alice").signed_in  # another account is not locked by it


@pytest.fixture(scope="module")
def proxied_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A console behind a reverse proxy on this machine (CONSOLE_TRUSTED_PROXIES=127.0.0.1)."""
    var_dir: Path = tmp_path_factory.mktemp("proxied-console")
    stack, url, env = start_console(var_dir, CONSOLE_TRUSTED_PROXIES="127.0.0.1")
    for name in ("alice", "erin"):
        add_operator(env, name)
    yield url
    stack.stop()


def test_behind_a_proxy_the_throttle_counts_each_operators_own_address(proxied_console: str) -> None:
    for number in range(SIGNIN_FAILURES_PER_ADDRESS):
        user = "erin" if number < SIGNIN_FAILURES_ALLOWED else f"nobody{number}"
        assert not Operator(proxied_console, user, "wrong password guess", forwarded_for=GUESSER).signed_in
    assert not Operator(proxied_console, "alice", forwarded_for=GUESSER).signed_in  # the guesser's address
    # the guesser writing the colleague's address first changes nothing: the proxy appends the real one
    assert not Operator(proxied_console, "alice", forwarded_for=f"{COLLEAGUE}, {GUESSER}").signed_in
    # colleagues behind the same proxy still sign in, erin too (her account was guessed from elsewhere)
    assert Operator(proxied_console, "alice", forwarded_for=COLLEAGUE).signed_in
    assert Operator(proxied_console, "erin", forwarded_for=COLLEAGUE).signed_in


def _status_of_chunked_post(url: str, size: int) -> int:
    """POSTs `size` bytes with Transfer-Encoding: chunked (no Content-Length) and returns the status."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        head = f"POST /signin HTTP/1.1\r\nHost: {parts.netloc}\r\nTransfer-Encoding: chunked\r\n"
        conn.sendall((head + "Content-Type: application/x-www-form-urlencoded\r\n\r\n").encode())
        chunk = b"a" * 8192
        try:
            for _ in range(size // len(chunk)):
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.sendall(b"0\r\n\r\n")
        except OSError:  # the server answered and closed before the whole body was sent
            pass
        reply = conn.recv(1024).decode("latin-1")
    return int(reply.split(" ", 2)[1])


def test_a_body_above_the_limit_is_refused_chunked_or_not(console) -> None:
    too_big = 2 * DEFAULT_MAX_BODY_BYTES
    assert _status_of_chunked_post(console.url, too_big) == 413
    import requests

    assert requests.post(f"{console.url}/signin", data=b"a" * too_big, timeout=10).status_code == 413
    # a normal sign-in form still goes through the same limit
    assert _status_of_chunked_post(console.url, 8192) == 403  # no sign-in token: refused by CSRF, not size
