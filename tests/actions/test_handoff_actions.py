"""action_handoff: outside the support hours or with nobody there, the contact page and nothing
queued; accepted, queued (with the position) and paused. The desk is a recording fake, plugged in
through HANDOFF_DESK like OCN's own contact-centre system would be."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from actions.account_client import AccountClient
from actions.handoff_actions import ActionHandoff, ActionHandoffTaken, channel_of, hours_text
from actions.handoff_desk import DeskUnavailable, QueueFull, Ticket, within_hours
from actions.links import link
from actions.settings import HandoffSettings, load_handoff_settings
from tests.actions.trackers import responses, run, tracker

JST = ZoneInfo("Asia/Tokyo")
CONTACT_PAGE = "https://contact.example.jp/ocn"


class RecordingDesk:
    """A HandoffDesk whose answers the test sets; it records what it was asked."""

    available = True
    ticket: Ticket | None = Ticket("h-1", 3)
    fail = False
    enqueue_error: Exception | None = None  # raised by enqueue (after "queueing": the answer is lost)
    cancel_answer: bool | Exception = True  # True: left the queue; False: an operator has it
    calls: list[tuple] = []

    def __init__(self, settings: HandoffSettings) -> None:
        pass

    async def operators_available(self) -> bool:
        RecordingDesk.calls.append(("available",))
        if RecordingDesk.fail:
            raise DeskUnavailable("down")
        return RecordingDesk.available

    async def enqueue(
        self,
        conversation_id: str,
        channel: str,
        topic: str | None,
        client_ref: str | None = None,
        verified: bool = False,
        verified_account: str | None = None,
    ) -> Ticket | None:
        RecordingDesk.calls.append(("enqueue", conversation_id, channel, topic))
        RecordingDesk.calls.append(("client", client_ref))
        RecordingDesk.calls.append(("verified", verified, verified_account))
        if RecordingDesk.enqueue_error:
            raise RecordingDesk.enqueue_error
        return RecordingDesk.ticket

    async def cancel(self, conversation_id: str) -> bool:
        RecordingDesk.calls.append(("cancel", conversation_id))
        if isinstance(RecordingDesk.cancel_answer, Exception):
            raise RecordingDesk.cancel_answer
        return RecordingDesk.cancel_answer


@pytest.fixture(autouse=True)
def desk(monkeypatch: pytest.MonkeyPatch) -> type[RecordingDesk]:
    monkeypatch.setenv("HANDOFF_DESK", f"{__name__}.RecordingDesk")
    monkeypatch.setenv("HANDOFF_HOURS", "00:00-24:00")
    monkeypatch.setenv("OCN_LINK_CONTACT", CONTACT_PAGE)  # a checked contact page (see the last test)
    RecordingDesk.available, RecordingDesk.ticket, RecordingDesk.fail = True, Ticket("h-1", 3), False
    RecordingDesk.enqueue_error, RecordingDesk.cancel_answer = None, True
    RecordingDesk.calls = []
    return RecordingDesk


def _asked(intent: str = "request_human", sender: str = "web:abc") -> object:
    earlier = [{"event": "user", "parse_data": {"intent": {"name": "check_ocn_id"}}}]
    return tracker(intent, "担当者と話したい", sender=sender, events=earlier)


def _paused(events: list[dict]) -> bool:
    return any(e.get("event") == "pause" for e in events)


def test_accepted_the_customer_is_queued_with_position_and_the_bot_pauses(desk) -> None:
    messages, events = run(ActionHandoff(), _asked())
    assert responses(messages)[0] == "utter_handoff_queued_position"
    assert messages[0]["position"] == 3
    assert _paused(events)
    assert ("enqueue", "web:abc", "web", "OCN IDの確認") in desk.calls


def test_without_a_known_position_the_customer_is_still_told_they_are_queued(desk) -> None:
    desk.ticket = Ticket("h-2", None)
    messages, events = run(ActionHandoff(), _asked())
    assert responses(messages)[0] == "utter_handoff_queued" and _paused(events)


def test_nobody_signed_in_gives_the_contact_page_and_queues_nothing(desk) -> None:
    desk.available = False
    messages, events = run(ActionHandoff(), _asked())
    assert responses(messages) == ["utter_handoff_no_operator"]
    assert messages[0]["link"] == link("contact")
    assert not _paused(events)
    assert not [c for c in desk.calls if c[0] == "enqueue"]


def test_desk_down_gives_the_contact_page(desk) -> None:
    desk.fail = True
    messages, events = run(ActionHandoff(), _asked())
    assert responses(messages) == ["utter_handoff_unavailable"] and not _paused(events)


def test_outside_support_hours_gives_the_hours_and_contact_page_and_asks_no_desk(desk, monkeypatch) -> None:
    # Hours at least an hour away from now on both sides, whatever the time of the test run.
    hours, shown = (
        ("20:00-06:00", "20:00〜6:00") if 8 <= datetime.now(tz=JST).hour < 19 else ("09:00-18:00", "9:00〜18:00")
    )
    monkeypatch.setenv("HANDOFF_HOURS", hours)
    messages, events = run(ActionHandoff(), _asked())
    assert responses(messages) == ["utter_handoff_outside_hours"]
    assert messages[0]["hours"] == shown
    assert messages[0]["link"] == link("contact")
    assert desk.calls == [] and not _paused(events)


@pytest.mark.parametrize(
    ("hours", "local", "inside"),
    [
        ("09:00-18:00", "09:00", True),
        ("09:00-18:00", "17:59", True),
        ("09:00-18:00", "18:00", False),
        ("09:00-18:00", "08:59", False),
        ("22:00-02:00", "23:30", True),
        ("22:00-02:00", "01:59", True),
        ("22:00-02:00", "12:00", False),
        ("00:00-24:00", "03:00", True),
    ],
)
def test_support_hours_are_japan_time(hours: str, local: str, inside: bool) -> None:
    settings = load_handoff_settings({"HANDOFF_HOURS": hours})
    hour, minute = map(int, local.split(":"))
    when = datetime(2026, 11, 26, hour, minute, tzinfo=JST).astimezone(ZoneInfo("UTC"))
    assert within_hours(settings, when) is inside


@pytest.mark.parametrize(("hours", "shown"), [("23:00-00:00", "23:00〜24:00"), ("22:30-02:00", "22:30〜2:00")])
def test_the_hours_are_shown_as_people_write_them(hours: str, shown: str) -> None:
    assert hours_text(load_handoff_settings({"HANDOFF_HOURS": hours})) == shown


def test_default_hours_are_nine_to_six_japan_time() -> None:
    settings = load_handoff_settings({})
    assert [t.hour for t in settings.hours] == [9, 18] and settings.timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("sender", "channel"), [("web:s1", "web"), ("line:U1", "line"), ("line:group:C1", "line"), ("rest:me", "rest")]
)
def test_the_channel_comes_from_the_sender_id(sender: str, channel: str) -> None:
    assert channel_of(tracker(sender=sender)) == channel


@pytest.mark.parametrize("sender", ["line:group:C0123456789abcdef", "line:room:R0123456789abcdef"])
def test_a_line_group_or_room_is_not_handed_to_a_person(desk, sender: str) -> None:
    """Everyone in the group reads along: refused like procedures are, with the contact page."""
    messages, events = run(ActionHandoff(), _asked(sender=sender))
    assert responses(messages) == ["utter_handoff_needs_private_chat"]
    assert messages[0]["link"] == link("contact")
    assert desk.calls == [] and not _paused(events)


@pytest.mark.parametrize("per_client", [False, True])
def test_a_full_queue_gets_a_polite_answer_and_nothing_is_paused(desk, per_client: bool) -> None:
    desk.enqueue_error = QueueFull(per_client=per_client)
    messages, events = run(ActionHandoff(), _asked())
    assert responses(messages) == ["utter_handoff_queue_full"] and messages[0]["link"] == link("contact")
    assert not _paused(events)


def test_the_desk_learns_which_client_asks_for_its_per_client_limit(desk) -> None:
    asked = tracker("request_human", "担当者と話したい", sender="web:abc", metadata={"client_ref": "cr1_abc"})
    run(ActionHandoff(), asked)
    assert ("client", "cr1_abc") in desk.calls


def test_an_enqueue_whose_answer_is_lost_is_withdrawn_and_the_bot_keeps_the_conversation(desk) -> None:
    """The desk queued it but its answer timed out: the queue must not keep a conversation the
    bot still answers, so the action takes it out again before saying it failed."""
    desk.enqueue_error = DeskUnavailable("TimeoutError")
    messages, events = run(ActionHandoff(), _asked())
    assert ("cancel", "web:abc") in desk.calls
    assert responses(messages) == ["utter_handoff_unavailable"] and not _paused(events)


def test_an_enqueue_whose_answer_is_lost_but_already_taken_pauses_the_conversation(desk) -> None:
    desk.enqueue_error, desk.cancel_answer = DeskUnavailable("TimeoutError"), False
    messages, events = run(ActionHandoff(), _asked())
    assert responses(messages)[0] == "utter_handoff_queued" and _paused(events)


def test_taking_a_conversation_pauses_it_even_if_the_queued_turn_lost_its_pause() -> None:
    _, events = run(ActionHandoffTaken(), tracker(sender="web:abc"))
    assert _paused(events)


def test_taking_a_paused_conversation_does_not_pause_it_twice() -> None:
    """Issue 24 leftover: the operator's transcript showed 「担当者への引き継ぎ」 twice after a take."""
    messages, events = run(ActionHandoffTaken(), tracker(sender="web:abc", paused=True))
    assert not _paused(events) and responses(messages)  # the customer is still told


def test_without_a_contact_page_the_answer_names_it_without_a_link(desk, monkeypatch) -> None:
    # Issue 20: a link called 「お問い合わせ窓口」 must not lead back to the help page.
    monkeypatch.delenv("OCN_LINK_CONTACT")
    desk.available = False
    messages, _ = run(ActionHandoff(), _asked())
    assert responses(messages) == ["utter_handoff_no_operator_no_link"]
    desk.fail = True
    messages, _ = run(ActionHandoff(), _asked())
    assert responses(messages) == ["utter_handoff_unavailable_no_link"]


def _verified_asking(account: str | None, sender: str = "web:abc") -> object:
    until = (datetime.now() + timedelta(minutes=10)).timestamp()
    # As after a procedure that ended: account_ref is cleared, the verification (and its account) stays.
    slots = {"verification_id": "v-1", "verified_until": until, "account_ref": None, "verified_account": account}
    earlier = [{"event": "user", "parse_data": {"intent": {"name": "check_ocn_id"}}}]
    return tracker("request_human", "担当者と話したい", slots=slots, sender=sender, events=earlier)


def _verified_call() -> tuple:
    return next(call for call in RecordingDesk.calls if call[0] == "verified")


def test_a_verified_conversation_tells_the_desk_its_account_as_an_opaque_key() -> None:
    """Security reviews 5 and 7 (low): one customer's own account, verified from a few addresses, filled
    the queue's reserved places, and once a procedure had ended (account_ref cleared) no key was sent at
    all. The key is kept with the verification and sent with every handoff of a verified conversation."""
    key = AccountClient(token="secret").account_key("N123456789")
    assert len(key) == 32 and "123456789" not in key
    assert key == AccountClient(token="secret").account_key("N123456789")
    assert key not in (
        AccountClient(token="other").account_key("N123456789"),
        AccountClient(token="secret").account_key("N987654321"),
    )
    run(ActionHandoff(), _verified_asking(key))
    assert _verified_call()[1:] == (True, key)
    RecordingDesk.calls = []
    run(ActionHandoff(), _asked())  # not verified: no account is named
    assert _verified_call()[1:] == (False, None)
