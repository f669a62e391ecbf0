"""`python -m bot_server run ...`: Rasa's own CLI with our patches to Rasa applied first
(bot_server/rasa_patches.py lists them and checks each against the installed Rasa), and the HTTP API
token and web origins from the environment (bot_server/http_api.py: never on the command line)."""

from __future__ import annotations

import sys

from bot_server import rasa_patches
from bot_server.http_api import rasa_argv
from bot_server.redaction import install_log_redaction


def main() -> None:
    install_log_redaction()  # before Rasa logs its first message
    rasa_patches.apply_all()
    from rasa.__main__ import main as rasa_main

    sys.argv[:] = rasa_argv(["rasa", *sys.argv[1:]])
    rasa_main()


if __name__ == "__main__":
    main()
