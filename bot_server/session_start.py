"""What a new session keeps. Rasa starts a new session 60 minutes after the customer's last message
(domain.yml `session_expiration_time`) and, with `carry_over_slots_to_new_session: false`, forgets every
slot: a verification, a procedure half done, what the customer typed. That is right for those; two
things belong to the customer rather than to one session:

- **a handoff**: a conversation a person has (or that waits for one) stays paused, or a customer
  answering an operator after an hour would silently be back with the bot while the console still
  showed the conversation as the operator's (bot_server/handoff_pause.py, issue 21 item 4);
- **the reading mode** they chose (やさしい日本語, slot `easy_japanese`, bot_server/easy_mode.py), and
  that the mode was offered (`easy_japanese_offered`): a customer who reads easy Japanese does not read
  standard Japanese better after a break, and is not offered the mode a second time.
"""

from __future__ import annotations

from rasa.core.channels.channel import OutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ConversationPaused, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.rasa_patches import register

KEPT_SLOTS = ("easy_japanese", "easy_japanese_offered")

_original_update_tracker_session = MessageProcessor._update_tracker_session


async def _new_session_keeps_handoff_and_mode(
    self: MessageProcessor,
    tracker: DialogueStateTracker,
    output_channel: OutputChannel,
    metadata: dict | None = None,
) -> None:
    was_paused = tracker.is_paused()
    kept = {name: tracker.get_slot(name) for name in KEPT_SLOTS if name in tracker.slots}
    await _original_update_tracker_session(self, tracker, output_channel, metadata)
    if was_paused and not tracker.is_paused():
        tracker.update(ConversationPaused())
    for name, value in kept.items():
        if value and tracker.get_slot(name) != value:
            tracker.update(SlotSet(name, value))


def install() -> None:
    MessageProcessor._update_tracker_session = _new_session_keeps_handoff_and_mode  # type: ignore[method-assign]


register(
    "a new session keeps the handoff and the reading mode",
    install,
    rasa_version="3.6.21",
    replaces={
        "rasa.core.processor:MessageProcessor._update_tracker_session": (
            "b0d44217b5ca28ba5b5702ac4f37315d00f9e3e8f5e720ecff3ef727c0d05331"
        ),
    },
)
