"""Whole `rasa train` (NLU + dialogue) from scratch: wall seconds and peak memory.

    .venv/bin/python benchmarks/train_time.py
    .venv/bin/python benchmarks/train_time.py --smoke   # NLU only, char_lr, tiny data: checks it runs
Goal: under 2 minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def train_command(out: str, smoke: bool) -> list[str]:
    command = [sys.executable, "-m", "bot_server", "train"]
    if smoke:
        from smoke_data import tiny_nlu  # this folder is on sys.path when the script runs

        config = ROOT / "benchmarks" / "pipelines" / "char_lr.yml"
        train, _ = tiny_nlu(Path(out) / "data")
        command += ["nlu", "--config", str(config), "--nlu", str(train)]
    return command + ["--out", out, "--fixed-model-name", "bench"] + ([] if smoke else ["--force"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="NLU only, char_lr, tiny data (seconds)")
    args = parser.parse_args()
    env = dict(
        os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1"
    )
    with tempfile.TemporaryDirectory() as out:
        env["RASA_CACHE_DIRECTORY"] = str(Path(out) / "cache")  # no cached components: a true full train
        started = time.perf_counter()
        subprocess.run(
            train_command(out, args.smoke),
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
        f"{'smoke (NLU only, char_lr)' if args.smoke else 'full'} rasa train: {seconds:.1f} s wall, peak RSS {peak_mb:.0f} MB, model {size_mb:.1f} MB "
        f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
