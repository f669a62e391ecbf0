"""`python -m bot_server run ...`: Rasa's own CLI with our patches to Rasa applied first
(bot_server/rasa_patches.py lists them and checks each against the installed Rasa).
`python -m bot_server retention | forget --sender ID`: the data-lifecycle jobs (bot_server/retention.py)."""

from __future__ import annotations

import os
import sys

from bot_server import rasa_patches
from bot_server.api_token import auth_args
from bot_server.redaction import install_log_redaction

DATA_COMMANDS = ("retention", "forget")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in DATA_COMMANDS:
        from bot_server.retention import main as data_main

        sys.exit(data_main(sys.argv[1:]))
    install_log_redaction()  # before Rasa logs its first message
    rasa_patches.apply_all()
    from rasa.__main__ import main as rasa_main

    # RASA_API_TOKEN becomes --auth-token here, in this process only: never on a command line.
    sys.argv = auth_args(["rasa", *sys.argv[1:]], dict(os.environ))
    rasa_main()


if __name__ == "__main__":
    main()
