"""The widget's own strings in both modes are the ones in easy_japanese/texts/widget.yml."""

from __future__ import annotations

import re

from easy_japanese.twins import ROOT, twins

SCRIPT = (ROOT / "web" / "static" / "chat.js").read_text(encoding="utf-8")


def _object(name: str) -> dict[str, str]:
    body = re.search(rf"var {name} = \{{(.*?)\n  \}};", SCRIPT, re.S)
    assert body, name
    return dict(re.findall(r"^\s+(\w+): '([^']*)'", body.group(1), re.M))


def test_chat_js_shows_widget_yml_strings_in_both_modes() -> None:
    standard = {**_object("DEFAULTS"), **_object("TEXT")}
    easy = _object("EASY_TEXT")
    for key, value in twins().widget.items():
        if key.startswith("line_"):
            continue
        assert easy.get(key) == value["easy"], key
        if key in standard:
            assert standard[key] == value["standard"], key
    assert set(easy) <= set(twins().widget)
