"""Renders deploy/monitoring/prometheus.yml for the scaled mode's port layout.

    .venv/bin/python -m deploy.monitoring.config --out var/scaled/prometheus.yml
    prometheus --config.file=var/scaled/prometheus.yml --web.listen-address=127.0.0.1:9090 \\
        --storage.tsdb.path=var/scaled/prometheus

The token file is the scaled mode's own (state directory, secrets/metrics_token, mode 0600).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from string import Template

from deploy.settings import ScaledSettings

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "prometheus.yml"
RULES = HERE / "rules.yml"


def targets(ports: list[int]) -> str:
    return json.dumps([f"127.0.0.1:{port}" for port in ports])  # a YAML flow sequence


def token_file(s: ScaledSettings) -> Path:
    return s.state_dir / "secrets" / "metrics_token"


def render(s: ScaledSettings, n_rasa: int, m_actions: int, scrape_interval: str = "15s") -> str:
    """The configuration for N Rasa servers, M action servers and the console of this layout."""
    seconds = int(scrape_interval.rstrip("s"))
    return Template(TEMPLATE.read_text()).substitute(
        scrape_interval=scrape_interval,
        scrape_timeout=f"{min(10, seconds)}s",
        rules_file=str(RULES),
        token_file=str(token_file(s)),
        rasa_targets=targets(s.ports.rasa(n_rasa)),
        action_targets=targets(s.ports.actions(m_actions)),
        console_targets=targets([s.ports.console]),
    )


def main(argv: list[str] | None = None) -> int:
    from deploy.scaled import _stack_for

    parser = argparse.ArgumentParser(prog="python -m deploy.monitoring.config", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-port", type=int, default=None)
    parser.add_argument("--scrape-interval", default="15s")
    args = parser.parse_args(argv)
    stack = _stack_for(args.base_port)
    layout = stack.layout()
    if not layout.get("rasa"):
        print("The scaled mode has not been started here (make scaled-up).", file=sys.stderr)
        return 2
    token_file(stack.s).parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(stack.s, layout["rasa"], layout["actions"], args.scrape_interval))
    print(f"Wrote {args.out} ({layout['rasa']} Rasa, {layout['actions']} action server(s), console)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
