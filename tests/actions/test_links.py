"""One source for every link: the verified help page unless an operator set a deep link."""

from __future__ import annotations

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
