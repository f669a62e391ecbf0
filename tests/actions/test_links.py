"""One source for every link: the verified help page unless an operator set a deep link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions.links import DEEP_LINKS, all_links, describe_unset_links, link, unset_links
from actions.settings import VERIFIED_HELP_PAGE_URL
from actions.topics import TOPICS


def test_with_no_settings_every_answer_link_is_the_verified_help_page() -> None:
    keys = [topic.link_key for topic in TOPICS.values()] + list(DEEP_LINKS) + ["help_id_password", None]
    assert {link(key, env={}) for key in keys} == {VERIFIED_HELP_PAGE_URL}
    assert set(all_links(env={}).values()) == {VERIFIED_HELP_PAGE_URL}


def test_a_deep_link_is_used_once_an_operator_sets_it_and_only_for_its_answer() -> None:
    env = {DEEP_LINKS["check_connection_id"].variable: " https://checked.example/connection "}
    assert link("check_connection_id", env) == "https://checked.example/connection"
    assert link("check_customer_number", env) == VERIFIED_HELP_PAGE_URL
    assert DEEP_LINKS["check_connection_id"] not in unset_links(env)
    assert len(unset_links(env)) == len(DEEP_LINKS) - 1


def test_every_topic_link_key_is_a_known_link() -> None:
    for intent, topic in TOPICS.items():
        assert topic.link_key is None or topic.link_key in DEEP_LINKS, intent
    with pytest.raises(KeyError):
        link("no_such_page", env={})


def test_make_run_lists_the_unset_variables() -> None:
    text = describe_unset_links(env={})
    assert VERIFIED_HELP_PAGE_URL in text
    for deep in DEEP_LINKS.values():
        assert deep.variable in text
    every = {deep.variable: "https://checked.example/" for deep in DEEP_LINKS.values()}
    assert "every deep link is set" in describe_unset_links(every)


def test_no_url_is_typed_anywhere_but_the_one_verified_constant() -> None:
    root = Path(__file__).resolve().parents[2]
    assert "http" not in (root / "domain.yml").read_text(encoding="utf-8"), "domain.yml: use {link}"
    assert "http" not in (root / "web" / "static" / "index.html").read_text(encoding="utf-8"), "use {{link:KEY}}"
    ocn_urls = re.compile(r"https?://[^\s\"')]*ocn[^\s\"')]*")
    found = {
        f"{path.relative_to(root)}: {url}"
        for folder in ("actions", "web", "channels", "bot_server", "devstack")
        for path in (root / folder).rglob("*")
        if path.suffix in (".py", ".js", ".html", ".yml") and "node_modules" not in path.parts
        for url in ocn_urls.findall(path.read_text(encoding="utf-8", errors="replace"))
    }
    assert found == {f"actions/settings.py: {VERIFIED_HELP_PAGE_URL}"}, found
