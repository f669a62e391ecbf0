"""Another way to receive the connection ID asked for at the final question, and a way chosen with the offer
(actions/method_change.py): the new way is taken, a way asked about or turned down is not."""

from __future__ import annotations

import pytest

from actions.conversation_state import PROCEDURE_FORM
from actions.method_change import method_changed_at_the_end, way_named
from tests.actions.trackers import tracker

_AT_THE_END = {
    "procedure": "send_connection_id",
    "requested_slot": "procedure_confirmed",
    "delivery_method": "post",
    "verified_until": 9e9,
}


def _at_the_end(text: str, **slots: object) -> str | None:
    t = tracker("nlu_fallback", text=text, slots={**_AT_THE_END, **slots}, active_loop=PROCEDURE_FORM)
    return method_changed_at_the_end(t)


@pytest.mark.parametrize(
    ("typed", "way"),
    [("やっぱりSMSにして", "sms"), ("住所が古いかもしれないので、やっぱりマイページで見る方にします", "mypage"),
     ("郵送じゃなくてSMSでお願いします", "sms"), ("スマホで受け取るほうがいいです", "sms")],
)  # fmt: skip
def test_another_way_at_the_final_question_is_taken(typed: str, way: str) -> None:
    assert _at_the_end(typed) == way


@pytest.mark.parametrize(
    "typed",
    ["SMSでも受け取れますか？", "SMSは要らないです", "郵送でお願いします", "はい", "マイページだとまだ登録してないので",
     "SMSと郵送どっちが早い？"],
)  # fmt: skip
def test_a_way_asked_about_turned_down_or_kept_is_no_change(typed: str) -> None:
    """A question about a way, a way turned down, the way already chosen or two ways: the final question is
    answered as before."""
    assert _at_the_end(typed) is None


def test_only_the_connection_ids_final_question_takes_a_way() -> None:
    assert _at_the_end("やっぱりSMSにして", procedure="reset_ocn_password") is None
    assert _at_the_end("やっぱりSMSにして", requested_slot="otp_code") is None
    assert _at_the_end("/inform", delivery_method="post") is None


def test_the_way_after_instead_of_is_the_one_named() -> None:
    assert way_named("郵送じゃなくてマイページで見たい") == "mypage"
    assert way_named("SMSか郵送で") is None
    assert way_named("N123456789 SMSは不要") is None
