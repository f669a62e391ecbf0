"""The alert rules (deploy/monitoring/rules.yml): valid for promtool, firing on made-up series that
should wake someone and quiet on ones that should not (rules_test.yml), naming only series the servers
export, and counting as FAQ turns exactly the help-page topics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from actions.knowledge import _NOT_TOPICS
from actions.topics import TOPICS

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
RULES = MONITORING / "rules.yml"
SERIES = re.compile(r"\b(ocn_[a-z_]+)")
# A histogram's and a counter's sample names, as Prometheus stores them.
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        pytest.fail("promtool is missing: apt-get install -y --no-install-recommends prometheus (or make test)")
    return found


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def test_promtool_accepts_the_rules() -> None:
    result = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_fires_when_it_should_and_only_then() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", "rules_test.yml"], cwd=MONITORING, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tested = set(re.findall(r"alertname: (\w+)", (MONITORING / "rules_test.yml").read_text()))
    assert tested == {rule["alert"] for rule in rules() if "alert" in rule}


def exported_series() -> set[str]:
    import actions.metrics
    import bot_server.metrics
    import console.metrics

    names = set()
    for module in (bot_server.metrics, actions.metrics, console.metrics):
        for value in vars(module).values():
            describe = getattr(value, "describe", None)
            if callable(describe) and hasattr(value, "_name"):
                names.update(metric.name for metric in describe())
    return names


def test_rules_name_only_series_the_servers_export() -> None:
    exported = exported_series()
    assert {"ocn_bot_turn_seconds", "ocn_actions_verifications", "ocn_console_queue_longest_wait_seconds"} <= exported
    for rule in rules():
        for name in SERIES.findall(rule["expr"]):
            base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), name)
            assert base in exported, f"{rule.get('alert') or rule.get('record')} names {name}, which nobody exports"


def test_faq_turns_are_the_help_page_topics() -> None:
    faq_rule = next(rule for rule in rules() if rule.get("record") == "ocn:faq_turn_seconds:p95_5m")
    listed = set(re.search(r'intent=~"([^"]+)"', faq_rule["expr"]).group(1).split("|"))
    assert listed == set(TOPICS) - _NOT_TOPICS


def test_every_dashboard_query_names_an_exported_series_or_a_recorded_rule() -> None:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exported = exported_series()
    recorded = {rule["record"] for rule in rules() if "record" in rule}
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            expr = target["expr"]
            names = SERIES.findall(expr) + re.findall(r"\b(ocn:[a-z0-9_:]+)", expr)
            assert names or "up{" in expr, f"{panel['title']}: {expr} names no series"
            for name in names:
                base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), name)
                assert base in exported or name in recorded, f"{panel['title']}: {name} is not exported"


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each query, written as a recording rule."""
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    as_rules = [{"record": f"dashboard:query_{i}", "expr": expr} for i, expr in enumerate(exprs)]
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": as_rules}]}))
    result = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_prometheus_config_for_a_scaled_layout_is_valid(tmp_path: Path) -> None:
    from deploy.monitoring.config import render
    from deploy.settings import load

    settings = load(env={"RASA_API_TOKEN": "t" * 20, "SCALED_MODEL": "model.tar.gz"}, state_dir=tmp_path)
    config = yaml.safe_load(render(settings, 3, 2))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert [len(jobs[name]["static_configs"][0]["targets"]) for name in ("rasa", "actions", "console")] == [3, 2, 1]
    token_file = Path(jobs["rasa"]["authorization"]["credentials_file"])
    assert token_file.read_text().strip() == settings.metrics_token and token_file.stat().st_mode & 0o077 == 0
    path = tmp_path / "prometheus.yml"
    path.write_text(render(settings, 3, 2))
    result = subprocess.run([promtool(), "check", "config", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
