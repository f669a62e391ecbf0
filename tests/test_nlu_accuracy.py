"""The trained NLU on the sets never used for training: tests/nlu/test_nlu.yml, the issue-23 "new data"
tests/nlu/new_issue23/ and its noisy twin tests/nlu/new_noisy/ (written from the help page alone), and the blind set tests/nlu/blind/ (written
from the help page alone by someone who never saw data/nlu; only aggregate figures are looked at, see
benchmarks/README.md).

Each message is parsed by the trained model as the running bot parses it (fallback thresholds
included), and three shares are gated:
- accuracy: the top intent other than nlu_fallback is right (what `rasa test nlu` reports: it undoes
  the fallback before scoring);
- direct: the bot acts on the right intent at once (not a fallback, not a wrong intent);
- confidently wrong: the bot acts on a wrong intent without asking.
Accuracy alone passes a model that falls back on everything it is unsure of; "direct" does not.
"""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from devstack.config import ROOT
from devstack.model import latest_model

FALLBACK = "nlu_fallback"
HELD_OUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
BLIND = ROOT / "tests" / "nlu" / "blind"
NEW_DATA = ROOT / "tests" / "nlu" / "new_issue23"
# Noisy "new data" (issue 23, 2026-12-06): flick slips, voice input, learners' mixed Japanese and English.
NOISY = ROOT / "tests" / "nlu" / "new_noisy"

# Floors a little under what the chosen model measures (benchmarks/README.md, 2026-12-05: issue 23), so
# near-ties that BLAS threading may move on another machine cannot flip the verdict (2-3 messages of room):
# held-out (368): accuracy 0.978, direct 0.967 (356), confidently wrong 1.6 % (6); 2026-12-06, with the reading view
#   and the choice numbers in data/nlu: accuracy 0.973, direct 0.962 (354), confidently wrong 1.6 %;
# new data (171): accuracy 0.982, direct 0.971 (166), confidently wrong 0.6 % (1);
# blind (1,999): accuracy 0.966, direct 0.938, confidently wrong 2.1 %.
# noisy new data (329, 2026-12-06): accuracy 0.957, direct 0.924 (304), confidently wrong 0.9 % (3).


@dataclass(frozen=True)
class Floors:
    messages: int  # the whole set was evaluated
    accuracy: float
    direct: float
    confidently_wrong: float  # a ceiling


FLOORS = {
    "held_out": Floors(300, 0.965, 0.955, 0.022),
    "new_data": Floors(170, 0.97, 0.955, 0.018),
    "noisy": Floors(320, 0.94, 0.905, 0.02),  # flick slips, voice input, mixed Japanese and English
    "blind": Floors(1999, 0.96, 0.93, 0.025),  # issue 8; every batch
}


@dataclass(frozen=True)
class Parsed:
    gold: str
    acted_on: str  # the intent the bot acts on: nlu_fallback when it asks back
    top: str  # the best intent other than nlu_fallback


def _examples(paths: list[Path]) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [(m.get("text"), m.get("intent")) for path in paths for m in load_data(str(path)).intent_examples]


def _blind_files() -> list[Path]:
    return sorted(BLIND.rglob("*.yml"))


def _trained_examples() -> list[tuple[str, str]]:
    return _examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))


def _trained_intents() -> set[str]:
    intents: set[str] = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                intents.add(block["intent"])
    return intents


@pytest.fixture(scope="module")
def parsed() -> dict[str, list[Parsed]]:
    """Every held-out and blind message parsed once by the trained model, in this process."""
    from rasa.core.agent import Agent

    model = latest_model()
    assert model, "train first (make train)"
    agent = Agent.load(str(model))
    sets = {
        "held_out": _examples([HELD_OUT]),
        "new_data": _examples(sorted(NEW_DATA.glob("*.yml"))),
        "noisy": _examples(sorted(NOISY.glob("*.yml"))),
        "blind": _examples(_blind_files()),
    }

    async def parse_all() -> dict[str, list[Parsed]]:
        result: dict[str, list[Parsed]] = {}
        for name, examples in sets.items():
            result[name] = []
            for text, gold in examples:
                data = await agent.parse_message(text)
                ranking = [r["name"] for r in data.get("intent_ranking") or [] if r["name"] != FALLBACK]
                result[name].append(Parsed(gold, data["intent"]["name"], ranking[0] if ranking else FALLBACK))
        return result

    return asyncio.run(parse_all())


def _shares(messages: list[Parsed]) -> dict[str, float]:
    n = len(messages)
    return {
        "accuracy": sum(m.top == m.gold for m in messages) / n,
        "direct": sum(m.acted_on == m.gold for m in messages) / n,
        "confidently_wrong": sum(m.acted_on not in (m.gold, FALLBACK) for m in messages) / n,
    }


@pytest.mark.parametrize("name", list(FLOORS))
def test_each_set_meets_its_floors(parsed: dict[str, list[Parsed]], name: str) -> None:
    messages = parsed[name]
    floors = FLOORS[name]
    assert len(messages) >= floors.messages
    if name == "blind":
        # Intents the model has no training data for yet can't be right; they are reported, not gated
        # (make nlu-eval prints them).
        messages = [m for m in messages if m.gold in _trained_intents()]
    shares = _shares(messages)
    assert shares["accuracy"] >= floors.accuracy, shares
    assert shares["direct"] >= floors.direct, shares
    assert shares["confidently_wrong"] <= floors.confidently_wrong, shares


def test_no_test_message_is_a_training_example() -> None:
    """A held-out message that is also a training example measures memory, not understanding."""

    def key(text: str) -> str:
        return unicodedata.normalize("NFKC", text).strip()

    trained = {key(text) for text, _ in _trained_examples()}
    for name, examples in (
        ("held-out", _examples([HELD_OUT])),
        ("new data", _examples(sorted(NEW_DATA.glob("*.yml")))),
        ("noisy new data", _examples(sorted(NOISY.glob("*.yml")))),
        ("blind", _examples(_blind_files())),
    ):
        repeated = [text for text, _ in examples if key(text) in trained]
        assert not repeated, f"{name} messages that are training examples: {repeated}"
