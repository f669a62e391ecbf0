"""`python -m bot_server run ...`: Rasa's own CLI with our server-side extensions installed:
a reply when the action server is down, per-sender rate and body-size limits, and a
compiled validator for action-server responses."""

from __future__ import annotations

import sys

from bot_server import action_fallback, action_validation, rate_limit


def main() -> None:
    action_fallback.install()
    action_validation.install()
    rate_limit.install_on_rasa()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
