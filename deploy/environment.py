"""The environment every scaled-mode process gets: devstack's one-machine defaults, overridden by the
scaled mode's addresses (nginx upstream, PostgreSQL, Redis, sandbox). endpoints.yml reads the same
variables in every process, so this is the only place the processes learn where the others are."""

from __future__ import annotations

from deploy.settings import ScaledSettings
from devstack.config import Ports as DevPorts
from devstack.config import service_env


def process_env(s: ScaledSettings) -> dict[str, str]:
    env = service_env(DevPorts(rasa=0, actions=0, account_api=s.ports.sandbox, web=0), var_dir=s.state_dir)
    env.update(
        ACTION_ENDPOINT_URL=s.action_endpoint_url,
        TRACKER_STORE_URL=s.tracker_store_url,
        LOCK_STORE_TYPE=s.lock_store_type,
        LOCK_STORE_HOST="127.0.0.1",
        LOCK_STORE_PORT=str(s.ports.redis),
        LOCK_STORE_DB=s.lock_store_db,
        LOCK_STORE_PASSWORD=s.redis_password,
        ACCOUNT_API_URL=s.sandbox_url,
        ACCOUNT_API_DB=str(s.sandbox_db),
        ACCOUNT_API_HOST="127.0.0.1",
        ACCOUNT_API_PORT=str(s.ports.sandbox),
        RASA_API_TOKEN=s.rasa_api_token,
        WEB_SESSION_SECRET=s.web_session_secret,
        SQL_POOL_SIZE=s.sql_pool_size,
        SQL_MAX_OVERFLOW=s.sql_max_overflow,
        TICKET_LOCK_LIFETIME=s.ticket_lock_lifetime,
        SANIC_HOST="127.0.0.1",
        # Handoff: every Rasa server reaches every web session through Redis (channels/socketio.py);
        # the console's queue lives in PostgreSQL next to the conversations.
        SOCKETIO_MESSAGE_QUEUE=f"redis://:{s.redis_password}@127.0.0.1:{s.ports.redis}/2",
        CONSOLE_PORT=str(s.ports.console),
        CONSOLE_STORE_URL=s.tracker_store_url,
        CONSOLE_SERVICE_TOKEN=s.console_service_token,
        HANDOFF_DESK_URL=f"http://127.0.0.1:{s.ports.console}",
        RASA_AUTH_TOKEN=s.rasa_api_token,
    )
    return env
