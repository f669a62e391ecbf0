"""Another way to receive the connection ID, asked for at the final question: 「やっぱりSMSにして」「住所が古いかも
しれないので、マイページで見る方にします」 at 「ご登録の住所に…郵送します。よろしいですか？」.

The customer is verified and has chosen; changing the way is not a no (it had cancelled the procedure, or been
asked yes or no again) nor a question about My Page. The form keeps the verification, takes the new way (an SMS is
checked as when it is chosen first) and asks its final question again, now naming the new way.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.procedure_switch import asks_a_question
from actions.receiving_questions import asks_of_a_way
from ocn_ids.answers import CHANGE_TO, CHOOSES, INSTEAD_OF, NEGATED, SWITCH_REQUEST, fold, in_a_requests_form
from ocn_ids.parse import find_choices, find_values

# How far after the way's name a refusal still belongs to it (「SMSは要らない」「郵送だと届かないかも」).
_NEAR = 8


def method_changed_at_the_end(tracker: Tracker) -> str | None:
    """The one other way the latest message asks for at the connection ID's final question, or None (a question
    about a way, a way turned down, the way already chosen, two ways without 「…じゃなくて」)."""
    text = tracker.latest_message.get("text") or ""
    current = tracker.get_slot("delivery_method")
    if not current or not _chooses_at_the_end(tracker, text):
        return None
    said = INSTEAD_OF.split(text)[-1]  # 「郵送じゃなくてSMSで」: the way after the "not"
    word = fold(said)
    if not (CHANGE_TO.search(fold(text)) or SWITCH_REQUEST.search(word) or CHOOSES.search(word)):
        return None
    way = way_named(text)
    return way if way != current else None


def _chooses_at_the_end(tracker: Tracker, text: str) -> bool:
    """Typed at the connection ID's final question, and no question about a way (「SMSでも受け取れますか」「郵送だと
    何日かかりますか」: asked about, not chosen). (The way chosen may already be cleared by another unnamed one:
    the form extracts the way before the yes.)"""
    if tracker.get_slot("requested_slot") != "procedure_confirmed" or text.startswith("/"):
        return False
    if tracker.get_slot("procedure") != "send_connection_id":
        return False
    return not ((asks_a_question(text) and not in_a_requests_form(fold(text))) or asks_of_a_way(text))


# 「やっぱほかのにする」「別の方法でお願いします」: another way, none named (folded).
_ANOTHER_ONE = re.compile(
    r"(ほか|他|別|べつ)の(方法|ほうほう|やり方|やりかた|受け取り方|うけとりかた|)(に|で)(する|して|したい|します|お願い|おねがい)"
)


def another_way_unnamed(tracker: Tracker) -> bool:
    """At the connection ID's final question, another way asked for without naming it: the way is asked again."""
    text = tracker.latest_message.get("text") or ""
    return _chooses_at_the_end(tracker, text) and bool(_ANOTHER_ONE.search(fold(text))) and way_named(text) is None


def way_named(text: str) -> str | None:
    """The one way to receive the connection ID a message names — after 「…じゃなくて」 when it has one — and does
    not turn down right after it (「SMSは要らない」); None for none or two."""
    said = INSTEAD_OF.split(text)[-1]
    ids = [range(found.start, found.end) for found in find_values(said)]
    named = [
        found
        for found in find_choices(said)
        if found.entity == "delivery_method" and not any(found.start in span for span in ids)
    ]
    if len({found.value for found in named}) != 1:
        return None
    if NEGATED.search(fold(said[named[-1].end :])[:_NEAR]):
        return None  # 「SMSは要らないです」「マイページだとまだ登録してないので」
    return str(named[0].value)


def way_requested(text: str) -> str | None:
    """The one way a request names (「郵送で送ってもらうことはできますか」「郵送で送って 説明はいいから」), not one asked
    about (its cost or days) nor turned down right after its name (way_named: 「SMSで送らないで」)."""
    if not CHOOSES.search(fold(text)) or asks_of_a_way(text):
        return None
    return way_named(text)
