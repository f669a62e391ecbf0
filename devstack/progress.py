"""Progress for the first run's long steps, readable in a terminal and in CI logs.

`make` prints a banner per long step with what is still to come; this module turns pip's chatter into
a counted line every few seconds (`pip install ... | python devstack/progress.py pip TOTAL`), keeping
its errors and warnings. Standard library only: it runs before anything else is installed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import TextIO

EVERY_SECONDS = 5.0


def follow_pip(lines: Iterable[str], total: int, out: TextIO = sys.stdout) -> None:
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    resolved = 0
    last = 0.0
    for line in lines:
        text = line.rstrip("\n")
        if text.startswith(("Collecting ", "Requirement already satisfied")):
            resolved += 1
            if time.monotonic() - last >= EVERY_SECONDS or resolved == total:
                say(f"    pip: {resolved}/{total} packages resolved")
                last = time.monotonic()
        elif text.startswith("Installing collected packages:"):
            count = len(text.split(":", 1)[1].split(","))
            say(f"    pip: installing {count} packages (the longest part: a minute or more)...")
        elif text.startswith("Successfully installed"):
            say("    pip: installed.")
        elif text.startswith(("ERROR", "WARNING")):
            say(text)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "pip":
        sys.exit("usage: pip install ... | python devstack/progress.py pip TOTAL")
    follow_pip(sys.stdin, int(sys.argv[2]))
