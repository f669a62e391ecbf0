"""Routes messages no classifier can read (empty, emoji only, huge) to the fallback.

Runs last in the pipeline; the fallback action then explains what went wrong politely.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu_components.code_fingerprint import CodeFingerprinted
from nlu_components.message_length import LengthLimitedComponent
from ocn_ids.normalize import has_meaningful_content


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MessageGuard(CodeFingerprinted, LengthLimitedComponent):
    """Overrides the intent with nlu_fallback for unreadable or over-long messages."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads are parsed by Rasa's RegexInterpreter
            if len(text) > self._max_chars or not has_meaningful_content(text):
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0},
                    add_to_output=True,
                )
        return messages
