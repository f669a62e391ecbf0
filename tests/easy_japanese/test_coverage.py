"""Issue 26: the easy mode covers 100 % of the texts — this lists every text without an easy twin.

Expected to fail until the twins are written (easy_japanese/texts/: responses.yml, sections.yml,
buttons.yml); `python -m easy_japanese missing` prints the same list.
"""

from __future__ import annotations

from easy_japanese.inventory import domain_responses, missing, pairs
from easy_japanese.twins import twins


def test_every_text_has_an_easy_twin() -> None:
    gaps = missing()
    listed = "\n".join(f"  {p.where}: {p.standard}" for p in gaps)
    assert not gaps, f"{len(gaps)} of {len(pairs())} texts have no easy twin:\n{listed}"


def test_the_twin_files_name_only_what_exists() -> None:
    """A twin of a response or variation that is not there (renamed, removed) is never shown: say so."""
    standard = domain_responses()
    stray = [name for name in twins().responses if name not in standard]
    stray += [
        f"{name}[{len(standard[name])}+]"
        for name, easy in twins().responses.items()
        if name in standard and len(easy) > len(standard[name])
    ]
    stray += [
        f"{name}[{i}] buttons"
        for name, easy in twins().responses.items()
        if name in standard
        for i, (twin, std) in enumerate(zip(easy, standard[name], strict=False))
        if isinstance(twin, dict) and twin.get("buttons") and len(twin["buttons"]) != len(std.get("buttons") or [])
    ]
    assert not stray, f"easy twins that match no standard response, variation or button list: {stray}"
