"""The console as a real process on a free loopback port, and an operator's browser-less client."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devstack.ports import free_port  # noqa: E402
from devstack.services import Service, Stack  # noqa: E402

SERVICE_TOKEN = "test-console-token"
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')
_SIGNIN = re.compile(r'name="csrf_token" value="([^"]*)"')


def console_env(var_dir: Path, port: int, rasa_url: str = "http://127.0.0.1:9", **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONSOLE_", "TRACKER_STORE", "RASA_URL"))}
    env.update(
        {
            "CONSOLE_PORT": str(port),
            "CONSOLE_STORE_URL": f"sqlite:///{var_dir / 'console.sqlite3'}",
            "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'tracker.sqlite3'}",
            "CONSOLE_SERVICE_TOKEN": SERVICE_TOKEN,
            "RASA_URL": rasa_url,
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def store_event(path: Path | str, sender: str, kind: str, data: dict, at: float) -> None:
    """One event in a SQLite tracker store laid out as Rasa's SQLTrackerStore lays it out."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), "
            "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        db.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            (sender, kind, at, json.dumps(data, ensure_ascii=False)),
        )


def add_operator(env: dict[str, str], username: str, password: str = PASSWORD) -> None:
    subprocess.run(
        [sys.executable, "-m", "console", "add-operator", username, "--name", username.title(), "--password-stdin"],
        input=password + "\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )


def start_console(var_dir: Path, **extra: str) -> tuple[Stack, str, dict[str, str]]:
    port = free_port()
    env = console_env(var_dir, port, **extra)
    service = Service(
        "console",
        [sys.executable, "-m", "console", "serve", "--port", str(port)],
        f"http://127.0.0.1:{port}/healthz",
    )
    stack = Stack([service], env, var_dir / "logs")
    stack.start(timeout=60)
    return stack, f"http://127.0.0.1:{port}", env


class Operator:
    """A signed-in operator: a requests session with the cookie and the page's CSRF token."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str = PASSWORD,
        forwarded_for: str | None = None,
        status: str | None = "available",
    ) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        if forwarded_for:  # as a reverse proxy in front of the console writes it
            self.http.headers["X-Forwarded-For"] = forwarded_for
        page = self.http.get(f"{base_url}/signin", timeout=10)
        token = _SIGNIN.search(page.text).group(1)
        response = self.http.post(
            f"{base_url}/signin",
            data={"username": username, "password": password, "csrf_token": token, "next": "/queue"},
            timeout=30,
        )
        self.signed_in = response.ok and response.url.endswith("/queue")
        found = _CSRF.search(response.text)
        self.csrf = found.group(1) if found else ""
        if self.signed_in and status:  # signing in starts 離席: the operator chooses (console/presence.py)
            self.post("/presence", {"status": status}).raise_for_status()

    def choose(self, status: str) -> None:
        self.post("/presence", {"status": status}).raise_for_status()

    def post(self, path: str, json: dict | None = None, csrf: bool = True) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.post(self.base_url + path, json=json or {}, headers=headers, timeout=30)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=30, **kwargs)

    def queue(self) -> list[dict]:
        response = self.get("/api/queue")
        response.raise_for_status()
        return response.json()["queue"]

    def wait_for_customer_line(self, handoff_id: str, text: str, timeout: float = 15) -> None:
        """Reads the live transcript (server-sent events, as the conversation page does) until the
        customer's `text` shows up: the console pushes it, so nothing here polls or sleeps."""
        url = f"{self.base_url}/handoffs/{handoff_id}/stream"
        try:
            with self.http.get(url, stream=True, timeout=(10, timeout)) as response:
                response.raise_for_status()
                # chunk_size=None: each event as it arrives, not once a buffer is full.
                for line in response.iter_lines(chunk_size=None, decode_unicode=True):
                    if line.startswith("data: "):
                        data = json.loads(line[len("data: ") :])
                        if data.get("kind") == "customer" and data.get("text") == text:
                            return
        except requests.RequestException as error:  # the read timeout: nothing arrived in time
            raise AssertionError(f"{text!r} did not reach the console: {error}") from error
        raise AssertionError(f"{text!r} did not reach the console")


def enqueue(
    base_url: str, conversation_id: str, channel: str = "web", topic: str | None = None, client_ref: str | None = None
) -> requests.Response:
    return requests.post(
        f"{base_url}/desk/v1/handoffs",
        json={"conversation_id": conversation_id, "channel": channel, "topic": topic, "client_ref": client_ref},
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=10,
    )


class WidgetCustomer:
    """The web widget's side (socket.io, server-issued session): messages in and out, with arrival times."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session_id = ""
        self.inbox: asyncio.Queue[tuple[float, dict]] = asyncio.Queue()
        self.received: list[dict] = []  # everything that arrived, in order
        self.confirmed = asyncio.Event()

    async def connect(self, url: str) -> None:
        @self.sio.on("session_confirm")
        async def confirm(data: dict) -> None:
            self.session_id = data["session_id"] if isinstance(data, dict) else data
            self.confirmed.set()

        @self.sio.on("bot_uttered")
        async def uttered(data: dict) -> None:
            self.received.append(data)
            self.inbox.put_nowait((time.perf_counter(), data))

        await self.sio.connect(url, transports=["websocket"])
        await self.sio.emit("session_request", {"session_id": None})
        await asyncio.wait_for(self.confirmed.wait(), 10)

    async def say(self, text: str) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})

    async def wait_text(self, containing: str, timeout: float = 10) -> float:
        deadline = time.monotonic() + timeout
        while True:
            arrived, data = await asyncio.wait_for(self.inbox.get(), max(0.01, deadline - time.monotonic()))
            if containing in (data.get("text") or ""):
                return arrived
