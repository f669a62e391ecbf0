"""axe-core in the browser tests: injected from web/node_modules (pinned in web/package.json and
package-lock.json, installed by `make web-deps`), never from a CDN. `violations()` runs it over the
whole page the driver shows and returns what it found for WCAG 2.0/2.1/2.2 A and AA."""

from __future__ import annotations

from typing import Any

from web_support import ROOT

AXE_SCRIPT = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def inject(driver) -> None:
    """axe.min.js into the current document (WebDriver scripts are not subject to the page's CSP)."""
    if not AXE_SCRIPT.exists():
        raise AssertionError(f"{AXE_SCRIPT.relative_to(ROOT)} is missing: run `make web-deps` (npm ci in web/)")
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))


def violations(driver) -> list[dict[str, Any]]:
    """Each violated rule: id, impact, help and the offending nodes (selector and axe's summary)."""
    inject(driver)
    result = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
             .then(r => done(r.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}))))
             .catch(e => done({error: String(e)}));""",
        WCAG_TAGS,
    )
    if isinstance(result, dict) and "error" in result:
        raise AssertionError(f"axe-core failed: {result['error']}")
    return result


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for rule in found:
        lines.append(f"{rule['id']} ({rule['impact']}): {rule['help']}")
        lines.extend(f"    {node['target']}: {node['summary']}" for node in rule["nodes"][:5])
    return "\n".join(lines)


def count(found: list[dict[str, Any]]) -> int:
    """Violations as axe reports them: one per offending node."""
    return sum(len(rule["nodes"]) for rule in found)
