"""FallbackClassifier with its own thresholds when the top intent is a conversation intent.

After a fallback the bot offers the two likeliest help-page topics as buttons (actions/knowledge.py).
Conversation intents (greet, thank, affirm, cancel, request_human, ...) are never among them, so a
fallback on a message that really was one is a dead end, while a fallback on a help-page topic
usually costs the customer one click. The two groups therefore get separate thresholds, calibrated
with `benchmarks/fallback_threshold.py --cv 5 --groups` (benchmarks/README.md, issue 8).

`FallbackThresholds` is the rule: the component applies it at run time, and benchmarks/nlu_metrics.py
and fallback_threshold.py replay it from config.yml (benchmarks/nlu_combine.py's offline calibration
keeps a plain single-pair check of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from nlu_components.code_fingerprint import CodeFingerprinted

FALLBACK = "nlu_fallback"
# Names this component and Rasa's are configured under (benchmarks look for either).
COMPONENT_NAMES = ("FallbackClassifier", "nlu_components.group_fallback.GroupFallbackClassifier")


@dataclass(frozen=True)
class FallbackThresholds:
    """FallbackClassifier's rule, with a second pair of thresholds for a group of top intents."""

    threshold: float
    ambiguity: float
    group_intents: frozenset[str] = frozenset()
    group_threshold: float | None = None
    group_ambiguity: float | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FallbackThresholds:
        threshold, ambiguity = float(config.get("threshold", 0.3)), float(config.get("ambiguity_threshold", 0.1))
        group_threshold = config.get("group_threshold")
        group_ambiguity = config.get("group_ambiguity_threshold")
        return cls(
            threshold,
            ambiguity,
            frozenset(config.get("group_intents") or ()),
            threshold if group_threshold is None else float(group_threshold),
            ambiguity if group_ambiguity is None else float(group_ambiguity),
        )

    def for_intent(self, intent: str | None) -> tuple[float, float]:
        """(threshold, ambiguity threshold) that apply when `intent` is the top intent."""
        if intent in self.group_intents and self.group_threshold is not None:
            return self.group_threshold, self.ambiguity if self.group_ambiguity is None else self.group_ambiguity
        return self.threshold, self.ambiguity

    def falls_back(self, ranking: list[dict[str, Any]]) -> bool:
        """Rasa's rule (top < threshold, or top - second < ambiguity) with the top intent's thresholds."""
        ranking = [r for r in ranking if r.get(INTENT_NAME_KEY) != FALLBACK]
        if not ranking:
            return True
        threshold, ambiguity = self.for_intent(ranking[0].get(INTENT_NAME_KEY))
        top = float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if top < threshold:
            return True
        return len(ranking) >= 2 and top - float(ranking[1].get(PREDICTED_CONFIDENCE_KEY) or 0.0) < ambiguity

    def describe(self) -> str:
        text = f"threshold {self.threshold}, ambiguity {self.ambiguity}"
        if self.group_intents and (self.group_threshold, self.group_ambiguity) != (self.threshold, self.ambiguity):
            text += f"; conversation intents {self.group_threshold}, ambiguity {self.group_ambiguity}"
        return text


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class GroupFallbackClassifier(CodeFingerprinted, FallbackClassifier):
    """Rasa's FallbackClassifier; `group_intents` at the top use `group_threshold` / `group_ambiguity_threshold`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **FallbackClassifier.get_default_config(),
            "group_intents": [],
            # None: the same as threshold / ambiguity_threshold (plain FallbackClassifier).
            "group_threshold": None,
            "group_ambiguity_threshold": None,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.thresholds = FallbackThresholds.from_config(config)

    def _should_fallback(self, message: Message) -> bool:
        ranking = message.data.get(INTENT_RANKING_KEY) or [message.data.get(INTENT) or {}]
        return self.thresholds.falls_back(ranking)
