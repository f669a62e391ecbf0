"""When the action server cannot be reached, answer instead of going silent.

Stock Rasa logs the failure and the customer gets no reply. We wrap RemoteAction.run so
the customer gets `utter_action_server_down` (a domain response, rendered by the Rasa
server itself) and the conversation goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.exceptions import RasaException

from bot_server.rasa_patches import register

logger = logging.getLogger(__name__)

RESPONSE = "utter_action_server_down"
_original_run = RemoteAction.run


async def _run_with_fallback(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
    try:
        return await _original_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # a form rejecting input is dialogue, not a failure
    except RasaException as error:
        if "Failed to execute custom action" not in str(error):
            raise
        logger.error("Action '%s' failed; answered with %s. %s", self.name(), RESPONSE, error)
        message = await nlg.generate(RESPONSE, tracker, output_channel.name())
        if not message:
            return []
        await output_channel.send_response(tracker.sender_id, message)
        return [create_bot_utterance(message)]


def install() -> None:
    if RemoteAction.run is not _run_with_fallback:
        RemoteAction.run = _run_with_fallback  # type: ignore[method-assign]


register(
    "reply when the action server is down",
    install,
    rasa_version="3.6.21",
    replaces={
        "rasa.core.actions.action:RemoteAction.run": "ccabf6f1160d527a157fad5bd285ce69e8221b1bcad23f8a61499b4360a1c17e"
    },
)
