"""`python -m devstack run`: train if needed, start everything on loopback, stop on Ctrl-C.
`python -m devstack train`: train only if the model is missing or stale.
`python -m devstack shell`: chat in the terminal with the running bot, or one started for the chat."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from actions.links import describe_unset_links
from devstack.config import VAR, Ports, ports_from_env, service_env
from devstack.model import latest_model, needs_training, train
from devstack.private_state import make_private
from devstack.processes import http_ok
from devstack.services import Stack, product_services
from devstack.shell import chat


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("command", choices=["run", "train", "shell"])
    args = parser.parse_args()
    env = service_env(ports_from_env(os.environ))
    make_private(VAR)  # var/ 0700, its databases 0600, and umask 077 for what the stack creates
    if needs_training():
        print(
            "==> Training the model: data, domain or pipeline changed (about a minute; Rasa shows each epoch)",
            flush=True,
        )
        train(env)
    if args.command == "train":
        print(f"Model: {latest_model()}")
        return 0

    ports = ports_from_env(env)
    model = latest_model()
    assert model is not None
    if args.command == "shell":
        return shell(ports, model, env)
    return run(ports, model, env)


def run(ports: Ports, model: Path, env: dict) -> int:
    """Start every service, say how to use them, and stop them all on Ctrl-C or when one dies."""
    stack = Stack(product_services(ports, model), env, VAR / "logs")
    _stop_on_signals(stack)
    names = ", ".join(service.name for service in stack.services)
    print(f"==> Starting {len(stack.services)} services: {names} (about 20 s; Rasa loads the model last)", flush=True)
    try:
        stack.start(progress=lambda line: print(f"    {line}", flush=True))
    except (RuntimeError, TimeoutError) as error:
        print(f"Could not start: {error}", file=sys.stderr)
        stack.stop()
        return 1
    print(_ready_message(ports, env), flush=True)
    return _watch(stack)


def _stop_on_signals(stack: Stack) -> None:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return  # a second Ctrl-C must not interrupt the clean shutdown
        stopping = True
        print("\nStopping...", flush=True)
        stack.stop()
        print("Stopped.", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _ready_message(ports: Ports, env: dict) -> str:
    return f"""
Ready.
  Web chat page:  http://127.0.0.1:{ports.web}/
  Operator console: http://127.0.0.1:{ports.console}/   (account: .venv/bin/python -m console add-operator NAME)
  REST:           curl -s -XPOST http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook \\
                    -H 'Content-Type: application/json' -d '{{"sender":"me","message":"パスワードを忘れました"}}'
  Terminal chat:  make shell   (in another terminal, while this runs)
  Demo codes:     .venv/bin/python -m account_api outbox --last 5
  Logs:           {VAR / "logs"}
  Retention:      conversations older than RETENTION_DAYS (90) are deleted at start and every hour;
                  one customer's: .venv/bin/python -m bot_server forget --sender line:U...
{describe_unset_links(env)}
Press Ctrl-C to stop."""


def _watch(stack: Stack) -> int:
    """Until a service dies (then stop the rest and fail); Ctrl-C ends the process in the signal handler."""
    while True:
        for service in stack.started:
            if service.process and service.process.poll() is not None:
                print(f"{service.name} stopped unexpectedly; see {service.log_path}", file=sys.stderr)
                stack.stop()
                return 1
        time.sleep(1)


def shell(ports: Ports, model: Path, env: dict) -> int:
    """Chat with the running stack, or start one (without the web page) for the session."""
    rasa_url = f"http://127.0.0.1:{ports.rasa}"
    stack = None
    if not http_ok(rasa_url + "/"):
        print("Starting the bot for this chat (about 20 s)...", flush=True)
        stack = Stack(product_services(ports, model, web=False), env, VAR / "logs")
        stack.start()
    try:
        chat(rasa_url)
    finally:
        if stack:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
