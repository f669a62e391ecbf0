"""What the customer is told of the account system's answers: why it said no (or could not answer),
the figures it decides (never made up here), and where something was sent. Shared by the verification
slots, the procedure form and the run of a procedure."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account_client import AccountApiError, AccountApiOutcomeUnknown, AccountApiUnavailable
from actions.buttons import talk_to_person
from actions.conversation_state import forget_verification


def minutes(seconds: int | None) -> int | None:
    """Seconds as whole minutes for a reply (at least 1, so 30 seconds is never 「0分」)."""
    return None if seconds is None else max(1, round(seconds / 60))


# Each response that shows a figure from the account system, and its twin without the figure.
_UNNUMBERED: dict[str, str] = {
    "utter_too_many_codes": "utter_too_many_codes_unnumbered",
    "utter_verification_locked": "utter_verification_locked_unnumbered",
    "utter_wrong_code": "utter_wrong_code_unnumbered",
    "utter_done_connection_post": "utter_done_connection_post_unnumbered",
}


def utter_figure(dispatcher: CollectingDispatcher, response: str, name: str, value: int | None, **fills: Any) -> None:
    """`response` with the account system's figure in `{name}`, or `<response>_unnumbered` (the same
    text without it) when the API's reply lacks it: figures the account system decides are never
    made up here (docs/style.md §6)."""
    if value is None:
        dispatcher.utter_message(response=_UNNUMBERED[response], **fills)
    else:
        dispatcher.utter_message(response=response, **{name: value}, **fills)


def describe_contact(channel: str | None, masked: str | None) -> str:
    if channel == "sms":
        return f"携帯電話（{masked}）" if masked else "携帯電話"
    return f"メールアドレス（{masked}）" if masked else "メールアドレス"


def explain_api_error(dispatcher: CollectingDispatcher, error: Exception) -> list[dict[str, Any]]:
    """Tell the customer, in their words, why the account system said no; stop the procedure."""
    if isinstance(error, AccountApiOutcomeUnknown):  # it may have been carried out: never say it was not
        dispatcher.utter_message(response="utter_api_outcome_unknown")
        return [SlotSet("procedure_halt", "outcome_unknown")]
    if isinstance(error, AccountApiUnavailable):  # known not carried out (the client asked, or nothing reached the API)
        dispatcher.utter_message(response="utter_api_unavailable")
        return [SlotSet("procedure_halt", "unavailable")]
    assert isinstance(error, AccountApiError)
    # Refused for now, perhaps because of strangers (account_api/README.md "Lockout"): a person is offered.
    if error.code == "too_many_codes":
        utter_figure(
            dispatcher, "utter_too_many_codes", "minutes", minutes(error.retry_after), buttons=talk_to_person()
        )
    elif error.code == "locked":
        utter_figure(
            dispatcher, "utter_verification_locked", "minutes", minutes(error.retry_after), buttons=talk_to_person()
        )
    elif error.code == "not_verified":
        dispatcher.utter_message(response="utter_verification_expired")
        return [SlotSet("procedure_halt", error.code), *forget_verification()]
    else:
        dispatcher.utter_message(response="utter_api_rejected")
    return [SlotSet("procedure_halt", error.code)]


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots `events` set, as a validation's return value (explain_api_error returns events)."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
