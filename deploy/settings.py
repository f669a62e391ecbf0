"""Everything the scaled mode reads from the environment, in one place.

No file is edited per deployment: ports, addresses, passwords and tokens come from these variables
(the defaults are for one loopback machine). Generated secrets are kept under the state directory
with mode 0600 so `down` and the tests can find them again.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from account_api.settings import is_loopback  # one definition of 'this machine only'
from deploy.private_files import PASS_THROUGH_DIR_MODE, private_dir

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = ROOT / "var" / "scaled"
DEFAULT_BASE_PORT = 16000


def _env(env: Mapping[str, str], key: str, default: str = "") -> str:
    value = env.get(key)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Ports:
    base: int

    @property
    def nginx(self) -> int:  # Rasa HTTP + socket.io, the public entry
        return self.base

    @property
    def nginx_actions(self) -> int:  # action-server upstream, for the Rasa servers only (loopback)
        return self.base + 1

    @property
    def postgres(self) -> int:
        return self.base + 2

    @property
    def redis(self) -> int:
        return self.base + 3

    @property
    def sandbox(self) -> int:
        return self.base + 4

    @property
    def console(self) -> int:  # operator console (loopback only)
        return self.base + 5

    def action_server(self, i: int) -> int:
        return self.base + 10 + i

    def rasa_server(self, i: int) -> int:
        return self.base + 20 + i

    def actions(self, m: int) -> list[int]:
        return [self.action_server(i) for i in range(m)]

    def rasa(self, n: int) -> list[int]:
        return [self.rasa_server(i) for i in range(n)]

    def by_part(self, n: int, m: int) -> dict[int, str]:
        """Every port of a layout with N Rasa and M action servers, and the part that listens there."""
        parts = {self.nginx: "nginx", self.nginx_actions: "nginx", self.postgres: "postgres", self.redis: "redis"}
        parts[self.sandbox] = "sandbox"
        parts[self.console] = "console"
        parts.update({port: f"actions-{i}" for i, port in enumerate(self.actions(m))})
        parts.update({port: f"rasa-{i}" for i, port in enumerate(self.rasa(n))})
        return parts


@dataclass
class ScaledSettings:
    state_dir: Path
    ports: Ports
    listen_host: str  # where nginx listens for customers (127.0.0.1 unless SCALED_LISTEN_HOST says otherwise)
    rasa_api_token: str
    pg_bin: Path | None
    pg_user: str  # the tracker store's role: owns pg_db, nothing else (not a superuser)
    pg_password: str
    pg_db: str
    pg_admin_password: str  # the cluster's superuser `postgres`: deploy itself only, never a process
    console_pg_user: str  # the console's role: owns console_pg_db, may read pg_db's tables
    console_pg_password: str
    console_pg_db: str
    redis_password: str
    web_session_secret: str  # signs the web widget's session tokens (channels/socketio.py), one for all servers
    console_service_token: str  # the action servers' token for the operator console's desk API
    sandbox_token: str  # ACCOUNT_API_TOKEN: the action servers' token for the sandbox
    sandbox_pepper: str  # ACCOUNT_API_PEPPER and ACCOUNT_API_ENCRYPTION_KEY: the sandbox's own
    sandbox_encryption_key: str
    metrics_token: str  # what Prometheus presents at every server's GET /metrics (deploy/monitoring/)
    model: Path
    nginx_rate: str  # nginx limit_req rate per client address, e.g. "300r/s"
    nginx_burst: int
    nginx_max_body: str  # hard cap at nginx; the bot's own polite limit is lower (RATE_LIMIT_MAX_BODY_BYTES)
    # Comparison runs only (deploy/compare/): another lock store class / endpoints file.
    lock_store_type: str = "bot_server.lock_store.AtomicRedisLockStore"
    endpoints_file: str = "endpoints.yml"
    lock_store_db: str = "1"
    # One event loop per process uses one connection at a time; keep PostgreSQL's count low.
    sql_pool_size: str = "4"
    sql_max_overflow: str = "8"
    # A crashed instance's ticket blocks its conversation this long at most (Rasa's default is 60 s). Below
    # a customer's patience: nginx hands a message the crashed instance held to another one, which waits
    # for this ticket (benchmarks/faults.py, rasa; the load client gives up after 20 s). A live holder
    # extends its ticket every lifetime/3 (bot_server/lock_store.py), so only a dead one waits it out.
    ticket_lock_lifetime: str = "8"
    # nginx routes only the customer channels unless these say otherwise (deploy/nginx.py)
    public_rest: bool = False  # SCALED_PUBLIC_REST=1: the REST channel through nginx (load tests)
    public_api: bool = False  # SCALED_PUBLIC_API=1: Rasa's HTTP API through nginx (token required)
    # WEB_ORIGINS: the help pages whose widget may open socket.io (nginx and Rasa check the Origin
    # header) and get CORS answers; empty: only pages served from nginx's own origin.
    web_origins: tuple[str, ...] = ()
    pg_home: Path | None = None  # SCALED_PG_HOME; None: deploy/postgres.py chooses (see cluster_home)
    # SCALED_SANDBOX_DEV_ENDPOINTS=1: the sandbox's /dev/outbox and /dev/clock (load tests read codes there);
    # off by default: they hand out every code sent.
    sandbox_dev_endpoints: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)

    # URLs carry no password: libpq reads it from the process's PGPASSFILE (deploy/environment.py).
    @property
    def tracker_store_url(self) -> str:
        return f"postgresql://{self.pg_user}@127.0.0.1:{self.ports.postgres}/{self.pg_db}"

    @property
    def console_store_url(self) -> str:
        return f"postgresql://{self.console_pg_user}@127.0.0.1:{self.ports.postgres}/{self.console_pg_db}"

    @property
    def console_tracker_url(self) -> str:
        """The tracker store as the console reads it: its own role, SELECT only."""
        return f"postgresql://{self.console_pg_user}@127.0.0.1:{self.ports.postgres}/{self.pg_db}"

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"

    def pgpass_file(self, role: str) -> Path:
        return self.secrets_dir / f"pgpass-{role}"

    @property
    def rasa_url(self) -> str:
        host = "127.0.0.1" if self.listen_host in ("0.0.0.0", "::") else self.listen_host
        return f"http://{host}:{self.ports.nginx}"

    @property
    def action_endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.nginx_actions}/webhook"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.sandbox}"

    @property
    def sandbox_db(self) -> Path:
        return self.state_dir / "account_api.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _secret(state_dir: Path, name: str, env_value: str, make: Callable[[], str] | None = None) -> str:
    """The value from the environment, else one generated on first use and kept (0600) in state_dir."""
    if env_value:
        return env_value
    path = state_dir / "secrets" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    value = make() if make else secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def find_pg_bin(env: Mapping[str, str]) -> Path | None:
    from devstack.system_packages import pg_bin

    return pg_bin(_env(env, "SCALED_PG_BIN"))


def load(
    env: Mapping[str, str] | None = None, base_port: int | None = None, state_dir: Path | None = None
) -> ScaledSettings:
    env = os.environ if env is None else env
    state = Path(state_dir or _env(env, "SCALED_STATE_DIR", str(DEFAULT_STATE_DIR))).resolve()
    private_dir(state, PASS_THROUGH_DIR_MODE)  # files inside are 0600 (deploy/private_files.py)
    port = base_port or int(_env(env, "SCALED_BASE_PORT", str(DEFAULT_BASE_PORT)))
    listen = _env(env, "SCALED_LISTEN_HOST", "127.0.0.1")
    token_env = _env(env, "RASA_API_TOKEN")
    if not is_loopback(listen) and len(token_env) < 16:
        raise SystemExit(
            f"Refusing to listen on {listen}: the Rasa HTTP API is reachable beyond loopback, so "
            "RASA_API_TOKEN must be set (at least 16 characters). Set it, or keep SCALED_LISTEN_HOST=127.0.0.1."
        )
    from devstack.model import latest_model

    model = Path(_env(env, "SCALED_MODEL", str(latest_model() or ROOT / "models" / "ocn-bot.tar.gz")))
    return ScaledSettings(
        state_dir=state,
        ports=Ports(port),
        listen_host=listen,
        rasa_api_token=_secret(state, "rasa_api_token", token_env),
        pg_bin=find_pg_bin(env),
        pg_home=Path(_env(env, "SCALED_PG_HOME")).resolve() if _env(env, "SCALED_PG_HOME") else None,
        pg_user=_env(env, "SCALED_PG_USER", "rasa"),
        pg_password=_secret(state, "pg_password", _env(env, "SCALED_PG_PASSWORD")),
        pg_db=_env(env, "SCALED_PG_DB", "rasa"),
        pg_admin_password=_secret(state, "pg_admin_password", _env(env, "SCALED_PG_ADMIN_PASSWORD")),
        console_pg_user=_env(env, "SCALED_CONSOLE_PG_USER", "ocn_console"),
        console_pg_password=_secret(state, "console_pg_password", _env(env, "SCALED_CONSOLE_PG_PASSWORD")),
        console_pg_db=_env(env, "SCALED_CONSOLE_PG_DB", "ocn_console"),
        redis_password=_secret(state, "redis_password", _env(env, "SCALED_REDIS_PASSWORD")),
        web_session_secret=_secret(state, "web_session_secret", _env(env, "WEB_SESSION_SECRET")),
        console_service_token=_secret(state, "console_service_token", _env(env, "CONSOLE_SERVICE_TOKEN")),
        sandbox_token=_secret(state, "account_api_token", _env(env, "ACCOUNT_API_TOKEN")),
        sandbox_pepper=_secret(state, "account_api_pepper", _env(env, "ACCOUNT_API_PEPPER")),
        sandbox_encryption_key=_secret(
            state, "account_api_encryption_key", _env(env, "ACCOUNT_API_ENCRYPTION_KEY"), _fernet_key
        ),
        sandbox_dev_endpoints=_env(env, "SCALED_SANDBOX_DEV_ENDPOINTS") in ("1", "true", "yes"),
        metrics_token=_secret(state, "metrics_token", _env(env, "METRICS_TOKEN")),
        model=model,
        nginx_rate=_env(env, "SCALED_NGINX_RATE", "300r/s"),
        nginx_burst=int(_env(env, "SCALED_NGINX_BURST", "600")),
        nginx_max_body=_env(env, "SCALED_NGINX_MAX_BODY", "64k"),
        lock_store_type=_env(env, "SCALED_LOCK_STORE_TYPE", "bot_server.lock_store.AtomicRedisLockStore"),
        endpoints_file=_env(env, "SCALED_ENDPOINTS", "endpoints.yml"),
        lock_store_db=_env(env, "LOCK_STORE_DB", "1"),
        sql_pool_size=_env(env, "SQL_POOL_SIZE", "4"),
        sql_max_overflow=_env(env, "SQL_MAX_OVERFLOW", "8"),
        ticket_lock_lifetime=_env(env, "TICKET_LOCK_LIFETIME", "8"),
        public_rest=_env(env, "SCALED_PUBLIC_REST") in ("1", "true", "yes"),
        public_api=_env(env, "SCALED_PUBLIC_API") in ("1", "true", "yes"),
        web_origins=tuple(
            o.strip().rstrip("/") for o in _env(env, "WEB_ORIGINS").replace(" ", ",").split(",") if o.strip()
        ),
    )
