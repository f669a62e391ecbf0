"""Guessing an operator's password at the sign-in form is throttled: after a handful of wrong passwords
for one account from one address, even the right one is refused for a while (and others can still sign in)."""

from __future__ import annotations

from console_support import Operator, add_operator

from console.auth import SIGNIN_FAILURES_ALLOWED


def test_repeated_wrong_passwords_are_throttled(console) -> None:
    add_operator(console.env, "dave")
    for _ in range(SIGNIN_FAILURES_ALLOWED):
        assert not Operator(console.url, "dave", password="wrong password guess").signed_in
    assert not Operator(console.url, "dave").signed_in  # the right password, too soon
    assert Operator(console.url, "alice").signed_in  # another account is not locked by it
