"""When a custom action raises: the customer gets a polite apology, the conversation keeps its state,
and the failure is logged with its traceback and counted.

Without this, rasa_sdk answers the call with HTTP 500 and Rasa's processor (rasa/core/processor.py,
`_run_action`: "Bot will continue, but the actions events are lost") goes on as if nothing had been
said: the customer's message gets no reply at all. Inside the procedure form the failing call may be
`validate_procedure_form`, and the form's own events go with it. Here the failing action instead
answers with `utter_action_failed` and no events: nothing it half did is kept (its replies so far are
dropped, as they may not match the state), a form's validation sets no slot and the form asks its
question again, and the customer can write again or ask for a person.

rasa_sdk 3.6 has no hook around an action's run (its plugin hook only sees the Sanic app), so
`install()` wraps every action as the executor registers it (`ActionExecutor.register_function`, the
one place both `register_action` and the package scan go through). `actions/__init__.py` calls it
before the executor imports the actions. ActionExecutionRejection is passed on untouched: it is how a
form tells Rasa to try another policy, not a failure.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from typing import Any

from rasa_sdk import utils
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

from actions.metrics import ACTION_FAILURES

logger = logging.getLogger(__name__)

FAILED_RESPONSE = "utter_action_failed"


def guarded(name: str, run: Callable[..., Any]) -> Callable[..., Any]:
    """`run` (an action's run, or a registered function) that answers a raise with the apology."""

    @functools.wraps(run)
    async def run_guarded(dispatcher: CollectingDispatcher, tracker: Any, domain: Any) -> list[dict[str, Any]]:
        try:
            return await utils.call_potential_coroutine(run(dispatcher, tracker, domain))
        except ActionExecutionRejection:
            raise
        except Exception:  # noqa: BLE001 - any bug: the customer is answered, the state kept, a person told
            # The traceback as the message's argument, not exc_info: log records are redacted as they are
            # made (bot_server/redaction.py), and an exception's text may hold what the customer typed.
            logger.error("action %s failed (the customer got the apology):\n%s", name, traceback.format_exc())
            ACTION_FAILURES.labels(name).inc()
            dispatcher.messages.clear()
            dispatcher.utter_message(response=FAILED_RESPONSE)
            return []

    return run_guarded


def install() -> None:
    """Wrap every action the action server registers from now on (idempotent)."""
    register = ActionExecutor.register_function
    if getattr(register, "_guarded", False):
        return

    @functools.wraps(register)
    def register_guarded(executor: ActionExecutor, name: str, f: Callable[..., Any]) -> None:
        ACTION_FAILURES.labels(name)  # the series exists at 0, so the alert sees the first failure
        register(executor, name, guarded(name, f))

    register_guarded._guarded = True  # type: ignore[attr-defined]
    ActionExecutor.register_function = register_guarded  # type: ignore[method-assign]
