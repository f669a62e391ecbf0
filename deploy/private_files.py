"""Files and folders of the state directory that only our own user may read: configurations with
passwords, secrets, the sandbox's database, logs, pid files. Modes are set explicitly (whatever the
umask), and `up` runs its processes with umask 077 so what they create is private too."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
# A folder nginx's workers (user nobody, when we are root) must pass through to their temp folders:
# they may enter it but not list or read what is in it.
PASS_THROUGH_DIR_MODE = 0o711
UMASK = 0o077


def private_dir(path: Path, mode: int = DIR_MODE) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    return path


def write_private(path: Path, text: str) -> Path:
    """Writes `text` to a file only its owner can read (created 0600, so never readable in between)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, FILE_MODE)  # an older file may have had another mode
    return path


def touch_private(path: Path) -> Path:
    """Creates `path` empty if missing (a log, an SQLite database) and makes it 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))
    os.chmod(path, FILE_MODE)
    return path
