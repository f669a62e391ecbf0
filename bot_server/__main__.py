"""`python -m bot_server run ...`: Rasa's own CLI with our server-side extensions installed."""
from __future__ import annotations

import sys

from bot_server import action_fallback


def main() -> None:
    action_fallback.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
