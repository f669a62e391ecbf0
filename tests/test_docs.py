"""The docs point to the one place a fact lives instead of copying it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "account_api" / "README.md"
# A row of the contract table: `METHOD /v1/...` in the first column.
CONTRACT_ROW = re.compile(r"^\|\s*`(GET|POST|PUT|PATCH|DELETE) /v1/", re.MULTILINE)


def markdown_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in listed.stdout.split()]


def test_the_account_api_contract_table_lives_only_in_account_api_readme() -> None:
    assert len(CONTRACT_ROW.findall(CONTRACT.read_text())) >= 8, "the contract table left account_api/README.md"
    copies = [
        str(p.relative_to(ROOT)) for p in markdown_files() if p != CONTRACT and CONTRACT_ROW.search(p.read_text())
    ]
    assert copies == [], f"a copy of the account API contract table (link account_api/README.md instead): {copies}"


def test_architecture_links_the_contract_and_the_link_resolves() -> None:
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    assert "(../account_api/README.md#contract)" in architecture
    headings = [line.lstrip("#").strip().lower() for line in CONTRACT.read_text().splitlines() if line.startswith("#")]
    assert "contract" in headings


def test_every_relative_link_in_the_docs_points_to_a_file() -> None:
    broken = []
    for doc in markdown_files():
        for target in re.findall(r"\]\((?!https?:|mailto:|#)([^)#\s]+)", doc.read_text()):
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)} → {target}")
    assert broken == []
