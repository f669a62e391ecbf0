"""How pages join the console: a module with a Sanic `blueprint` and a `NAV` list.

Add the module's dotted name to PAGE_MODULES; the app registers its blueprint, adds its
templates folder (if it has `TEMPLATES`) to the search path and its NAV entries to the menu.
See console/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str


PAGE_MODULES: list[str] = [
    "console.handoff.views",
    "console.canned_page",  # 定型文 (canned replies)
    "console.handoff.flow_views",  # status, live queue, transfer, waiting (after views: uses its setup)
    "console.insight.views",
    "console.metrics",  # GET /metrics for Prometheus (no page)
]
