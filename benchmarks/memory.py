"""Resident memory (VmRSS and VmHWM from /proc) of the Rasa server processes on this machine.

Finds `bot_server run` processes (read-only: it never signals anything),
or reads the scaled mode's pid files. Run it after a load run to see the memory under load:

    .venv/bin/python benchmarks/memory.py            # every Rasa server process on the machine
    .venv/bin/python benchmarks/memory.py --scaled   # the scaled mode's Rasa, action, sandbox, Redis, nginx
    .venv/bin/python benchmarks/memory.py --load-first single   # run a 20 s load first (benchmarks/load.py)
    .venv/bin/python benchmarks/memory.py --scaled --smoke       # measure only (never a load first)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MARKERS = ("bot_server run",)


def status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) // 1024
    return out


def rasa_processes() -> list[tuple[int, str]]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(m in cmd for m in MARKERS) and "--port" in cmd:
            port = cmd.split("--port", 1)[1].split()[0]
            found.append((int(proc.name), f"rasa :{port}"))
    return sorted(found)


def scaled_processes() -> list[tuple[int, str]]:
    from deploy.scaled import ScaledStack
    from deploy.settings import load

    stack = ScaledStack(load(base_port=ScaledStack(load()).layout().get("base_port")))
    return [(m.pid(), m.name) for m in stack.all_parts() if m.pid()]  # type: ignore[misc]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scaled", action="store_true")
    parser.add_argument(
        "--load-first",
        choices=["single", "scaled"],
        help="run benchmarks/load.py (levels 10, 20 s) first; single stops its stack after, "
        "so its memory is printed by load.py itself",
    )
    parser.add_argument("--smoke", action="store_true", help="measure only, never --load-first: checks it runs")
    args = parser.parse_args()
    if args.load_first and not args.smoke:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "load.py"),
                args.load_first,
                "--levels",
                "10",
                "--seconds",
                "20",
            ],
            check=False,
        )
    procs = scaled_processes() if args.scaled else rasa_processes()
    if not procs:
        print("no Rasa server process found")
        return 1
    total = 0
    print(f"{'pid':>8}  {'process':<16}{'RSS MB':>8}{'peak MB':>9}")
    for pid, name in procs:
        try:
            s = status(pid)
        except OSError:
            continue
        total += s.get("VmRSS", 0)
        print(f"{pid:>8}  {name:<16}{s.get('VmRSS', 0):>8}{s.get('VmHWM', 0):>9}")
    print(f"{'':>8}  {'total':<16}{total:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
