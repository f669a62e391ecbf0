"""Scoring whole conversations (issue 23): what a turn's `expect` asks for, what the bot did, and the figures.

A turn of the blind conversations (tests/conversations/blind/SPEC.md) expects one of: `answer` a help-page
topic, `asks` a question, `does` a behaviour. What the bot did is read from the names of the responses it
sent in that turn (Rasa's `utter_action` in the tracker's bot events), so a reworded answer text never
changes a score. The writers' conventions (blind/README.md) are read here:

- a reply that answers and then offers the chat procedure (or asks the survey) is the answer;
- two questions in one message expect the first: the expected answer present is enough;
- the right code expects `verified` (whatever the bot asks next); a wrong one `asks: otp_code` again;
- `asks: survey` after the customer's thanks is met when the bot asked the survey with its answer and
  this message answered it (the scorer's convention, benchmarks/README.md).

A turn is **right** when the expected response is there and no other help-page topic was answered
in its place. A wrong turn is **confidently wrong** unless the bot hedged (a clarification, the
fallback, a question asked back): a wrong answer or a wrong action, not an honest "I'm not sure".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from actions.follow_ups import FOLLOW_UPS
from ocn_ids.passwords import password_spans

ROOT = Path(__file__).resolve().parent.parent
BLIND_DIR = ROOT / "tests" / "conversations" / "blind"
HELP_SECTIONS = ROOT / "actions" / "help_sections.yml"

# The responses that carry each question the bot asks (a question asked again counts as asked).
ASKS: dict[str, frozenset[str]] = {
    # 「どちらのパスワードでしょうか？」: of a forgotten password, or (since 2026-12-06) of a password's change
    "which_password": frozenset({"utter_ask_which_password", "utter_which_password_is_it"}),
    # the offer, or the offer again to a customer who cannot do it themselves (「むり」, since 2026-12-07)
    "offer_procedure": frozenset({"utter_offer_procedure", "utter_offer_procedure_instead"}),
    "survey": frozenset({"utter_ask_survey"}),
    "procedure": frozenset({"utter_ask_procedure", "utter_ask_procedure_for_id", "utter_ask_procedure_code_not_sent"}),
    # The connection ID's first question asks for the delivery method and the ID at once (the customer
    # answers either first): it is each of the two questions.
    "account_ref": frozenset(
        {
            "utter_ask_account_ref",
            "utter_ask_account_ref_for",
            "utter_invalid_account_ref",
            "utter_ask_delivery_method_and_account_ref",
        }
    ),
    "otp_code": frozenset(
        {
            "utter_ask_otp_code",
            "utter_code_sent",
            "utter_wrong_code",
            "utter_wrong_code_unnumbered",
            "utter_invalid_code_format",
        }
    ),
    "delivery_method": frozenset({"utter_ask_delivery_method", "utter_ask_delivery_method_and_account_ref"}),
    "confirm": frozenset(
        {
            "utter_confirm_password_reset",
            "utter_confirm_connection_sms",
            "utter_confirm_connection_post",
            "utter_confirm_connection_mypage",
            "utter_confirm_customer_number",
            "utter_confirm_ocn_id",
            "utter_confirm_login_history",
        }
    ),
}

_HANDOFF = frozenset(
    f"utter_{name}{suffix}"
    for name in (
        "answer_request_human",
        "handoff_outside_hours",
        "handoff_no_operator",
        "handoff_unavailable",
        "handoff_queue_full",
        "handoff_needs_private_chat",
    )
    for suffix in ("", "_no_link")
) | {"utter_handoff_queued", "utter_handoff_queued_position"}

# Responses that say the bot is not sure: a wrong turn that has one of these is not confidently wrong.
HEDGES = frozenset(
    {
        "utter_clarify",
        "utter_fallback",
        "utter_fallback_no_link",
        # 「いいえ」 to the topic buttons: asked to say it in other words, with the way to a person, as the
        # fallback does (since 2026-12-07)
        "utter_none_of_the_choices",
        "utter_ask_yes_no_again",
        "utter_ask_choice_again",
        "utter_which_one",
        # which ID an operation asked of no ID is of, with that operation's topics as buttons (since 2026-12-06)
        "utter_which_id_is_it",
        "utter_which_password_is_it",
        # an address said aloud, shown to confirm with a button (since 2026-12-06)
        "utter_spoken_address_check",
        # the same address offered again when a code was asked for before it was confirmed (since 2026-12-07)
        "utter_code_waits_for_the_address",
        "utter_unreadable",
        "utter_too_long",
        "utter_help_section_other",
        # the same, with the chat procedure of the section's topic as the first button (since 2026-12-06)
        "utter_help_section_procedure",
    }
)

# 「お役に立てて何よりです。またのご利用をお待ちしております。」, the bot's reply to 「はい」 after its own
# close (「…ほかにもご質問があれば…」) when the customer had found the answer helpful: it is both the thanks
# and the goodbye, and the writers expected either there (blind: 6 thanks, 4 goodbyes; benchmarks/README.md).
_GLAD_AND_CLOSE = "utter_glad_it_helped"

DOES: dict[str, frozenset[str]] = {
    "greet": frozenset({"utter_greet"}),
    # small talk answered politely (SPEC.md): also an apology after the bot asked not to type a password (since
    # 2026-12-07: 「ご理解いただき、ありがとうございます。」)
    "thank": frozenset({"utter_thank", "utter_survey_thanks", _GLAD_AND_CLOSE, "utter_thanks_for_understanding"}),
    "goodbye": frozenset({"utter_goodbye", _GLAD_AND_CLOSE}),
    "bot_challenge": frozenset({"utter_bot_challenge"}),
    "handoff": _HANDOFF,
    "clarify": HEDGES
    - {"utter_unreadable", "utter_too_long", "utter_help_section_other", "utter_help_section_procedure"},
    "verified": frozenset({"utter_verified"}),
    "procedure_done": frozenset(
        {
            "utter_done_password_reset",
            "utter_done_connection_sms",
            "utter_done_connection_post",
            "utter_done_connection_post_unnumbered",
            "utter_done_connection_mypage",
            "utter_done_customer_number",
            "utter_done_ocn_id",
            "utter_login_history",  # the login history shown (its own responses since 82340db)
            "utter_login_history_none",
            "utter_login_history_unfamiliar",
            "text:action_run_procedure",  # the login history as a plain text (before 82340db)
        }
    ),
    "cancel": frozenset({"utter_procedure_cancelled", "utter_no_procedure_to_cancel"}),
    "code_not_received": frozenset({"utter_code_not_received"}),
    "resend_code": frozenset({"utter_code_resent", "utter_earlier_code_still_valid"}),
    "no_password_please": frozenset({"utter_password_not_in_chat"}),
}

# The survey's answer recorded: it was asked in the bot's previous turn (with the answer, SPEC.md does not
# say when) and this message answered it. A writer expecting `asks: survey` after the customer's thanks
# expected the question the bot had already asked; asking it twice is not what a good agent does.
SURVEY_ANSWERED = frozenset({"utter_survey_thanks", "utter_survey_unresolved"})

# The warning about a typed password may come with an answer when the same message also asks something
# (「パスワード変えたい、今のは abcd1234」 deserves the answer too; SPEC.md: the bot asks them not to). Which
# answer is not judged: the turn expects the warning only. A message that only states the password
# (「念のため、パスワードは … でございます」) expects the warning alone.
_ASKS_SOMETHING = re.compile(
    r"[?？]|変え|かえ|忘れ|わすれ|わから|分から|できな|できま|教え|おしえ|どう|たい|ください|たすけ|助け|"
    r"\b(help|can'?t|cannot|change|forg[eo]t|reset|how|what|where)\b",
    re.IGNORECASE,
)


def _asks_something(text: str) -> bool:
    """The message asks or requests something besides the password it states (the password itself removed:
    「Showa1990」 holds "how")."""
    for start, end in reversed(password_spans(text)):
        text = text[:start] + " " + text[end:]
    return bool(_ASKS_SOMETHING.search(text))


EXPECT_KINDS = ("answer", "asks", "does")


@dataclass(frozen=True)
class Turn:
    user: str
    kind: str  # answer | asks | does
    value: str


@dataclass(frozen=True)
class Conversation:
    id: str
    persona: str
    channel: str
    source: str  # the persona file, e.g. wa/older.yml
    turns: tuple[Turn, ...]


@dataclass
class BotTurn:
    """What the bot did after one customer message: its responses (names; a text an action wrote without a
    response is named `text:<action>`) and the texts it sent."""

    responses: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    right: bool
    confidently_wrong: bool
    did: str  # a short name of what the bot did, for the aggregate "expected → did" table


def load_conversations(directory: Path = BLIND_DIR, pattern: str = "*/*.yml") -> list[Conversation]:
    """The conversations of the YAML files under `directory` (by default the blind set's persona files)."""
    found: list[Conversation] = []
    for path in sorted(directory.glob(pattern)):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["conversations"]:
            turns = []
            for turn in item["turns"]:
                ((kind, value),) = turn["expect"].items()
                if kind not in EXPECT_KINDS:
                    raise ValueError(f"{item['id']}: unknown expect {kind!r}")
                turns.append(Turn(str(turn["user"]), kind, str(value)))
            found.append(
                Conversation(
                    item["id"],
                    item["persona"],
                    item.get("channel", "web"),
                    str(path.relative_to(directory)),
                    tuple(turns),
                )
            )
    return found


@cache
def _section_topics() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(HELP_SECTIONS.read_text(encoding="utf-8"))
    # The section's text is what the bot shows (the title is for retrieval only); its start identifies it.
    return {" ".join(s["text"].split())[:40]: tuple(s["intents"]) for s in data["sections"]}


@cache
def _fact_topics() -> dict[str, frozenset[str]]:
    """A follow-up's fact (actions/follow_ups.py) answers a question on each topic it follows up."""
    topics: dict[str, set[str]] = {}
    for topic, facts in FOLLOW_UPS.items():
        for fact in facts:
            topics.setdefault(fact.response, set()).add(topic)
    return {response: frozenset(names) for response, names in topics.items()}


# Other responses that answer a topic's question: the difference of the two passwords (asked back with
# 「どちらのパスワードでしょうか？」) is what 「違いは？」 asks about the IDs; what the help page does not say of
# the three ways to receive the connection ID (「郵送とSMSどっちが早い？」, since 2026-12-06) is that topic's answer.
_ALSO_ANSWERS = {
    "utter_password_difference": "ask_id_types",
    "utter_receiving_details_not_on_page": "check_connection_id",
    "utter_receiving_details_not_on_page_no_link": "check_connection_id",
    # what the page does not say of dアカウント and dポイント: not covered here (since 2026-12-06)
    "utter_d_account_details_not_on_page": "out_of_scope",
    # how the procedure goes beyond what the page says (its link's validity, the time to arrive, a fee), asked at
    # its final confirmation: not covered here (since 2026-12-07)
    "utter_procedure_details_not_on_page": "out_of_scope",
    "utter_procedure_details_not_on_page_no_link": "out_of_scope",
}


def answered_topics(bot: BotTurn, related: bool = True) -> set[str]:
    """The help-page topics the bot answered in this turn: its answer responses, a follow-up's fact, and
    the help-page section it quoted (the knowledge fallback: a section answers the topics it lists)."""
    topics = set()
    for name in bot.responses:
        if name.startswith("utter_answer_") and name not in _HANDOFF:
            topics.add(name.removeprefix("utter_answer_").removesuffix("_no_link"))
        topics |= _fact_topics().get(name, frozenset())
        if related and name in _ALSO_ANSWERS:
            topics.add(_ALSO_ANSWERS[name])
    if "utter_help_section" in bot.responses:
        said = "\n".join(bot.texts)
        for start, intents in _section_topics().items():
            if start in said:
                topics.update(intents)
    return topics


def what_it_did(bot: BotTurn) -> str:
    """One name for the bot's turn (the aggregate table): the answer, the question, the behaviour."""
    topics = sorted(answered_topics(bot))
    if topics:
        return "answer:" + ",".join(topics[:2])
    names = set(bot.responses)
    for does in ("verified", "procedure_done", "handoff", "cancel", "code_not_received", "resend_code"):
        if names & DOES[does]:
            return f"does:{does}"
    for question, responses in ASKS.items():
        if names & responses:
            return f"asks:{question}"
    for does, responses in DOES.items():
        if names & responses:
            return f"does:{does}"
    return "other:" + (",".join(bot.responses[:2]) or "nothing")


def judge(turn: Turn, bot: BotTurn) -> Verdict:
    names = set(bot.responses)
    topics = answered_topics(bot)
    if turn.kind == "answer":
        right = turn.value in topics
    elif turn.kind == "asks":
        asked = names & ASKS[turn.value] or (turn.value == "survey" and names & SURVEY_ANSWERED)
        right = bool(asked) and not answered_topics(bot, related=False)
    else:
        alongside = turn.value == "handoff" or (
            turn.value == "no_password_please" and _ASKS_SOMETHING.search(turn.user)
        )
        right = bool(names & DOES[turn.value]) and not (topics and not alongside)
    hedged = bool(names & HEDGES)
    return Verdict(right, not right and not hedged, what_it_did(bot))


# --- figures -------------------------------------------------------------------------------------------


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % by default); (0, 1) for no observations."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def value(self) -> float:
        return self.count / self.total if self.total else 0.0

    def as_json(self) -> dict[str, Any]:
        low, high = wilson(self.count, self.total)
        return {"count": self.count, "total": self.total, "share": round(self.value, 4), "ci95": [low, high]}

    def __str__(self) -> str:
        low, high = wilson(self.count, self.total)
        return f"{self.value:.3f} [{low:.3f}, {high:.3f}] ({self.count}/{self.total})"


@dataclass(frozen=True)
class ConversationResult:
    conversation: Conversation
    verdicts: tuple[Verdict, ...]

    @property
    def right(self) -> bool:
        return all(v.right for v in self.verdicts)


@dataclass(frozen=True)
class Figures:
    conversations_right: Share
    turns_right: Share
    first_messages_direct: Share
    confidently_wrong: Share  # of the turns
    # Of the turns up to and including each conversation's first mistake: a wrong turn after it may only
    # follow from it (the bot is in another topic or step than the writer assumed), so this counts each
    # cause once. Both are reported; the goal is set on the first.
    confidently_wrong_until_first_mistake: Share

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name).as_json() for name in self.__dataclass_fields__}


def figures(results: Iterable[ConversationResult]) -> Figures:
    results = list(results)
    verdicts = [v for r in results for v in r.verdicts]
    return Figures(
        Share(sum(r.right for r in results), len(results)),
        Share(sum(v.right for v in verdicts), len(verdicts)),
        Share(sum(r.verdicts[0].right for r in results if r.verdicts), sum(1 for r in results if r.verdicts)),
        Share(sum(v.confidently_wrong for v in verdicts), len(verdicts)),
        _until_first_mistake(results),
    )


def until_first_mistake(verdicts: Iterable[Verdict]) -> list[Verdict]:
    """A conversation's turns up to and including its first wrong one (all of them when none is wrong)."""
    kept = []
    for verdict in verdicts:
        kept.append(verdict)
        if not verdict.right:
            break
    return kept


def _until_first_mistake(results: list[ConversationResult]) -> Share:
    kept = [v for r in results for v in until_first_mistake(r.verdicts)]
    return Share(sum(v.confidently_wrong for v in kept), len(kept))


def by_expectation(results: Iterable[ConversationResult]) -> dict[str, tuple[Share, Share]]:
    """Per expectation (`answer`, `asks:otp_code`, `does:thank` …): turns right and confidently wrong."""
    counts: dict[str, list[int]] = {}
    for result in results:
        for turn, verdict in zip(result.conversation.turns, result.verdicts, strict=False):
            for key in (turn.kind, f"{turn.kind}:{turn.value}" if turn.kind != "answer" else "answer:*"):
                c = counts.setdefault(key, [0, 0, 0])
                c[0] += verdict.right
                c[1] += verdict.confidently_wrong
                c[2] += 1
    return {key: (Share(c[0], c[2]), Share(c[1], c[2])) for key, c in sorted(counts.items())}


def misses(results: Iterable[ConversationResult]) -> dict[str, int]:
    """Aggregate 'expected → what the bot did' counts of the wrong turns (no message text)."""
    counts: dict[str, int] = {}
    for result in results:
        for turn, verdict in zip(result.conversation.turns, result.verdicts, strict=False):
            if not verdict.right:
                key = f"{turn.kind}:{turn.value} → {verdict.did}"
                counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def first_misses(results: Iterable[ConversationResult]) -> dict[str, int]:
    """Where conversations first go wrong (aggregate): 'previous expectation ⇒ expected → what the bot did'.
    Later wrong turns often follow from the first one; these are the causes to look at."""
    counts: dict[str, int] = {}
    for result in results:
        turns = result.conversation.turns
        for index, (turn, verdict) in enumerate(zip(turns, result.verdicts, strict=False)):
            if not verdict.right:
                before = f"{turns[index - 1].kind}:{turns[index - 1].value}" if index else "(first)"
                key = f"{before} ⇒ {turn.kind}:{turn.value} → {verdict.did}"
                counts[key] = counts.get(key, 0) + 1
                break
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
