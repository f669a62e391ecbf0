"""The report's charts as PNG images, drawn server-side by matplotlib (no JavaScript, nothing from a CDN).

They are embedded as data: URLs, so the report file is one self-contained page and the console's
Content-Security-Policy (no inline styles or scripts; images from 'self' and data:) needs no exception.
Japanese labels need a Japanese font on the server: IPAGothic (fonts-ipafont-gothic, as the web tests).
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")  # no display; must precede the figure import
from matplotlib import rcParams  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from console.insight.report import Report  # noqa: E402

rcParams["font.family"] = ["IPAGothic", "IPAPGothic", "DejaVu Sans", "sans-serif"]
BLUE, GREEN, ORANGE, GREY = "#1f6fb2", "#2e8b57", "#d9822b", "#9aa5b1"
TOP_INTENTS_SHOWN = 10
DPI = 100


def _png(figure: Figure) -> str:
    """The figure as a data: URL."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def conversations_per_day(report: Report) -> str:
    figure = Figure(figsize=(8, 2.6))
    ax = figure.add_subplot()
    days = list(report.per_day)
    ax.bar([d.strftime("%m/%d") for d in days], list(report.per_day.values()), color=BLUE)
    ax.set_ylabel("会話数")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelrotation=90 if len(days) > 10 else 0, labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def rates(report: Report) -> str:
    shown = [
        ("人なしで完結", report.contained, GREEN),
        ("解決した（アンケート）", report.resolved, GREEN),
        ("有人対応", report.handoff, ORANGE),
        ("フォールバック", report.fallback, ORANGE),
        ("聞き返し", report.clarification, GREY),
    ]
    figure = Figure(figsize=(8, 2.4))
    ax = figure.add_subplot()
    labels = [f"{name}（{rate.count}/{rate.total}）" for name, rate, _ in shown]
    values = [100 * (rate.rate or 0) for _, rate, _ in shown]
    bars = ax.barh(labels[::-1], values[::-1], color=[c for *_, c in shown][::-1])
    ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values[::-1]], padding=3, fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("%")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def procedures(report: Report) -> str:
    figure = Figure(figsize=(8, 2.8))
    ax = figure.add_subplot()
    names = [p.procedure for p in report.procedures]
    width = 0.2
    for i, (label, attr, color) in enumerate(
        [
            ("開始", "started", GREY),
            ("本人確認", "verified", BLUE),
            ("完了", "completed", GREEN),
            ("中断", "abandoned", ORANGE),
        ]
    ):
        xs = [n + (i - 1.5) * width for n in range(len(names))]
        ax.bar(xs, [getattr(p, attr) for p in report.procedures], width, label=label, color=color)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def top_intents(report: Report) -> str:
    shown = report.top_intents[:TOP_INTENTS_SHOWN]
    figure = Figure(figsize=(8, 0.3 * len(shown) + 0.8))
    ax = figure.add_subplot()
    bars = ax.barh([name for name, _ in shown][::-1], [n for _, n in shown][::-1], color=BLUE)
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def all_charts(report: Report) -> dict[str, str]:
    """The charts that have something to show: a period without data gets none (the page says so
    instead of drawing axes around nothing)."""
    charts: dict[str, str] = {}
    if report.conversations:
        charts["per_day"] = conversations_per_day(report)
        charts["rates"] = rates(report)
    if report.top_intents:
        charts["top_intents"] = top_intents(report)
    if report.procedures:
        charts["procedures"] = procedures(report)
    return charts
