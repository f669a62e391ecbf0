"""`python -m deploy.rasa_server run ...` = `python -m bot_server run ...` with the per-conversation
rate limit and body-size limit installed (bot_server.rate_limit). Once bot_server's own entry point
installs them, this is the same command; installing twice is a no-op."""
from __future__ import annotations

from bot_server import rate_limit
from bot_server.__main__ import main

if __name__ == "__main__":
    rate_limit.install_on_rasa()
    main()
