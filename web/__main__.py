"""`python -m web --host 127.0.0.1 --port 8080 --rasa-port 5005`: serve the help-site page.

`--socket-url same-origin` when a reverse proxy serves the page and Rasa's /socket.io/ on one origin.
"""

from __future__ import annotations

import argparse
import signal
import sys

from web.server import SAME_ORIGIN, VENDOR_BUNDLE, ChatConfig, make_server


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web", description="Serve the help-site page with the chat widget.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-port", type=int, default=5005, help="Rasa's port, on the host the page is loaded from")
    parser.add_argument(
        "--socket-url",
        default=None,
        help=f"where the widget connects instead: an http(s) URL, or '{SAME_ORIGIN}' behind a reverse proxy",
    )
    parser.add_argument("--socket-path", default="/socket.io/", help="Rasa's socketio_path (default /socket.io/)")
    args = parser.parse_args(argv)
    try:
        config = ChatConfig(rasa_port=args.rasa_port, socket_url=args.socket_url, socket_path=args.socket_path)
    except ValueError as error:
        parser.error(str(error))
    if not VENDOR_BUNDLE.exists():
        print(
            f"warning: {VENDOR_BUNDLE} is missing; run `make web-deps` (the chat widget cannot connect without it)",
            file=sys.stderr,
            flush=True,
        )
    server = make_server(args.host, args.port, config)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    where = config.socket_url or f"same host, port {config.rasa_port}"
    print(f"Help page on http://{args.host}:{args.port}/ (chat connects to {where})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
