"""Start the real product (devstack) on free ports with temporary databases, and talk to it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bot_server.api_token import HEADER as API_TOKEN_HEADER
from devstack.config import Ports, service_env
from devstack.model import latest_model, needs_training, train
from devstack.ports import free_port as free_port  # re-exported: tests import it from here
from devstack.ports import free_ports
from devstack.services import Service, Stack, product_services

CODE = re.compile(r"確認コード: (\d{6})")


@dataclass
class RunningStack:
    stack: Stack
    ports: Ports
    env: dict[str, str]
    var_dir: Path

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.console}"

    @property
    def account_api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.account_api}"

    @property
    def api_headers(self) -> dict[str, str]:
        """What a caller of Rasa's HTTP API sends: this stack's token (bot_server/api_token.py)."""
        return {API_TOKEN_HEADER: self.env["RASA_API_TOKEN"]}

    def service(self, name: str) -> Service:
        return next(s for s in self.stack.services if s.name == name)

    def say(self, sender: str, text: str, timeout: float = 30, message_id: str | None = None) -> list[dict[str, Any]]:
        """One REST message; `message_id` is the client's id for it (a resend carries the same one)."""
        body = {"sender": sender, "message": text, **({"message_id": message_id} if message_id else {})}
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def advance_clock(self, seconds: int) -> None:
        """Move the sandbox clock on (code expiry, per-hour limits) without waiting."""
        requests.post(
            f"{self.account_api_url}/dev/clock",
            json={"advance_seconds": seconds},
            headers={"X-Service-Token": self.env["ACCOUNT_API_TOKEN"]},
            timeout=5,
        ).raise_for_status()

    def start_a_new_day(self) -> None:
        """Move the sandbox clock on by a day, so the code limits (per hour and per day) and the wrong-code
        budgets (per day) start afresh: every test's REST messages come from one client, 127.0.0.1
        (account_api/README.md "Lockout")."""
        self.advance_clock(24 * 3600 + 1)

    def outbox(self, destination: str) -> list[dict[str, Any]]:
        return sandbox_outbox(self.account_api_url, self.env["ACCOUNT_API_TOKEN"], destination)

    def codes_sent(self, destination: str) -> list[str]:
        """Every one-time code the sandbox 'sent' to a phone or mail address, oldest first."""
        return [found.group(1) for m in self.outbox(destination) for found in [CODE.search(m["body"])] if found]

    def latest_code(self, destination: str) -> str | None:
        """The last one-time code the sandbox 'sent' to a phone or mail address."""
        for message in reversed(self.outbox(destination)):
            found = CODE.search(message.get("body", ""))
            if found:
                return found.group(1)
        return None

    def stop(self) -> None:
        self.stack.stop()


def sandbox_outbox(account_api_url: str, token: str, destination: str) -> list[dict[str, Any]]:
    """Every message the sandbox 'sent' to a phone or mail address, oldest first (its /dev/outbox
    returns the newest 20 unless asked for more: a count over 20 would never grow)."""
    response = requests.get(
        f"{account_api_url}/dev/outbox",
        params={"to": destination, "last": 500},
        headers={"X-Service-Token": token},
        timeout=5,
    )
    response.raise_for_status()
    return response.json()["messages"]


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons") or []]


def start_stack(var_dir: Path, web: bool = False, extra_env: dict[str, str] | None = None) -> RunningStack:
    rasa, actions, account_api, web_port, console = free_ports(5)
    ports = Ports(rasa=rasa, actions=actions, account_api=account_api, web=web_port, console=console)
    env = service_env(ports, var_dir=var_dir)
    for key in (
        "ACTION_ENDPOINT_URL",
        "TRACKER_STORE_URL",
        "ACCOUNT_API_URL",
        "ACCOUNT_API_DB",
        "CONSOLE_PORT",
        "CONSOLE_STORE_URL",
        "HANDOFF_DESK_URL",
        "RASA_URL",
        "RASA_AUTH_TOKEN",
        "RASA_API_TOKEN",
        "WEB_ORIGINS",
    ):
        env.pop(key, None)  # the test stack must not inherit a developer's running stack
    env = service_env(ports, base=env, var_dir=var_dir)
    env["ACCOUNT_API_DEV_ENDPOINTS"] = "1"
    env["HANDOFF_HOURS"] = "00:00-24:00"  # whatever the time of day the tests run (hours: tests/actions)
    env.update(extra_env or {})
    if needs_training():
        train(env)
    model = latest_model()
    assert model is not None
    stack = Stack(product_services(ports, model, web=web), env, var_dir / "logs")
    try:
        stack.start()
    except Exception:
        stack.stop()
        raise
    return RunningStack(stack, ports, env, var_dir)


# The queue's unverified-row caps lifted where many test customers share 127.0.0.1.
SHARED_LOOPBACK = {
    "CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_CLIENT": "10",
    "CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_NETWORK": "10",
    "CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_GROUP": "10",
}
