"""The typed phrases that switch the やさしい日本語 mode (easy_japanese/switch.py) always switch it.

Runs after MessageGuard: a message that is exactly 「やさしい日本語」, 「easy Japanese」, 「ふつうの日本語」
gets easy_japanese_on / _off with confidence 1, whatever the classifier ranked first.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from easy_japanese.switch import switch_intent
from nlu_components.code_fingerprint import CodeFingerprinted
from nlu_components.message_length import LengthLimitedComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EasyJapaneseSwitch(CodeFingerprinted, LengthLimitedComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = None if text.startswith("/") or len(text) > self._max_chars else switch_intent(text)
            if intent:
                chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen], add_to_output=True)
        return messages
