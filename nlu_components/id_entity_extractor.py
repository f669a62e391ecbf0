"""Deterministic entities: IDs, one-time codes, and which ID / delivery method is meant.

Rules instead of a learned extractor, because IDs have exact formats and a learned
extractor on unspaced Japanese tends to swallow whole sentences.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.code_fingerprint import CodeFingerprinted
from nlu_components.message_length import LengthLimitedComponent
from ocn_ids.parse import find_choices, find_values

_CHOICE_INTENTS = {"inform", "start_procedure"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class JapaneseIdEntityExtractor(CodeFingerprinted, LengthLimitedComponent, EntityExtractorMixin):
    """Finds customer_number, ocn_id, connection_id, otp_code; and id_type, delivery_method in
    answers (runs after the intent classifier, see config.yml)."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if len(text) > self._max_chars:
                continue  # an over-long message is answered by the guard, not mined for IDs
            found = find_values(text)
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in _CHOICE_INTENTS:
                # "SMSで" / "OCN IDのほう" are answers to a question; in other sentences the same
                # words are just part of the question (接続用IDをSMSで受け取れますか).
                found += find_choices(text)
            entities = [
                {
                    "entity": f.entity,
                    "value": f.value,
                    "start": f.start,
                    "end": f.end,
                    "confidence_entity": 1.0,
                }
                for f in found
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True)
        return messages
