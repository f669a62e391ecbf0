"""The report as HTML (charts inline, one self-contained file or a console page) and as JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from console.insight.charts import all_charts
from console.insight.desk import DeskReport, duration_text
from console.insight.report import LOW_CONFIDENCE, Rate, Report
from console.outcomes import OUTCOMES

TEMPLATES = Path(__file__).parent / "templates"
CSS = Path(__file__).parent / "static_insight.css"
ALL_CHANNELS_LABEL = "すべて"


def pct(rate: Rate) -> str:
    return "-" if rate.rate is None else f"{100 * rate.rate:.1f}%"


def template_context(report: Report) -> dict[str, object]:
    """What insight_report_body.html needs (the console's page passes the same)."""
    rates = [
        ("人なしで完結（containment）", report.contained, "会話（担当者への引き継ぎなし）"),
        ("有人対応（handoff）", report.handoff, "会話"),
        ("担当者を希望", report.wanted_person, "会話"),
        ("解決率（「解決しましたか」）", report.resolved, "件の回答のうち「はい」"),
        ("フォールバック率", report.fallback, "メッセージ"),
        ("聞き返し率", report.clarification, "メッセージ"),
        ("NLUフォールバック", report.nlu_fallback, "メッセージ"),
    ]
    return {
        "r": report,
        "rates": rates,
        "pct": pct,
        "charts": all_charts(report),
        "channel_label": report.scope.channel or ALL_CHANNELS_LABEL,
        "low_confidence": LOW_CONFIDENCE,
    }


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def report_html(report: Report, desk: DeskReport | None = None) -> str:
    """The report as one file; with `desk`, the operator desk's section as on the console's page."""
    template = environment().get_template("insight_report_file.html")
    return template.render(
        css=CSS.read_text(encoding="utf-8"),
        desk=desk,
        outcomes=OUTCOMES,
        duration_text=duration_text,
        **template_context(report),
    )


def report_json(report: Report, desk: DeskReport | None = None) -> str:
    figures = report.as_dict()
    if desk is not None:
        figures["desk"] = dataclasses.asdict(desk)
    return json.dumps(figures, ensure_ascii=False, indent=2)
