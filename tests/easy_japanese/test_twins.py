"""The easy mode swaps in the twins on the Rasa server (bot_server/easy_mode.py): domain responses
variation by variation, Python-built button titles and sections; the standard text when a twin is missing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server import easy_mode
from easy_japanese import twins
from easy_japanese.twins import SectionTwin, Twins

RESPONSES = {
    "utter_hello": [
        {
            "text": "ご用件をお選びください。",
            "buttons": [{"title": "パスワードを忘れた", "payload": "/forgot_password"}],
        }
    ],
    "utter_minutes": [{"text": "{minutes}分以内にご入力ください。"}],
    "utter_untwinned": [{"text": "恐れ入りますが、ご確認ください。"}],
}
EASY = Twins(
    responses={
        "utter_hello": [{"text": "何をしますか。選んでください。", "buttons": ["パスワードを わすれた"]}],
        "utter_minutes": [{"text": "{minutes}分の間に 書いてください。"}],
    },
    sections={"sec": SectionTwin("やさしい題", "やさしい説明です。")},
    buttons={"担当者と話す": "人と話す"},
    widget={},
)


@pytest.fixture(autouse=True)
def easy_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twins, "twins", lambda: EASY)
    monkeypatch.setattr(twins, "standard_sections", lambda: {"sec": {"title": "標準の題", "text": "標準の説明です。"}})
    monkeypatch.setattr(twins, "_section_by_text", lambda: {"標準の説明です。": "sec"})
    easy_mode.install()


def _tracker(easy: bool | None) -> DialogueStateTracker:
    domain = Domain.from_dict({"slots": {"easy_japanese": {"type": "bool", "mappings": [{"type": "custom"}]}}})
    tracker = DialogueStateTracker.from_events(
        "s", [SlotSet("easy_japanese", easy)] if easy is not None else [], domain.slots
    )
    return tracker


def _generate(name: str, easy: bool | None, **kwargs: Any) -> dict[str, Any] | None:
    nlg = TemplatedNaturalLanguageGenerator(RESPONSES)
    return asyncio.run(nlg.generate(name, _tracker(easy), "rest", **kwargs))


def test_the_standard_text_while_the_mode_is_off() -> None:
    message = _generate("utter_hello", False)
    assert message and message["text"] == "ご用件をお選びください。" and "easy_japanese" not in message


def test_the_twin_and_its_button_titles_while_on_with_the_standard_payloads() -> None:
    message = _generate("utter_hello", True)
    assert message and message["text"] == "何をしますか。選んでください。"
    assert message["buttons"] == [{"title": "パスワードを わすれた", "payload": "/forgot_password"}]
    assert message["easy_japanese"] is True  # the channels add furigana


def test_placeholders_are_filled_in_the_twin() -> None:
    message = _generate("utter_minutes", True, minutes="10")
    assert message and message["text"] == "10分の間に 書いてください。"


def test_a_missing_twin_falls_back_to_the_standard_text() -> None:
    message = _generate("utter_untwinned", True)
    assert message and message["text"] == "恐れ入りますが、ご確認ください。"


def test_a_reply_may_name_its_own_mode() -> None:
    on = _generate("utter_hello", False, easy_japanese=True)
    off = _generate("utter_hello", True, easy_japanese=False)
    assert on and on["text"].startswith("何を") and off and off["text"].startswith("ご用件")


def test_python_built_buttons_and_sections_from_a_custom_action() -> None:
    response = easy_mode.easy_action_response(
        {
            "response": "utter_help_section",
            "buttons": [
                {"title": "担当者と話す", "payload": "/request_human"},
                {"title": "どれでもない", "payload": "/x"},
            ],
            "section_text": "標準の説明です。",
            "section_title": "標準の題",
        }
    )
    assert [b["title"] for b in response["buttons"]] == ["人と話す", "どれでもない"]  # no twin: the standard title
    assert response["section_text"] == "やさしい説明です。" and response["section_title"] == "やさしい題"


def test_custom_action_responses_are_swapped_only_while_on(monkeypatch: pytest.MonkeyPatch) -> None:
    captured: list[list[dict[str, Any]]] = []

    async def original(responses: list[dict[str, Any]], *args: Any) -> list[Any]:
        captured.append([dict(r) for r in responses])
        return []

    monkeypatch.setattr(easy_mode, "_original_utter_responses", original)
    for easy in (False, True):
        button = {"title": "担当者と話す", "payload": "/request_human"}
        asyncio.run(easy_mode._utter_responses([{"text": "x", "buttons": [button]}], None, None, _tracker(easy)))
    assert captured[0][0]["buttons"][0]["title"] == "担当者と話す" and "easy_japanese" not in captured[0][0]
    assert captured[1][0]["buttons"][0]["title"] == "人と話す" and captured[1][0]["easy_japanese"] is True
