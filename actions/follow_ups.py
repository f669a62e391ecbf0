"""Reading a message against the topic just discussed: follow-ups and two questions in one.

「それって前のアドレスに来たメールはどうなりますか」 right after the answer about changing the OCN ID
is about that answer's help-page section, whatever the classifier says; so is 「Gmailでもいいの？」.
Each fact below is one sentence of the help page, answered by its own short response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocn_ids.answers import FOLLOW_UP_MARKERS, NAMED_IDS, fold
from ocn_ids.parse import find_choices


@dataclass(frozen=True)
class Fact:
    response: str  # domain.yml response that states the fact
    subject: str  # the ID it is about (an id_type)
    keywords: tuple[str, ...]  # words of a follow-up that asks about it


_OTHER_ADDRESS = Fact(
    "utter_fact_ocn_id_other_address",
    "ocn_id",
    ("gmail", "yahoo", "icloud", "outlook", "hotmail", "ocn以外", "ほかのアドレス", "他のアドレス", "フリーメール", "携帯のアドレス", "別のアドレス"),
)  # fmt: skip
_APP_SETTINGS = Fact(
    "utter_fact_mail_app_settings",
    "ocn_id",
    ("アプリ", "メールソフト", "スマホ", "iphone", "android", "outlook", "thunderbird", "設定し直", "設定も"),
)
_CONNECTION_ID_IS_NOT_MAIL = Fact(
    "utter_fact_connection_id_not_mail",
    "connection_id",
    ("メールアドレスなの", "メールアドレスですか", "メールアドレスとして", "メールに使", "@", "アットマーク", "送受信"),
)
_NO_CHANGE_CUSTOMER_NUMBER = Fact("utter_fact_customer_number_fixed", "customer_number", ("変更", "変え", "変わ"))

# The facts of each topic's help-page section, in the order they are tried.
FOLLOW_UPS: dict[str, tuple[Fact, ...]] = {
    "change_ocn_id": (
        Fact(
            "utter_fact_change_ocn_id_forwarding",
            "ocn_id",
            ("前のアドレス", "前のメール", "変更前", "古いアドレス", "元のアドレス", "今までのアドレス", "来たメール", "届いたメール", "転送", "届く"),
        ),
        _OTHER_ADDRESS,
        _APP_SETTINGS,
    ),
    "check_ocn_id": (_OTHER_ADDRESS,),
    "ask_id_types": (_OTHER_ADDRESS, _CONNECTION_ID_IS_NOT_MAIL, _NO_CHANGE_CUSTOMER_NUMBER),
    "forgot_ocn_id_password": (_APP_SETTINGS,),
    "change_ocn_id_password": (_APP_SETTINGS,),
    "check_connection_id": (_CONNECTION_ID_IS_NOT_MAIL,),
    "check_customer_number": (_NO_CHANGE_CUSTOMER_NUMBER,),
}  # fmt: skip

# Every fact's response (domain.yml): a turn that started with one answered a follow-up.
FACT_RESPONSES = frozenset(fact.response for facts in FOLLOW_UPS.values() for fact in facts)

_SHORT = 25
# Topics about all three IDs: a follow-up must name the ID it asks about.
_ABOUT_ALL_IDS = {"ask_id_types"}


def follow_up_fact(topic: str | None, text: str) -> Fact | None:
    """The fact of the topic just answered that a follow-up asks about, if the message is one."""
    facts = FOLLOW_UPS.get(topic or "")
    if not facts or text.startswith("/"):
        return None
    folded = fold(text)
    if not (FOLLOW_UP_MARKERS.search(folded) or len(folded) <= _SHORT):
        return None
    named = {id_type for id_type, words in NAMED_IDS.items() if any(fold(w) in folded for w in words)}
    for fact in facts:
        if (named or topic in _ABOUT_ALL_IDS) and fact.subject not in named:
            continue
        if any(fold(word) in folded for word in fact.keywords):
            return fact
    return None


# --- an unclear follow-up on the topic just answered -------------------------------------------------
# How far down the classifier's ranking the topic just answered may be, and how likely it must still be.
_FOLLOW_UP_CANDIDATES = 2
_FOLLOW_UP_FLOOR = 0.1


def topic_asked_again(topic: str | None, said_before: list[str], ranking: list[dict]) -> str | None:
    """The topic just answered, when an unclear message right after its answer still has it among the
    classifier's likeliest readings (「それってどこからですか」 after 「OCN IDの変更」: unsure, but the topic
    is near the top): the customer is asking about it again, not about the other guesses."""
    if not topic or f"utter_answer_{topic}" not in said_before:
        return None
    ranked = [item for item in ranking if item.get("name") != "nlu_fallback"][:_FOLLOW_UP_CANDIDATES]
    likely = any(
        item.get("name") == topic and float(item.get("confidence") or 0) >= _FOLLOW_UP_FLOOR for item in ranked
    )
    return topic if likely else None


# 「パスワードを忘れた」 names no ID; right after an answer about one ID it is that ID's password (a person at the
# desk would not ask back). The connection ID's answer covers its password; the OCN ID's has its own topic.
_PASSWORD_TOPIC_OF = {
    "check_connection_id": "check_connection_id",
    "change_connection_id": "check_connection_id",
    "change_connection_id_password": "check_connection_id",
    "check_ocn_id": "forgot_ocn_id_password",
    "change_ocn_id": "forgot_ocn_id_password",
    "forgot_ocn_id_password": "forgot_ocn_id_password",
    "change_ocn_id_password": "forgot_ocn_id_password",
    "check_login_history": "forgot_ocn_id_password",
}
ID_NAME_OF_PASSWORD_TOPIC = {
    "check_connection_id": "OCN接続用ID（認証ID）",
    "forgot_ocn_id_password": "OCN ID（OCNメールアドレス）",
}


def password_topic_in_context(topic: str | None, said_before: list[str]) -> str | None:
    """The password topic of the ID whose answer the bot has just given, for a forgotten password that
    names no ID; None when the last answer was about no one ID (or was not just given), or when it answered
    two questions whose passwords differ (「接続用IDとOCN IDの両方」)."""
    if not topic or f"utter_answer_{topic}" not in said_before:
        return None
    answered = {name.removeprefix("utter_answer_") for name in said_before if name.startswith("utter_answer_")}
    passwords = {_PASSWORD_TOPIC_OF.get(answer) for answer in answered}
    return _PASSWORD_TOPIC_OF.get(topic) if len(passwords) == 1 else None


# --- two questions in one message ----------------------------------------------------------------------
_BOTH = re.compile(r"両方|どちらも|どっちも|も.{0,20}も|それと|あと")
_PASSWORD = re.compile(r"パスワード|ぱすわーど|pw|pass")
# Only "I lost / want to know both": the answers for finding an ID or password (not for changing them).
_NOT_KNOWING = re.compile(r"わから|分から|忘れ|知りたい|確認|教えて|不明")
_ID_TOPICS = {
    "customer_number": "check_customer_number",
    "ocn_id": "check_ocn_id",
    "connection_id": "check_connection_id",
}


def two_topics(text: str) -> list[str]:
    """Two help-page topics a message asks about at once (「OCN IDもパスワードも両方わからない」), in the
    order it names them; [] when it asks about one thing."""
    if text.startswith("/") or not _BOTH.search(text) or not _NOT_KNOWING.search(text):
        return []
    topics: list[str] = []
    for found in find_choices(text):
        if found.entity == "id_type" and _ID_TOPICS[found.value] not in topics:
            topics.append(_ID_TOPICS[found.value])
    if _PASSWORD.search(text.lower()) and "check_connection_id" not in topics:
        topics.append("forgot_ocn_id_password")  # the connection ID's answer already covers its password
    return topics[:2] if len(topics) >= 2 else []
