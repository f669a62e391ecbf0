"""Redis for the scaled mode (lock store + rate limits): its config file and its readiness check.

Loopback only, a password, no persistence (locks and rate-limit counters are short-lived), a memory
cap that evicts the keys closest to expiring first.
"""

from __future__ import annotations

from pathlib import Path

from deploy.private_files import private_dir, write_private
from deploy.settings import ScaledSettings


def write_conf(s: ScaledSettings) -> Path:
    """Writes <state>/redis/redis.conf (0600: it holds the password) on every start."""
    data = s.state_dir / "redis"
    private_dir(data)
    conf = data / "redis.conf"
    write_private(
        conf,
        "# written by deploy.scaled on every start\n"
        f"bind 127.0.0.1\nport {s.ports.redis}\nprotected-mode yes\n"
        f"requirepass {s.redis_password}\n"
        f'dir {data}\nsave ""\nappendonly no\ndaemonize no\n'
        f'logfile ""\nloglevel warning\nmaxmemory 256mb\nmaxmemory-policy volatile-ttl\n',
    )
    return conf


def command(conf: Path) -> list[str]:
    return ["redis-server", str(conf)]


def answers_ping(s: ScaledSettings) -> bool:
    import redis

    client = redis.Redis(host="127.0.0.1", port=s.ports.redis, password=s.redis_password, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()
