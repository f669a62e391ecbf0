"""Command line: `python -m account_api serve | outbox | customers | alarm | purge | forget`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .alarm import AlarmState, alarm_state
from .clock import Clock, iso_jst
from .identifiers import format_phone, mask_address, normalize_destination
from .outbox import outbox_entry
from .security import SecretBox
from .seed import seed_demo_customers
from .settings import Settings
from .store import Store


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m account_api", description="OCN account API sandbox")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service (env ACCOUNT_API_HOST/PORT/DB/TOKEN)")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 5056)")

    outbox = commands.add_parser("outbox", help="print the SMS, mails and letters the sandbox sent")
    outbox.add_argument("--to", help="phone number, mail address or customer number")
    outbox.add_argument("--last", type=int, default=10, help="how many of the newest messages (default 10)")

    commands.add_parser("customers", help="list the demo customers")
    commands.add_parser("alarm", help='is the cross-account wrong-code alarm on (README "Lockout")')

    purge = commands.add_parser("purge", help="delete sent messages and verifications older than RETENTION_DAYS")
    purge.add_argument("--days", type=int, help="retention period in days (default RETENTION_DAYS, 90)")

    forget = commands.add_parser(
        "forget", help="unlink one conversation's verifications from its id (a deletion request)"
    )
    forget.add_argument("--conversation", required=True, help="conversation id, e.g. line:U4af4980629...")

    args = parser.parse_args(argv)
    settings = Settings.from_env(host=getattr(args, "host", None), port=getattr(args, "port", None))
    if args.command == "serve":
        return serve_forever(settings)
    store = open_store(settings)
    try:
        if args.command == "outbox":
            print_outbox(store, SecretBox(settings.encryption_key), args.to, args.last)
        elif args.command == "alarm":
            print_alarm(alarm_state(store, settings, Clock().now()))
        elif args.command == "purge":
            return purge_old(store, settings.retention_days if args.days is None else args.days)
        elif args.command == "forget":
            unlinked = store.forget_conversation(args.conversation.strip())
            print(json.dumps({"event": "forget", "unlinked": unlinked}), flush=True)
        else:
            print_customers(store)
    finally:
        store.close()
    return 0


def serve_forever(settings: Settings) -> int:
    from .app import create_app  # Sanic is only imported when serving

    refusals = settings.refusals()
    if refusals:
        print(f"account_api: refusing to serve on {settings.host}: " + "; ".join(refusals) + ".", file=sys.stderr)
        return 2
    app = create_app(settings)
    print(f"account_api sandbox on http://{settings.host}:{settings.port} (db {settings.db_path})", flush=True)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=settings.access_log, motd=False)
    return 0


def open_store(settings: Settings) -> Store:
    """The CLI works with or without a running server (WAL allows a concurrent reader/writer)."""
    store = Store(settings.db_path)
    store.create_schema()
    seed_demo_customers(store, SecretBox(settings.encryption_key), Clock().now())
    return store


def print_outbox(store: Store, box: SecretBox, to: str | None, last: int) -> None:
    rows = store.outbox.latest(normalize_destination(to), max(1, last))
    if not rows:
        print("(outbox is empty)" if not to else f"(nothing sent to {to})")
        return
    for row in rows:
        m = outbox_entry(row, box)
        print(f"#{m['id']}  {m['sent_at']}  {m['channel'].upper()} → {m['to']}  [{m['kind']}]")
        if m["channel"] != "sms":
            print(f"    {m['subject']}")
        for line in m["body"].splitlines():
            print(f"    {line}")
        print()


def print_alarm(state: AlarmState) -> None:
    """The alarm as the sandbox's wall clock sees it (a server's /dev/clock offset is not known here)."""
    status = f"ON until {iso_jst(state.until)}" if state.on and state.until else "off"
    print(f"alarm: {status}")
    print(f"wrong codes across all accounts in the alarm window: {state.wrong_codes}")
    print(f"last raised: {iso_jst(state.raised_at) if state.raised_at else 'never'}; raised {state.times_raised} times")


def purge_old(store: Store, days: int) -> int:
    if days < 1:
        print("account_api: --days must be at least 1.", file=sys.stderr)
        return 2
    deleted = store.purge_older_than(Clock().now() - days * 86400)
    print(json.dumps({"event": "retention", "days": days, "deleted": deleted}), flush=True)
    return 0


def print_customers(store: Store) -> None:
    for c in store.customers():
        contact = f"SMS {format_phone(c.mobile)}" if c.mobile else f"mail {c.contact_mail}"
        print(f"{c.customer_number}  {c.name}")
        print(f"    OCN ID        {c.ocn_id}")
        print(f"    connection ID {c.connection_id}")
        print(f"    contact       {contact}")
        print(f"    address       {c.postal_address}  (shown as {mask_address(c.address_region)})")
        print()


if __name__ == "__main__":
    sys.exit(main())
