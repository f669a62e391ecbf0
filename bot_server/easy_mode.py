"""やさしい日本語 mode: while the slot `easy_japanese` is on, every text is sent from its easy twin.

Two wraps, both on the Rasa server (the action server does not know about twins):
- `TemplatedNaturalLanguageGenerator.generate` — every domain response (rules' utter_ actions,
  forms' questions, responses named by custom actions): generated from the same variation list
  with the easy text and button titles swapped in (easy_japanese/twins.py), so Rasa's own choice of
  variation, channel and condition stays the same. A twin that is missing falls back to the
  standard text. The message gets `easy_japanese: True` in its metadata: the channels add furigana.
- `RemoteAction._utter_responses` — what custom actions add in Python: button titles
  (texts/buttons.yml) and a help-page section's title and text (texts/sections.yml).

A message may say its own mode with the keyword `easy_japanese=True/False` (utter_message kwargs):
the answer to switching the mode is sent before the slot event is applied, and the offer of the mode
is written in easy Japanese whatever the mode.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from bot_server.rasa_patches import register
from easy_japanese import twins

SLOT = "easy_japanese"
FLAG = "easy_japanese"  # utter_message keyword and message metadata key

_original_generate = TemplatedNaturalLanguageGenerator.generate
_original_utter_responses = RemoteAction._utter_responses


def is_easy(tracker: Any, kwargs: dict[str, Any]) -> bool:
    if kwargs.get(FLAG) is not None:
        return bool(kwargs[FLAG])
    return SLOT in tracker.slots and bool(tracker.get_slot(SLOT))


def _easy_generator(standard: TemplatedNaturalLanguageGenerator) -> TemplatedNaturalLanguageGenerator:
    """The same generator over the easy variations (built once per generator)."""
    easy = getattr(standard, "_easy_twin", None)
    if easy is None:
        found = twins.twins()
        easy = TemplatedNaturalLanguageGenerator(
            {name: found.response_variations(name, variations) for name, variations in standard.responses.items()}
        )
        standard._easy_twin = easy  # type: ignore[attr-defined]
    return easy


async def _generate(
    self: TemplatedNaturalLanguageGenerator, utter_action: str, tracker: Any, output_channel: str, **kwargs: Any
) -> dict[str, Any] | None:
    if not is_easy(tracker, kwargs):
        return await _original_generate(self, utter_action, tracker, output_channel, **kwargs)
    draft = await _original_generate(_easy_generator(self), utter_action, tracker, output_channel, **kwargs)
    if draft is not None:
        draft[FLAG] = True
    return draft


def easy_action_response(response: dict[str, Any]) -> dict[str, Any]:
    """One response of a custom action, with its Python-built titles and section swapped for their twins."""
    found = twins.twins()
    for button in response.get("buttons") or []:
        if isinstance(button, dict) and isinstance(button.get("title"), str):
            button["title"] = found.button_title(button["title"])
    if isinstance(response.get("section_text"), str):
        response["section_text"] = twins.easy_section_text(response["section_text"])
    if isinstance(response.get("section_title"), str):
        response["section_title"] = twins.easy_section_title(response["section_title"])
    response[FLAG] = True
    return response


async def _utter_responses(responses: list[dict[str, Any]], output_channel: Any, nlg: Any, tracker: Any) -> list[Any]:
    mode = SLOT in tracker.slots and bool(tracker.get_slot(SLOT))
    for response in responses:
        if response.get(FLAG, mode) and not response.get("custom"):
            easy_action_response(response)
    return await _original_utter_responses(responses, output_channel, nlg, tracker)


def install() -> None:
    if TemplatedNaturalLanguageGenerator.generate is not _generate:
        TemplatedNaturalLanguageGenerator.generate = _generate  # type: ignore[method-assign]
        RemoteAction._utter_responses = staticmethod(_utter_responses)  # type: ignore[method-assign,assignment]


register(
    "easy-Japanese twins of every text",
    install,
    rasa_version="3.6.21",
    replaces={
        "rasa.core.nlg.response:TemplatedNaturalLanguageGenerator.generate": "068c774f823d3b40f349247790a1def4c944056fb0225ba2c47d5153165b3bbd",
        "rasa.core.actions.action:RemoteAction._utter_responses": "7a3bd35c97900bf6bf7a0cc45a7517efbcb0754c0ba7bb31e323d392768a152a",
    },
)
