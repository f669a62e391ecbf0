"""Fallback thresholds of their own for conversation intents (nlu_components/group_fallback.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from nlu_components.group_fallback import FallbackThresholds, GroupFallbackClassifier

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "threshold": 0.5,
    "ambiguity_threshold": 0.1,
    "group_intents": ["greet", "thank"],
    "group_threshold": 0.25,
    "group_ambiguity_threshold": 0.0,
}


def _message(*ranking: tuple[str, float]) -> Message:
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": "x", "intent": dict(entries[0]), "intent_ranking": entries})


def _intent_after(component: FallbackClassifier, *ranking: tuple[str, float]) -> str:
    return component.process([_message(*ranking)])[0].get("intent")["name"]


def _create(cls: type[FallbackClassifier], config: dict[str, Any], tmp_path: Path) -> FallbackClassifier:
    context = ExecutionContext({}, node_name="fallback")  # type: ignore[arg-type]
    return cls.create({**cls.get_default_config(), **config}, LocalModelStorage(tmp_path), Resource("f"), context)


def test_conversation_intents_use_their_own_thresholds(tmp_path: Path) -> None:
    component = _create(GroupFallbackClassifier, CONFIG, tmp_path)
    # the same confidences: kept for a conversation intent, a fallback for a help-page topic
    assert _intent_after(component, ("greet", 0.3), ("check_ocn_id", 0.28)) == "greet"
    assert _intent_after(component, ("check_ocn_id", 0.3), ("greet", 0.28)) == "nlu_fallback"
    assert _intent_after(component, ("greet", 0.2), ("check_ocn_id", 0.1)) == "nlu_fallback"
    # the topic's ambiguity threshold still applies to topics
    assert _intent_after(component, ("check_ocn_id", 0.55), ("change_ocn_id", 0.46)) == "nlu_fallback"
    assert _intent_after(component, ("check_ocn_id", 0.6), ("change_ocn_id", 0.3)) == "check_ocn_id"


@pytest.mark.parametrize(
    "ranking",
    [
        (("greet", 0.3), ("thank", 0.2)),
        (("greet", 0.6), ("thank", 0.55)),
        (("check_ocn_id", 0.7), ("greet", 0.1)),
        (("check_ocn_id", 0.45), ("greet", 0.1)),
        (("check_ocn_id", 0.5),),
    ],
)
def test_without_group_thresholds_it_is_rasas_fallback_classifier(
    tmp_path: Path, ranking: tuple[tuple[str, float], ...]
) -> None:
    plain = {"threshold": 0.5, "ambiguity_threshold": 0.1}
    ours = _create(GroupFallbackClassifier, {**plain, "group_intents": ["greet"]}, tmp_path)
    rasa = _create(FallbackClassifier, plain, tmp_path)
    mine, theirs = ours.process([_message(*ranking)])[0], rasa.process([_message(*ranking)])[0]
    assert mine.get("intent") == theirs.get("intent")
    assert mine.get("intent_ranking") == theirs.get("intent_ranking")


def test_benchmark_replays_config_thresholds_with_the_same_rule(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import nlu_metrics

    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n  - name: nlu_components.group_fallback.GroupFallbackClassifier\n"
        + "".join(f"    {k}: {v}\n" for k, v in CONFIG.items()),
        encoding="utf-8",
    )
    thresholds = nlu_metrics.config_thresholds(config)
    assert thresholds == FallbackThresholds.from_config(CONFIG)
    ranking = [{"name": "greet", "confidence": 0.3}, {"name": "thank", "confidence": 0.28}]
    assert not nlu_metrics.replay("こんにちは", "greet", "cv", ranking, False, thresholds).fallback
    assert nlu_metrics.replay("こんにちは", "greet", "cv", ranking, False, (0.5, 0.1)).fallback


def test_config_groups_every_intent_no_button_can_offer() -> None:
    import yaml
    from rasa.shared.nlu.training_data.loading import load_data

    from actions.topics import TOPICS

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    (component,) = [c for c in pipeline if c["name"].endswith("GroupFallbackClassifier")]
    intents = {m.get("intent") for m in load_data(str(ROOT / "data" / "nlu")).intent_examples if m.get("intent")}
    # a new conversation intent must join the group, or its fallbacks become dead ends again
    assert set(component["group_intents"]) == {i for i in intents if i not in TOPICS} | {"request_human"}
