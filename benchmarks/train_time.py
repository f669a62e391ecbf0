"""Whole `rasa train` (NLU + dialogue) from scratch: wall seconds and peak memory.

    .venv/bin/python benchmarks/train_time.py
Goal: under 2 minutes on the 2-core machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    env = dict(
        os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1"
    )
    with tempfile.TemporaryDirectory() as out:
        env["RASA_CACHE_DIRECTORY"] = str(Path(out) / "cache")  # no cached components: a true full train
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot_server", "train", "--force", "--out", out, "--fixed-model-name", "bench"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        size_mb = (Path(out) / "bench.tar.gz").stat().st_size / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"full rasa train: {seconds:.1f} s wall, peak RSS {peak_mb:.0f} MB, model {size_mb:.1f} MB "
        f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
