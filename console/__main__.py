"""`python -m console [serve]` starts the console on loopback (CONSOLE_PORT, default 5057);
`python -m console add-operator NAME` creates an operator account (asks for the password);
`python -m console set-password NAME` changes one (and signs that operator out everywhere)."""

from __future__ import annotations

import argparse
import getpass
import sys

import sqlalchemy.exc as sa_exc

from console.auth import hash_password
from console.settings import DEV_SERVICE_TOKEN, load_settings
from console.store import Store


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12+ characters): ")
    if first != getpass.getpass("Again: "):
        raise ValueError("the passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the console (the default)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    for name in ("add-operator", "set-password"):
        command = sub.add_parser(name)
        command.add_argument("username")
        command.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        if name == "add-operator":
            command.add_argument("--name", help="name shown to colleagues (default: the username)")
    args = parser.parse_args(argv)
    settings = load_settings()

    if args.command in ("add-operator", "set-password"):
        store = Store(settings.store_url)
        try:
            password_hash = hash_password(_read_password(args.password_stdin))
        except ValueError as error:
            print(f"Not changed: {error}", file=sys.stderr)
            return 2
        if args.command == "set-password":
            if not store.operators.set_password(args.username, password_hash):
                print(f"No operator {args.username!r}", file=sys.stderr)
                return 1
            print(f"Password of {args.username} changed.")
            return 0
        try:
            store.operators.add(args.username, args.name or args.username, password_hash)
        except sa_exc.IntegrityError:
            print(f"Operator {args.username!r} already exists", file=sys.stderr)
            return 1
        print(f"Operator {args.username} added.")
        return 0

    host = getattr(args, "host", None) or settings.host
    port = getattr(args, "port", None) or settings.port
    if host not in ("127.0.0.1", "localhost", "::1") and settings.service_token == DEV_SERVICE_TOKEN:
        print("Refusing a non-loopback address with the development CONSOLE_SERVICE_TOKEN.", file=sys.stderr)
        return 2
    from bot_server.json_logs import install_json_logging
    from console.app import create_app

    app = create_app(settings)
    install_json_logging()  # JSON lines, redacted (bot_server/json_logs.py)
    app.run(host=host, port=port, access_log=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
