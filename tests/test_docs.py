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


def test_the_security_pages_lockout_table_quotes_the_settings() -> None:
    """docs/security.md quotes the lockout's defaults; a changed setting must change the page too."""
    from account_api.settings import Settings

    s = Settings()
    expected = {
        "a group's share of one account: wrong codes a day": f"{s.group_share_wrong_codes}",
        "a group's share of one account: codes an hour / a day": (
            f"{s.group_share_codes_per_window} / {s.group_share_codes_per_day}"
        ),
        "a block (IPv6 /48): shares of one account": f"{s.block_shares}",
        "one try per code once an account has this many wrong codes in a day": f"{s.account_throttle_wrong_codes}",
        "the guessing bound: no code of the account compared beyond this many wrong codes a day": (
            f"{s.account_max_wrong_codes}"
        ),
        "the account's code ceilings: an hour / a day (the most SMS strangers can make a phone receive)": (
            f"{s.max_codes_per_account_per_window} / {s.max_codes_per_account_per_day}"
        ),
        "a group's codes across all accounts, an hour (a block: 4 times)": f"{s.max_codes_per_group_per_window}",
    }
    assert s.block_cap_factor == 4  # the last row's "4 times"
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (.+?) \| ([^|]+?) \|$", page, re.MULTILINE))
    assert {label: rows.get(label) for label in expected} == expected
