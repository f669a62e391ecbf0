"""`make run`'s state directory (var/) readable only by its owner, like the scaled mode's
(deploy/private_files.py): the SQLite databases hold conversations, the sandbox's customers and the
sent codes (encrypted, but the file is still nobody else's business), and the token file the API token.

`var/` is made 0700 and the files already in it 0600; the stack then runs with umask 077, so every
database, WAL and log file its processes create is 0600 from the start."""

from __future__ import annotations

import os
from pathlib import Path

from deploy.private_files import DIR_MODE, FILE_MODE, UMASK


def make_private(var_dir: Path) -> None:
    """var/ 0700, its folders 0700 and files 0600; this process and its children create private files."""
    var_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(var_dir, DIR_MODE)
    for path in var_dir.rglob("*"):
        if path.is_symlink():
            continue  # not ours to change (a link to a shared model or venv)
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)
    os.umask(UMASK)
