"""The system (Debian) packages the whole test suite needs besides Python's, in one place.

Chromium, its WebDriver and Japanese fonts (browser tests in tests/web), Redis (lock store, rate
limits, scaled mode), nginx (scaled mode), Prometheus (promtool in `make lint`, the monitoring test)
and PostgreSQL's server binaries (scaled mode; they ship
with the machine image). `make test` runs `python -m devstack.system_packages`: as root with
apt-get it installs what is missing; otherwise it stops at once with the exact command to run.
Tests that need a package fail with that same command (see `require`); none is silently skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
JAPANESE_FONT = Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")
PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


def nginx_binary() -> str | None:
    # /usr/sbin is not on every user's PATH.
    return shutil.which("nginx") or (str(Path("/usr/sbin/nginx")) if Path("/usr/sbin/nginx").exists() else None)


def pg_bin(explicit: str | None = None) -> Path | None:
    """The directory with PostgreSQL's initdb and pg_ctl (SCALED_PG_BIN, else the Debian places)."""
    for candidate in ([explicit] if explicit else []) + list(PG_BIN_CANDIDATES):
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


@dataclass(frozen=True)
class Need:
    key: str
    package: str  # the Debian package that provides it
    purpose: str
    present: Callable[[], bool]


NEEDS = (
    Need("chromium", "chromium", "browser tests (tests/web)", CHROMIUM.exists),
    Need("chromedriver", "chromium-driver", "browser tests (tests/web)", CHROMEDRIVER.exists),
    Need("fonts", "fonts-ipafont-gothic", "Japanese text in browser screenshots", JAPANESE_FONT.exists),
    Need(
        "redis",
        "redis-server",
        "lock store, rate limits, scaled mode",
        lambda: shutil.which("redis-server") is not None,
    ),
    Need("nginx", "nginx", "scaled mode", lambda: nginx_binary() is not None),
    # promtool checks the alert rules (make lint); the real prometheus scrapes the scaled mode in a test.
    # Installing the package on a machine with systemd starts its service on :9090; nothing here needs
    # that port (the test's Prometheus takes a free one).
    Need(
        "prometheus",
        "prometheus",
        "alert rules check (make lint), monitoring test (tests/scaled)",
        lambda: shutil.which("promtool") is not None and shutil.which("prometheus") is not None,
    ),
    Need("postgresql", "postgresql-15", "scaled mode", lambda: pg_bin(os.environ.get("SCALED_PG_BIN")) is not None),
    # PostgreSQL refuses to run as root; as root the scaled mode starts it as `postgres` with runuser.
    Need(
        "runuser", "util-linux", "scaled mode as root", lambda: os.geteuid() != 0 or shutil.which("runuser") is not None
    ),
)


def missing(keys: tuple[str, ...] | None = None) -> list[Need]:
    return [need for need in NEEDS if (keys is None or need.key in keys) and not need.present()]


def install_command(needs: list[Need]) -> str:
    packages = " ".join(sorted({need.package for need in needs}))
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get update && {sudo}apt-get install -y --no-install-recommends {packages}"


def require(*keys: str) -> str | None:
    """None when everything named is installed, else a message with the command that installs it."""
    absent = missing(keys)
    if not absent:
        return None
    what = ", ".join(f"{need.package} ({need.purpose})" for need in absent)
    return f"missing system packages: {what}. Install them with:\n    {install_command(absent)}\n(or run `make test`)"


def ensure(keys: tuple[str, ...] | None = None) -> int:
    """Installs what is missing (of `keys`, default all) when we can (root + apt-get), else prints the
    command; 0 when all is there."""
    absent = missing(keys)
    if not absent:
        return 0
    packages = sorted({need.package for need in absent})
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(require(*(need.key for need in absent)), file=sys.stderr)
        return 2
    print(f"Installing system packages for the tests: {' '.join(packages)} (apt-get, a minute or two)...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
    ):
        if subprocess.run(command, env=env).returncode != 0:
            print(f"`{' '.join(command)}` failed; run it yourself:\n    {install_command(absent)}", file=sys.stderr)
            return 2
    still = missing(keys)
    if still:
        print(require(*(need.key for need in still)), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    # `python -m devstack.system_packages [KEY ...]`: all, or only the named needs (make lint: prometheus)
    sys.exit(ensure(tuple(sys.argv[1:]) or None))
