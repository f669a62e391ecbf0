"""`python -m deploy.rasa_server run ...` = `python -m bot_server run ...` plus what the scaled mode
adds to each Rasa server: the per-conversation rate limit and body-size limit
(bot_server.rate_limit) and riding out PostgreSQL restarts (deploy.tracker_resilience). Once
bot_server's own entry point installs these, this is the same command; installing twice is a no-op."""
from __future__ import annotations

from bot_server import rate_limit
from bot_server.__main__ import main
from deploy import tracker_resilience

if __name__ == "__main__":
    rate_limit.install_on_rasa()
    tracker_resilience.install()
    main()
