"""`python -m bot_server run ...`: Rasa's own CLI with our server-side extensions installed:
a reply when the action server is down, per-sender rate and body-size limits, a
compiled validator for action-server responses, and no NLU while a person has the conversation."""

from __future__ import annotations

import sys

from bot_server import action_fallback, action_validation, handoff_pause, rate_limit


def main() -> None:
    action_fallback.install()
    action_validation.install()
    handoff_pause.install()
    rate_limit.install_on_rasa()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
