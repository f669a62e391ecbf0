"""Replay the blind conversations (tests/conversations/blind/) end to end over REST and score every turn.

Each conversation is a fresh REST sender on a stack this script starts (tests/support/stack.py: the
product on free ports with temporary databases, the sandbox's clock moved on a day before each
conversation so the code limits never carry over). `<CODE>` is the code the sandbox actually sent in
this conversation (its outbox), `<WRONG_CODE>` another 6-digit code. LINE conversations go over REST
too: the actions and the NLU are the same; only the bubbles' rendering differs. What the bot did is
read afterwards from the conversation's tracker (Rasa's HTTP API with the stack's token): the names of
the responses of each turn, scored by benchmarks/conversation_scoring.py.

    .venv/bin/python benchmarks/blind_conversations.py                        # all 320 conversations
    .venv/bin/python benchmarks/blind_conversations.py --report results/blind_conversations.json
    .venv/bin/python benchmarks/blind_conversations.py --per-file 10          # the gate's subset
    .venv/bin/python benchmarks/blind_conversations.py --smoke                # 3 conversations
    .venv/bin/python benchmarks/blind_conversations.py --conversations tests/conversations/decision --show-misses

Only aggregate figures are printed (per persona file, per expectation), never a conversation's text:
the set is blind (tests/conversations/blind/README.md). The decision set (tests/conversations/decision/,
written the same way, read while working) may be replayed with `--show-misses`: each conversation's
first wrong turn with what the customer typed and what the bot answered.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.conversation_scoring import (  # noqa: E402
    BLIND_DIR,
    BotTurn,
    Conversation,
    ConversationResult,
    by_expectation,
    figures,
    first_misses,
    judge,
    load_conversations,
    misses,
)
from tests.support.stack import CODE as CODE_IN_MESSAGE  # noqa: E402
from tests.support.stack import RunningStack, start_stack  # noqa: E402

CODE, WRONG_CODE = "<CODE>", "<WRONG_CODE>"
# Where the sandbox sends the demo customers' codes (account_api/README.md "Demo customers").
DEMO_DESTINATIONS = ("090-1234-5678", "hanako.sato@example.jp", "080-5555-6666")


def stratified(conversations: Sequence[Conversation], per_file: int) -> list[Conversation]:
    """A fixed subset: `per_file` conversations of each persona file, evenly spaced through the file."""
    by_file: dict[str, list[Conversation]] = {}
    for conversation in conversations:
        by_file.setdefault(conversation.source, []).append(conversation)
    chosen: list[Conversation] = []
    for items in by_file.values():
        step = max(len(items) / per_file, 1.0)
        chosen += [items[int(i * step)] for i in range(min(per_file, len(items)))]
    return chosen


def bot_turns(events: Iterable[dict[str, Any]]) -> list[BotTurn]:
    """The tracker's events cut at each customer message: what the bot did after each."""
    turns: list[BotTurn] = []
    action = ""
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turns.append(BotTurn())
        elif not turns:
            continue
        elif kind == "action":
            action = event.get("name") or ""
            turns[-1].actions.append(action)
        elif kind == "bot":
            name = (event.get("metadata") or {}).get("utter_action") or f"text:{action}"
            turns[-1].responses.append(name)
            turns[-1].texts.append(event.get("text") or "")
    return turns


class CodeReader:
    """The codes the sandbox sent to the demo customers, to type `<CODE>` as a customer would. What is new is told
    by the outbox's message ids, not by counting: the outbox answers with its newest 500 messages, so a count stops
    growing once a demo phone has had more (the decision set's 596 conversations passed it, and every code typed
    after that was read as none sent)."""

    def __init__(self, stack: RunningStack) -> None:
        self._stack = stack
        self._seen = self._newest_ids()

    def _newest_ids(self) -> dict[str, int]:
        return {d: max((m["id"] for m in self._stack.outbox(d)), default=0) for d in DEMO_DESTINATIONS}

    def start_conversation(self) -> None:
        self._seen = self._newest_ids()

    def fill(self, text: str) -> str:
        if CODE not in text and WRONG_CODE not in text:
            return text
        new = [
            (message["id"], found.group(1))
            for destination in DEMO_DESTINATIONS
            for message in self._stack.outbox(destination)
            if message["id"] > self._seen[destination]
            for found in [CODE_IN_MESSAGE.search(message.get("body", ""))]
            if found
        ]
        right = max(new)[1] if new else "000000"  # the newest code sent; none: whatever is typed cannot verify
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        return text.replace(WRONG_CODE, wrong).replace(CODE, right)


def replay(
    stack: RunningStack, conversation: Conversation, codes: CodeReader
) -> tuple[ConversationResult, list[BotTurn]]:
    stack.start_a_new_day()
    codes.start_conversation()
    sender = f"blind-{uuid.uuid4().hex[:12]}"
    for turn in conversation.turns:
        stack.say(sender, codes.fill(turn.user), timeout=60)
    response = requests.get(
        f"{stack.rasa_url}/conversations/rest:{sender}/tracker",
        headers=stack.api_headers,
        params={"include_events": "ALL"},
        timeout=30,
    )
    response.raise_for_status()
    did = bot_turns(response.json()["events"])
    if len(did) != len(conversation.turns):
        raise RuntimeError(
            f"{conversation.id}: {len(did)} customer turns in the tracker, {len(conversation.turns)} sent"
        )
    verdicts = tuple(judge(t, b) for t, b in zip(conversation.turns, did, strict=True))
    return ConversationResult(conversation, verdicts), did


@dataclass(frozen=True)
class Run:
    results: list[ConversationResult]
    seconds: float
    # What the bot did at each turn, by conversation id (for --show-misses on a set that is not blind).
    bot_turns: dict[str, list[BotTurn]] = field(default_factory=dict)

    @property
    def turns(self) -> int:
        return sum(len(r.verdicts) for r in self.results)

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0


def run_all(
    stack: RunningStack,
    conversations: Sequence[Conversation],
    progress: Callable[[int, int], None] | None = None,
) -> Run:
    codes = CodeReader(stack)
    started = time.monotonic()
    results = []
    did: dict[str, list[BotTurn]] = {}
    for done, conversation in enumerate(conversations, 1):
        result, did[conversation.id] = replay(stack, conversation, codes)
        results.append(result)
        if progress:
            progress(done, len(conversations))
    return Run(results, time.monotonic() - started, did)


# --- report --------------------------------------------------------------------------------------------


def report(run: Run) -> dict[str, Any]:
    per_file: dict[str, list[ConversationResult]] = {}
    for result in run.results:
        per_file.setdefault(result.conversation.source, []).append(result)
    return {
        "overall": figures(run.results).as_json(),
        "per_persona_file": {name: figures(items).as_json() for name, items in sorted(per_file.items())},
        "per_expectation": {
            key: {"right": right.as_json(), "confidently_wrong": wrong.as_json()}
            for key, (right, wrong) in by_expectation(run.results).items()
        },
        "misses": misses(run.results),
        "first_misses": first_misses(run.results),
        # Per conversation (by id, never its text), each turn [right, confidently wrong]: for --compare.
        "per_conversation": {
            r.conversation.id: [[v.right, v.confidently_wrong] for v in r.verdicts] for r in run.results
        },
        "speed": {
            "turns": run.turns,
            "seconds": round(run.seconds, 1),
            "turns_per_second": round(run.turns_per_second, 2),
        },
    }


def print_table(run: Run) -> None:
    overall = figures(run.results)
    print("\nBlind conversations, end to end over REST (95 % Wilson intervals)")
    for name in overall.__dataclass_fields__:
        print(f"  {name:<38} {getattr(overall, name)}")
    print(f"  speed                  {run.turns} turns in {run.seconds:.0f} s = {run.turns_per_second:.2f} turns/s")
    per_file: dict[str, list[ConversationResult]] = {}
    for result in run.results:
        per_file.setdefault(result.conversation.source, []).append(result)
    print(f"\n  {'persona file':<22} {'conversations':>14} {'turns':>7} {'first':>7} {'conf.wrong':>10}")
    for name, items in sorted(per_file.items()):
        f = figures(items)
        print(
            f"  {name:<22} {f.conversations_right.value:>14.3f} {f.turns_right.value:>7.3f} "
            f"{f.first_messages_direct.value:>7.3f} {f.confidently_wrong.value:>10.3f}   (n={len(items)})"
        )
    print(f"\n  {'expectation':<26} {'turns right':>34} {'conf.wrong':>8}")
    for key, (right, wrong) in by_expectation(run.results).items():
        print(f"  {key:<26} {right!s:>34} {wrong.count:>8}")
    print("\n  wrong turns: expected → what the bot did (aggregate)")
    for key, count in list(misses(run.results).items())[:30]:
        print(f"  {count:>4}  {key}")
    print("\n  where conversations first go wrong: previous expectation ⇒ expected → what the bot did")
    for key, count in list(first_misses(run.results).items())[:40]:
        print(f"  {count:>4}  {key}")


def _may_be_blind(folder: Path) -> bool:
    """A folder that is, holds or links to a blind set (this checkout's or any copy's: a folder named
    `blind` anywhere on the way to a file)."""
    files = [folder, *folder.rglob("*")]
    return any("blind" in path.parts or "blind" in path.resolve().parts for path in files)


def print_first_misses(run: Run) -> None:
    """Each conversation's first wrong turn, with the customer's text and the bot's reply (not for the blind set)."""
    print("\n  first wrong turn of each conversation")
    for result in run.results:
        conversation = result.conversation
        for index, verdict in enumerate(result.verdicts):
            if verdict.right:
                continue
            turn, did = conversation.turns[index], run.bot_turns[conversation.id][index]
            before = " / ".join(t.user for t in conversation.turns[:index])
            print(f"\n  {conversation.id} turn {index + 1}: expected {turn.kind}:{turn.value}, did {verdict.did}")
            print(f"    earlier: {before[:200]}")
            print(f"    typed:   {turn.user}")
            print(f"    bot:     {' | '.join(did.responses)}")
            break


def compare(before: dict[str, Any], after: dict[str, Any], rounds: int = 2000) -> dict[str, list[float]]:
    """Paired differences after − before over the conversations both runs replayed, each with a 95 %
    bootstrap interval (conversations resampled, seed 42): what changed beyond noise."""
    ids = sorted(set(before["per_conversation"]) & set(after["per_conversation"]))

    def measures(run: dict[str, Any], chosen: list[str]) -> list[float]:
        convs = [run["per_conversation"][i] for i in chosen]
        turns = [t for c in convs for t in c]
        until_first = [t for c in convs for t in _until_first_mistake(c)]
        return [
            sum(all(t[0] for t in c) for c in convs) / len(convs),
            sum(t[0] for t in turns) / len(turns),
            sum(c[0][0] for c in convs) / len(convs),
            sum(t[1] for t in turns) / len(turns),
            sum(t[1] for t in until_first) / len(until_first),
        ]

    rng = random.Random(42)
    point = [a - b for a, b in zip(measures(after, ids), measures(before, ids), strict=True)]
    samples = []
    for _ in range(rounds):
        chosen = [rng.choice(ids) for _ in ids]
        samples.append([a - b for a, b in zip(measures(after, chosen), measures(before, chosen), strict=True)])
    names = (
        "conversations_right",
        "turns_right",
        "first_messages_direct",
        "confidently_wrong",
        "confidently_wrong_until_first_mistake",
    )
    result = {}
    for index, name in enumerate(names):
        values = sorted(s[index] for s in samples)
        result[name] = [point[index], values[int(0.025 * rounds)], values[int(0.975 * rounds) - 1]]
    return result


def _until_first_mistake(turns: list[list[bool]]) -> list[list[bool]]:
    """A conversation's [right, confidently wrong] turns up to and including its first wrong one."""
    for index, (right, _) in enumerate(turns):
        if not right:
            return turns[: index + 1]
    return turns


def print_comparison(before_path: Path, after: dict[str, Any]) -> None:
    before = json.loads(before_path.read_text(encoding="utf-8"))
    print(f"\n  paired difference against {before_path} (after − before, 95 % bootstrap interval)")
    for name, (point, low, high) in compare(before, after).items():
        print(f"  {name:<38} {point:+.3f} [{low:+.3f}, {high:+.3f}]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="write the figures as JSON here")
    parser.add_argument("--per-file", type=int, help="only this many conversations per persona file (stratified)")
    parser.add_argument("--smoke", action="store_true", help="3 conversations: checks the script runs")
    parser.add_argument("--compare", type=Path, help="an earlier --report: print the paired differences")
    parser.add_argument("--conversations", type=Path, default=BLIND_DIR, help="the set's folder (the blind set)")
    parser.add_argument("--show-misses", action="store_true", help="print first wrong turns (never the blind set)")
    args = parser.parse_args(argv)
    if args.show_misses and _may_be_blind(args.conversations):
        parser.error("--show-misses prints customers' texts: the blind set stays unread")
    conversations = load_conversations(args.conversations)
    if args.smoke:
        conversations = stratified(conversations, 1)[:3]
    elif args.per_file:
        conversations = stratified(conversations, args.per_file)
    with tempfile.TemporaryDirectory(prefix="blind-conv-") as var_dir:
        print(f"starting the stack (load average {os.getloadavg()[0]:.1f}) …", flush=True)
        stack = start_stack(Path(var_dir))
        try:

            def progress(done: int, total: int) -> None:
                if done % 20 == 0 or done == total:
                    print(f"  {done}/{total} conversations", flush=True)

            run = run_all(stack, conversations, progress)
        finally:
            stack.stop()
    print_table(run)
    if args.show_misses:
        print_first_misses(run)
    figures_json = report(run)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(figures_json, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nreport: {args.report}")
    if args.compare:
        print_comparison(args.compare, figures_json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
