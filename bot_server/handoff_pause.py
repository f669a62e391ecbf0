"""While a person has the conversation (ConversationPaused), the customer's messages go to the
operator as they are: no NLU. Stock Rasa still parses a paused conversation's messages (it
only stops predicting actions), which would classify, extract and log what the customer says
to the operator. The console reads them from the (redacted) tracker store.

A pause outlives Rasa's session expiry (domain.yml `session_expiration_time`, 60 minutes after the
customer's last message). Stock Rasa starts the new session unpaused (SessionStarted resets the flag,
and the tracker store loads only the latest session), so a customer answering an operator after an
hour would silently be back with the bot while the console still showed the conversation as theirs.
What a desk expects instead: the conversation stays with the person who has it (or in the queue)
until the operator hands it back or closes it, or the customer leaves the queue; so the new session
starts paused (a ConversationPaused right after its SessionStarted: bot_server/session_start.py). The
console's transcript shows the handoff from the session it was queued in (console/handoff/transcript.py).

One exception, read from the text and never from the NLU: while nobody has taken the conversation
yet, the customer may leave the queue (「やめます」「キャンセル」). Such a message runs
`action_handoff_cancel`, which asks the desk; the desk says whether an operator already has the
conversation (then the message is theirs like any other) or the customer left the queue (then the
action resumes the conversation and the bot listens again).

Likewise, after the waiting timeout asked 「このままお待ちになりますか？」 (slot `handoff_wait_offered`), a
whole-message answer (はい／いいえ／「待ちます」／「連絡先を教えて」: ocn_ids.answers.read_wait_answer) runs
`action_handoff_wait_answer` (actions/handoff_waiting.py); anything else goes to the operator.

The parse wrapper, which has the tracker, also tells bot_server.redaction whether the message was typed
where the bot asked for an ID: a password typed there is then masked in that message's log records.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rasa.core.actions.action import action_for_name_or_text
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.rasa_patches import register
from bot_server.redaction import note_incoming_message
from ocn_ids.answers import read_wait_answer
from ocn_ids.normalize import nfkc
from ocn_ids.passwords import at_secret_prompt

_original_parse_message = MessageProcessor.parse_message
_original_run_prediction_loop = MessageProcessor._run_prediction_loop

CANCEL_ACTION = "action_handoff_cancel"
WAIT_ANSWER_ACTION = "action_handoff_wait_answer"
WAIT_OFFERED_SLOT = "handoff_wait_offered"
# Whole messages only: 「キャンセルの方法を教えて」 is a question for the operator, not a cancel.
CANCEL_PHRASES = frozenset(
    {
        "やめます",
        "やめる",
        "やめたい",
        "やめておきます",
        "待つのをやめます",
        "キャンセル",
        "キャンセルします",
        "キャンセルしたい",
        "キャンセルでお願いします",
        "取り消し",
        "取り消します",
        "もういいです",
        "やっぱりいいです",
    }
)


def is_cancel_request(text: str | None) -> bool:
    """The customer asks to leave the queue: NFKC + lower case (as ocn_ids.normalize), without
    spaces and punctuation (「キャンセル！」, 「ｷｬﾝｾﾙ」, 「やめます。」)."""
    letters = "".join(ch for ch in nfkc(text or "").lower() if unicodedata.category(ch)[0] in ("L", "N"))
    return letters in CANCEL_PHRASES


async def _parse_unless_paused(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    # Where the bot asked for an ID, a password-looking message is kept out of this turn's log records.
    at_id_prompt = (
        at_secret_prompt(
            tracker.get_slot("requested_slot"), tracker.get_slot("pending_question"), tracker.get_slot("topic")
        )
        if tracker is not None
        else ""
    )
    note_incoming_message(message.text, at_id_prompt=at_id_prompt)
    if tracker is not None and tracker.is_paused():
        return {"text": message.text or "", "intent": {"name": None, "confidence": 0.0}, "entities": []}
    return await _original_parse_message(self, message, tracker, only_output_properties)


def _just_said(tracker: DialogueStateTracker) -> str | None:
    """The text of the customer's message this turn handles: no action ran after it yet (the
    loop also runs after the console's /execute, which must not re-read an old message)."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted):
            return None
        if isinstance(event, UserUttered):
            return event.text
    return None


def _paused_customer_action(tracker: DialogueStateTracker) -> str | None:
    """The action a paused customer's message runs itself (else it is the operator's)."""
    if not tracker.is_paused():
        return None
    text = _just_said(tracker)
    if tracker.get_slot(WAIT_OFFERED_SLOT) and read_wait_answer(text):
        return WAIT_ANSWER_ACTION
    return CANCEL_ACTION if is_cancel_request(text) else None


async def _predict_or_cancel(
    self: MessageProcessor, output_channel: OutputChannel, tracker: DialogueStateTracker
) -> None:
    """Stock Rasa predicts nothing while paused; a cancel request runs the cancel action, an answer
    to the keep-waiting question the answer action."""
    name = _paused_customer_action(tracker)
    if name is None:
        await _original_run_prediction_loop(self, output_channel, tracker)
        return
    action = action_for_name_or_text(name, self.domain, self.action_endpoint)
    prediction = PolicyPrediction.for_action_name(self.domain, name)
    await self._run_action(action, tracker, output_channel, self.nlg, prediction)
    if not tracker.is_paused():
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))  # back with the bot: rules expect action_listen


def install() -> None:
    MessageProcessor.parse_message = _parse_unless_paused  # type: ignore[method-assign]
    MessageProcessor._run_prediction_loop = _predict_or_cancel  # type: ignore[method-assign]


register(
    "no NLU while a person has the conversation",
    install,
    rasa_version="3.6.21",
    replaces={
        "rasa.core.processor:MessageProcessor.parse_message": (
            "b98d8e49b9f2c433040af62752212dc374600d50cd21deec82386642b64d30dc"
        ),
        "rasa.core.processor:MessageProcessor._run_prediction_loop": (
            "cb30a0cbb690c571dbd33e404a16577745ad745798986b0fd314bd055893b4cf"
        ),
    },
)
