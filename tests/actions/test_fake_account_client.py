"""The action tests' fake client has every call of the real AccountClient, with the same signature."""

from __future__ import annotations

import inspect

import pytest

from actions.account_client import AccountClient
from tests.actions.fake_account_client import FakeClient

API_CALLS = sorted(
    name
    for name, member in vars(AccountClient).items()
    if inspect.isfunction(member) and not name.startswith("_") and name != "close"
)


def test_the_real_client_has_the_calls_the_actions_use() -> None:
    assert "start_verification" in API_CALLS and "send_ocn_id" in API_CALLS


@pytest.mark.parametrize("name", API_CALLS)
def test_the_fake_overrides_each_call_with_the_real_signature(name: str) -> None:
    fake, real = getattr(FakeClient, name), getattr(AccountClient, name)
    assert fake is not real, f"FakeClient does not fake {name}: the action tests would call the real API"
    assert inspect.signature(fake) == inspect.signature(real), f"FakeClient.{name} no longer matches AccountClient"
