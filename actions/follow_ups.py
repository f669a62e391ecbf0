"""Reading a message against the topic just discussed: follow-ups and two questions in one.

「それって前のアドレスに来たメールはどうなりますか」 right after the answer about changing the OCN ID
is about that answer's help-page section, whatever the classifier says; so is 「Gmailでもいいの？」.
Each fact below is one sentence of the help page, answered by its own short response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

from ocn_ids.answers import (
    ACKNOWLEDGED,
    ACKNOWLEDGES_OR_TURNS_AWAY,
    ANOTHER_WAY,
    AROUND_AN_OPERATION,
    ASKS_HOW_THEY_DIFFER,
    ASKS_SOMETHING,
    CHANGE_WORDS,
    DECLINES_IT,
    DENIED,
    FOLLOW_UP_MARKERS,
    FORGOT_WORDS,
    HOW_ABOUT_IT,
    KNOWS_CURRENT,
    KNOWS_IT,
    LOOK_UP_WORDS,
    NAMED_IDS,
    NEXT_QUESTION,
    NOT_ABOUT_THE_ANSWER,
    NOT_THIS_BUT,
    OBLIGATION,
    ONLY_PARTICLES,
    OTHER_OWNERS,
    OTHER_THINGS,
    PART_ASKS,
    PART_STATES_ONLY,
    PASSWORD_WORDS,
    QUESTION_FORM,
    QUESTION_MARK,
    QUESTION_WORDS,
    SAME_ID_AGAIN,
    THE_ID_ALONE,
    THE_ID_ITSELF,
    THE_SAME_OF_IT,
    TOPIC_KEYWORDS,
    TWO_IDS_JOINED,
    VALUE_OR_ID_WORD,
    WHERE_IS_IT,
    WHY_NOT,
    fold,
    forgets_the_current_password,
    names_another_service,
    names_the_bot,
    says_goodbye,
    thanks_in,
)
from ocn_ids.normalize import without_slips
from ocn_ids.parse import find_choices, named_id_types


@dataclass(frozen=True)
class Fact:
    response: str  # domain.yml response that states the fact
    subject: str  # the ID it is about (an id_type)
    keywords: tuple[str, ...]  # words of a follow-up that asks about it
    # The help-page topic whose answer states this fact, with more (the customer number's change: the answer adds
    # where the number is found): that answer is given instead.
    topic: str | None = None


_OTHER_ADDRESS = Fact(
    "utter_fact_ocn_id_other_address",
    "ocn_id",
    ("gmail", "yahoo", "icloud", "outlook", "hotmail", "ocn以外", "ほかのアドレス", "他のアドレス", "フリーメール", "携帯のアドレス", "別のアドレス"),
)  # fmt: skip
_APP_SETTINGS = Fact(
    "utter_fact_mail_app_settings",
    "ocn_id",
    (
        "アプリ",
        "アフリ",
        "あぷり",
        "メールソフト",
        "めーるそふと",
        "スマホ",
        "iphone",
        "android",
        "outlook",
        "thunderbird",
        "設定し直",
        "設定も",
        "メールの画面",
    ),  # アフリ: the flick slip of アプリ; 「パソコンに入っているメールの画面」: an older customer's mail app
)
_CONNECTION_ID_IS_NOT_MAIL = Fact(
    "utter_fact_connection_id_not_mail",
    "connection_id",
    ("メールアドレスなの", "メールアドレスですか", "メールアドレスとして", "メールに使", "@", "アットマーク", "送受信"),
)
_NO_CHANGE_CUSTOMER_NUMBER = Fact(
    "utter_fact_customer_number_fixed", "customer_number", ("変更", "変え", "変わ"), topic="change_customer_number"
)

# The facts of each topic's help-page section, in the order they are tried.
FOLLOW_UPS: dict[str, tuple[Fact, ...]] = {
    "change_ocn_id": (
        Fact(
            "utter_fact_change_ocn_id_forwarding",
            "ocn_id",
            ("前のアドレス", "まえのアドレス", "前のメール", "変更前", "古いアドレス", "元のアドレス", "今までのアドレス", "来たメール", "きたメール", "届いたメール", "転送", "届く"),
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
    if thanks_in(folded) and not (QUESTION_MARK.search(text) or QUESTION_WORDS.search(folded)):
        return None  # 「転送されるのですね。ご丁寧にありがとうございます」: the fact taken in, with thanks
    if OTHER_THINGS.search(folded):
        return None  # 「スマホのアプリでログイン履歴は見られますか」: another thing's question, not the fact's
    return _fact_named(facts, topic in _ABOUT_ALL_IDS, folded)


def fact_asked_outright(topic: str | None, text: str) -> Fact | None:
    """A question on a fact of the topic, however long: at 「…よろしいですか？」 of its procedure (「再設定したら
    メールソフトのほうも変えないといけないですか」, answered before the yes is asked again), or right after its answer
    (「孫がパソコンに入れてくれたメールソフトにも何か致さねばならないのでしょうか」). A device named alone
    (「スマホに届くんですか」) asks where the link goes, not about the mail app's settings. Right after an answer the
    caller also checks that the classifier could not place it and that it names no other thing
    (answer_follow_up in actions/replies.py)."""
    facts = FOLLOW_UPS.get(topic or "")
    folded = fold(text)
    asked = QUESTION_MARK.search(text) or ASKS_SOMETHING.search(folded) or OBLIGATION.search(folded)
    if not facts or text.startswith("/") or not asked:
        return None
    for device in _DEVICES:
        folded = folded.replace(fold(device), "")
    # The ID's own facts only of that ID named (「郵送に変更できますか」 asks about the sending, not the number).
    named = _ids_named_by_name(folded)
    facts = tuple(fact for fact in facts if fact is _APP_SETTINGS or fact.subject in named)
    return _fact_named(facts, topic in _ABOUT_ALL_IDS, folded)


_DEVICES = ("スマホ", "iphone", "android")


def fact_of_any_topic(text: str) -> Fact | None:
    """A fact of any topic's section whose words the message uses (「前のアドレスのメールはどれくらい転送されますか」
    at another procedure's confirmation: the forwarding's 約2日間), for a question the caller found to be one."""
    folded = fold(text)
    return next(
        (fact for topic, facts in FOLLOW_UPS.items() if (fact := _fact_named(facts, topic in _ABOUT_ALL_IDS, folded))),
        None,
    )


def _fact_named(facts: tuple[Fact, ...], about_all_ids: bool, folded: str) -> Fact | None:
    """The first fact whose words the folded message uses (about an ID it names, if it names any)."""
    named = _ids_named_by_name(folded)
    for fact in facts:
        if (named or about_all_ids) and fact.subject not in named:
            continue
        if any(fold(word) in folded for word in fact.keywords):
            return fact
        if any(without_slips(fold(word)) in without_slips(folded) for word in fact.keywords if len(word) > 3):
            return fact  # 「まえのあとれすにきたメール」: flick slips (long words only: short ones slip into others)
    return None


# --- another way to the same thing -----------------------------------------------------------------------
# Topics whose answer names more than My Page (the letter, the ways of receiving) or has a chat procedure: the
# answer again is the other way. (Others, such as a change on My Page, have none the page names.)
_OTHER_WAYS_IN_THE_ANSWER = {"check_customer_number", "check_connection_id"}


def another_way_asked(topic: str | None, said_before: list[str], text: str, has_procedure: bool) -> str | None:
    """The topic just answered, when the message asks for another way to it (「マイページ以外で調べる方法ってない
    ですか」) and names no other ID: its answer again lists the other ways and offers the chat procedure."""
    if not topic or f"utter_answer_{topic}" not in said_before or text.startswith("/"):
        return None
    if not (has_procedure or topic in _OTHER_WAYS_IN_THE_ANSWER) or not ANOTHER_WAY.search(fold(text)):
        return None
    own, named = _ID_OF_TOPIC.get(topic), named_id_types(text)
    return None if named and own not in named else topic


# --- an unclear follow-up on the topic just answered -------------------------------------------------
# How far down the classifier's ranking the topic just answered may be, and how likely it must still be.
_FOLLOW_UP_CANDIDATES = 2
_FOLLOW_UP_FLOOR = 0.1


def topic_asked_again(topic: str | None, said_before: list[str], ranking: list[dict], text: str = "") -> str | None:
    """The topic just answered, when an unclear message right after its answer still has it among the
    classifier's likeliest readings (「それってどこからですか」 after 「OCN IDの変更」: unsure, but the topic
    is near the top): the customer is asking about it again, not about the other guesses. Not when the message
    names another ID and not the topic's own (「お客さま晩号は？」 after the OCN ID's answer)."""
    if not topic or f"utter_answer_{topic}" not in said_before:
        return None
    named = named_id_types(text)
    own = _ID_OF_TOPIC.get(topic) or _PASSWORDS_ONLY.get(topic)
    if own and named and own not in named:
        return None
    ranked = [item for item in ranking if item.get("name") != "nlu_fallback"][:_FOLLOW_UP_CANDIDATES]
    likely = any(
        item.get("name") == topic and float(item.get("confidence") or 0) >= _FOLLOW_UP_FLOOR for item in ranked
    )
    return topic if likely else None


# --- a bare follow-up on the answer just given --------------------------------------------------------------
_BARE_FOLLOW_UP_CHARS = 30
# Readings this likely say the message may well be something else: off-topic (「請求はどこに聞けば」) or a
# request for a person. ("Are you a bot?" must name the bot: short questions are often read so, 「何いる？」.)
_OTHER_READING_FLOORS = {"out_of_scope": 0.35, "request_human": 0.2}
# Topics a follow-up cannot be read against: no answer of their own, or about all three IDs (a follow-up to
# 「IDの種類と違い」 asks about one of them).
_NO_ANSWER_OF_ITS_OWN = {"out_of_scope", "request_human", "forgot_password", "ask_id_types"}


def bare_follow_up(topic: str | None, said_before: list[str], text: str, ranking: list[dict]) -> str | None:
    """The topic just answered, when a short question right after its answer that the classifier could not
    place names nothing of its own: no ID, number, password, other thing or service, no turn to something
    else (「何がいるの？」「再発行は？」 after their answers). It can only ask about that answer; the answer
    again is introduced as such (utter_topic_again), so a customer who meant something else is told to say
    it in other words. Once only (faq_actions.clarify): after an answer given again no reading gives it a
    third time; the next unclear message gets the contact links and the button to a person."""
    # Right after its answer, or after the warning a password typed in reply to it got (「じゃあどうすりゃいいんだよ」).
    answered = f"utter_answer_{topic}" in said_before or "utter_password_not_in_chat" in said_before
    if not topic or topic in _NO_ANSWER_OF_ITS_OWN or not answered:
        return None
    folded = fold(text)
    if not folded or len(folded) > _BARE_FOLLOW_UP_CHARS or text.startswith("/"):
        return None
    if not (QUESTION_MARK.search(text) or ASKS_SOMETHING.search(folded)):
        return None
    plain = without_slips(folded)
    names_something = (
        any(found.entity == "id_type" for found in find_choices(text))
        or VALUE_OR_ID_WORD.search(folded)
        or PASSWORD_WORDS.search(folded)
        or OTHER_THINGS.search(folded)
        or ACKNOWLEDGES_OR_TURNS_AWAY.search(plain)
        or NOT_ABOUT_THE_ANSWER.search(plain)
        or names_another_service(text)
        or names_the_bot(text)
    )
    if names_something or _another_reading_is_likely(ranking):
        return None
    # 「で確認は？」 after the customer number's change: another operation of the same ID is that topic.
    operation, id_type = asked_operation(text, topic), id_of_topic(topic)
    other = TOPIC_OF_ID.get(id_type or "", {}).get(operation) if operation and id_type else None
    return other or topic


def _another_reading_is_likely(ranking: list[dict]) -> bool:
    """Off-topic or a person read likely enough: not a question about the answer."""
    return any(
        float(item.get("confidence") or 0) >= floor
        for item in ranking
        if (floor := _OTHER_READING_FLOORS.get(str(item.get("name")))) is not None
    )


# --- 「なんで？」 after a refusal ---------------------------------------------------------------------------
_REFUSALS = {"change_customer_number", "change_connection_id"}  # answers that say 「変更できません」
_SHORT_WHY = 12


def asked_why_not(topic: str | None, said_before: list[str], text: str) -> str | None:
    """The refusal just given, when a short unclear reply asks why or whether it is really so (「なんで？」
    「むり？」 after 「接続用IDは変更できません」): the same answer again, not a choice of topics."""
    folded = fold(text)
    if topic not in _REFUSALS or f"utter_answer_{topic}" not in said_before or len(folded) > _SHORT_WHY:
        return None
    return topic if WHY_NOT.search(folded) else None


# --- another question about the ID just discussed ------------------------------------------------------
# 「パスワードは？」「じゃあ変えられる？」「どこで見るの」 name no ID; right after an answer about one ID they ask
# about that ID (a person at the desk would not ask back): what they ask, with the ID of the answer just
# given, is a help-page topic. The connection ID's answer covers its forgotten password.
Operation = Literal["check", "change", "password_forgotten", "password_change"]
TOPIC_OF_ID: dict[str, dict[Operation, str]] = {
    "customer_number": {"check": "check_customer_number", "change": "change_customer_number"},
    "ocn_id": {
        "check": "check_ocn_id",
        "change": "change_ocn_id",
        "password_forgotten": "forgot_ocn_id_password",
        "password_change": "change_ocn_id_password",
    },
    "connection_id": {
        "check": "check_connection_id",
        "change": "change_connection_id",
        "password_forgotten": "check_connection_id",
        "password_change": "change_connection_id_password",
    },
}
_ID_OF_TOPIC = {topic: id_type for id_type, topics in TOPIC_OF_ID.items() for topic in topics.values()}
# After the login history only a password question is the OCN ID's (「履歴見れる？」 is the history again).
_PASSWORDS_ONLY = {"check_login_history": "ocn_id"}


def id_of_topic(topic: str | None) -> str | None:
    """The ID a topic is about (the login history's: the OCN ID); None for a topic of no one ID."""
    return _ID_OF_TOPIC.get(topic or "") or _PASSWORDS_ONLY.get(topic or "")


_PASSWORD_TOPICS = {"forgot_ocn_id_password", "change_ocn_id_password", "change_connection_id_password"}
_CHANGE_TOPICS = {"change_customer_number", "change_ocn_id", "change_ocn_id_password", "change_connection_id",
                  "change_connection_id_password"}  # fmt: skip
ID_NAMES = {
    "customer_number": "お客さま番号",
    "ocn_id": "OCN ID（OCNメールアドレス）",
    "connection_id": "OCN接続用ID（認証ID）",
}
# What the classifier may have made of such a question: the IDs' own topics (the wrong ID guessed), a
# password that names no ID, or nothing sure. A confident other topic (履歴, dアカウント) is its own question.
READS_AS_ID_QUESTION = frozenset(_ID_OF_TOPIC) | {"forgot_password", "ask_id_types", "nlu_fallback"}
# 「パスワードは？」: a bare password question; a longer one that says neither forgotten nor change (「今のIDと
# パスワードを紙で送っていただけますか」) asks to receive it, like a forgotten one.
_BARE_QUESTION_CHARS = 12


def offered_topics_that_fit(text: str, offered: list[str]) -> list[str]:
    """「確認したいです」「OCN IDのほう」 right after the bot asked which topic with buttons: the offered topics
    (in their order) that the ID and the operation the message names fit; [] when it names neither. Several
    when it names an operation and no ID (「確認したいです」 to the three IDs' look-ups)."""
    folded = fold(text)
    if OTHER_OWNERS.search(folded) or names_another_service(text) or DECLINES_IT.search(folded):
        return []  # 「スマホのパスワード」「暗証番号」「ルーターの…」, 「確認しなくていい」: none of the buttons
    said = any(words.search(folded) for words in (LOOK_UP_WORDS, CHANGE_WORDS, FORGOT_WORDS, KNOWS_CURRENT))
    operation = asked_operation(text, "") if said else None  # 「パスワード」 alone says neither
    named = named_id_types(text)
    bare = not (QUESTION_MARK.search(text) or PASSWORD_WORDS.search(folded)) and len(folded) <= _BARE_QUESTION_CHARS
    if operation is None and not (named and bare):
        # An ID alone only as a short reply (「OCN IDのほう」), not 「OCN IDってなに？」「メールのパスワード」.
        return []
    fits = (
        topic
        for topic in offered
        if topic in _ID_OF_TOPIC
        and (not named or _ID_OF_TOPIC[topic] in named)
        and (operation is None or TOPIC_OF_ID[_ID_OF_TOPIC[topic]].get(operation) == topic)
    )
    return list(dict.fromkeys(fits))


# Longer than this, a message that names an operation and no ID says more than which operation.
_OPERATION_ALONE_CHARS = 25


def topics_of_an_operation_alone(text: str) -> list[str]:
    """「確認方法を教えてください」「パスワードを変えたい」: an operation (a look-up, a change, a password's change)
    of no ID it names: the topics of that operation for each ID that has it; [] when it names an ID, another
    thing or service, or no operation (a forgotten password is asked apart: which password)."""
    folded = fold(text)
    if len(folded) > _OPERATION_ALONE_CHARS or named_id_types(text) or text.startswith("/"):
        return []
    if OTHER_OWNERS.search(folded) or names_another_service(text) or DECLINES_IT.search(folded):
        return []
    operation = asked_operation(text, "")
    if operation not in ("check", "change", "password_change") or _says_what_of(folded):
        return []
    return list(dict.fromkeys(topics[operation] for topics in TOPIC_OF_ID.values() if operation in topics))


def _ids_named_by_name(folded: str) -> set[str]:
    """The IDs a folded message names by their names (not 「メール」 of 「メールソフト」: NAMED_IDS)."""
    return {id_type for id_type, words in NAMED_IDS.items() if any(fold(w) in folded for w in words)}


def topic_the_words_correct(shown: str | None, text: str) -> str | None:
    """The topic a message states in words (one ID named by its name, and what of it: 「接続用IDのパスワードも
    変えた方がいいですか」) when the help-page section found for it is another topic of the same ID (「接続用IDは
    変更できません」); None when the words state none or agree."""
    folded = fold(text)
    by_name = _ids_named_by_name(folded)
    if len(by_name) != 1 or OTHER_THINGS.search(folded) or names_another_service(text):
        return None
    (id_type,) = by_name
    if KNOWS_CURRENT.search(folded) or NOT_THIS_BUT.search(folded):
        return None  # 「…確認したい、パスワードはわかっています」「変えたいのではなく…」: the words do not state one
    operation = asked_operation(_the_sentence_that_asks(text), "")
    stated = TOPIC_OF_ID[id_type].get(operation) if operation else None
    return stated if stated and shown != stated and id_of_topic(shown) == id_type else None


def _the_sentence_that_asks(text: str) -> str:
    """The first sentence with a question in it (「…変えることはできますでしょうか。近所の人に見られてしまった気が
    して」: the change is asked, the look is told), else the whole text."""
    sentences = [part for part in re.split(r"(?<=[。．！!？?])|\n", text) if part and part.strip()]
    asking = [part for part in sentences if QUESTION_MARK.search(part) or QUESTION_FORM.search(fold(part))]
    return asking[0] if asking else text


def _says_what_of(folded: str) -> bool:
    """Something is left when the operation, the password, a way to do it and the words of a request are
    taken away (「契約内容を確認したい」「届いたか確認したい」): the operation is of that, not of an ID."""
    for words in (CHANGE_WORDS, LOOK_UP_WORDS, AROUND_AN_OPERATION):
        folded = words.sub("", folded)
    return bool(folded)


# A password's change asked for by a customer who says the current one is forgotten: the page's way without it
# (the OCN ID's reset; the connection ID's password looked up).
_FORGOTTEN_INSTEAD_OF_CHANGE = {
    "change_ocn_id_password": "forgot_ocn_id_password",
    "change_connection_id_password": "check_connection_id",
}


def forgotten_instead_of_change(topic: str | None, text: str) -> str | None:
    """「メールのパスワードを変えたいんだけど今のがなんだったか忘れちゃって」 read as the password's change: the
    topic for a forgotten one, else None."""
    instead = _FORGOTTEN_INSTEAD_OF_CHANGE.get(topic or "")
    # Not 「やり方がわかりません」「不明なログインがあったから」, nor undone: 「…今のはわかってる」.
    forgotten = forgets_the_current_password(text) and not KNOWS_IT.search(fold(text))
    return instead if instead and forgotten else None


def asked_operation(text: str, previous_topic: str) -> Operation | None:
    """What a message asks about an ID it does not name: to look it up, to change it, or its password
    (forgotten, or known and to be changed); a bare 「パスワードは？」 asks what the answer just given
    asked of the ID (changing it: its password's change). None when it names another thing (the history,
    the code, Wi-Fi) or says the operation only to deny it (「変えたくない」)."""
    folded = _UNKNOWN_THING.sub("", fold(text))  # 「知らないログインがあったら…」: nothing forgotten
    if OTHER_THINGS.search(folded):
        return None
    if _said(PASSWORD_WORDS, folded):
        if _said(FORGOT_WORDS, folded):
            return "password_forgotten"
        if KNOWS_CURRENT.search(folded) or _said(CHANGE_WORDS, folded):
            return "password_change"
        if FORGOT_WORDS.search(folded):
            return None  # 「パスワードは忘れてません」
        bare = len(folded) <= _BARE_QUESTION_CHARS
        return "password_change" if bare and previous_topic in _CHANGE_TOPICS else "password_forgotten"
    if previous_topic in _PASSWORD_TOPICS and len(folded) <= _BARE_QUESTION_CHARS:
        # 「今の不明」「今の わかる」 right after a password's answer: whether the current one is known.
        if _said(FORGOT_WORDS, folded):
            return "password_forgotten"
        if KNOWS_CURRENT.search(folded):
            return "password_change"
    # Both (「変えらんないとか不便。じゃあどこで確認すんの」): the question comes last.
    change, check = _last_match(CHANGE_WORDS, folded), _last_match(LOOK_UP_WORDS, folded)
    if change is None and check is None:
        return None
    return "change" if check is None or (change is not None and change > check) else "check"


# Something unknown to the customer, not forgotten (folded).
_UNKNOWN_THING = re.compile(r"(知らな|しらな)い(ろぐいん|あくせす|場所|ばしょ|ところ|端末|たんまつ|人|ひと)")


def _said(words: re.Pattern[str], text: str) -> bool:
    """One of the words, not denied right after it (「忘れてません」「変えたくない」)."""
    return any(not DENIED.match(text[found.end() :]) for found in words.finditer(text))


def _last_match(words: re.Pattern[str], text: str) -> int | None:
    found = [match.start() for match in words.finditer(text) if not DENIED.match(text[match.end() :])]
    return found[-1] if found else None


class IdQuestion(NamedTuple):
    topic: str  # the help-page topic it asks
    id_type: str
    operation: Operation


def topic_of_the_id_in_context(
    topic: str | None, said_before: list[str], text: str, unsure: bool = False, unsaid: Operation | None = None
) -> IdQuestion | None:
    """The help-page topic a message asks about the ID whose answer the bot has just given, when it names
    no ID itself (or, when the classifier could not place it, names one: 「じゃあメールに使うのはOCN IDですね。
    自分のはどこで見られますか」 after the three IDs); None when the last answer was about no one ID (or two),
    or the message asks nothing of an ID. `unsaid`: the operation the classifier read when the words do not
    say one (「忘れちゃった」 read as a forgotten password)."""
    # A fact on the topic (「メールソフトの設定も変更が必要です」) keeps the topic its answer set.
    after_a_fact = any(name.startswith("utter_fact_") for name in said_before)
    if not topic or not (f"utter_answer_{topic}" in said_before or after_a_fact) or text.startswith("/"):
        return None
    named = named_id_types(text)
    if again := _one_of_two_answers_again(said_before, named, text):
        return again
    other_id = _the_same_of_another_id(topic, named, text)
    if other_id:
        id_type = other_id
    elif named:
        # Only an ID named by its name (not 「メール」 of 「メールソフト」) is taken over from the classifier.
        by_name = _ids_named_by_name(fold(text))
        if not unsure or len(by_name) != 1 or (topic not in _ID_OF_TOPIC and topic not in _ABOUT_ALL_IDS):
            return None  # it names an ID: the classifier had what it needs
        (id_type,) = by_name
    else:
        id_type = _ID_OF_TOPIC.get(topic) or _PASSWORDS_ONLY.get(topic) or ""
        answered = {name.removeprefix("utter_answer_") for name in said_before if name.startswith("utter_answer_")}
        if not id_type or (answered and {_ID_OF_TOPIC.get(a) or _PASSWORDS_ONLY.get(a) for a in answered} != {id_type}):
            return None  # about no one ID, or two questions about different IDs were just answered
    operation = asked_operation(text, topic) or (None if OTHER_THINGS.search(fold(text)) else unsaid)
    if other_id and operation is None:
        operation = _OPERATION_OF.get(topic)  # 「接続のほう」: what was just asked, of the ID it names
    if operation is None and topic in _ABOUT_ALL_IDS and not after_a_fact and _names_one_id_alone(named, text):
        # 「認証IDは？」 right after the three IDs' answer: where that one is found, not its section guessed (after a
        # fact, 「お客さま番号は変更できません」, 「接続用IDも？」 asks the fact's question of it).
        operation = "check"
    if operation == "change" and topic in _PASSWORD_TOPICS and not named and not THE_ID_ITSELF.search(fold(text)):
        operation = "password_change"  # 「で、変え方は？」 after a password's answer: the password's
    if operation is None and topic in _PASSWORD_TOPICS and _asks_for_the_id_alone(text):
        operation = "change" if topic in _CHANGE_TOPICS else "check"  # 「IDは？」: the same, of the ID itself
    if topic in _PASSWORDS_ONLY and operation not in ("password_forgotten", "password_change"):
        return None
    asked = TOPIC_OF_ID[id_type].get(operation) if operation else None
    return IdQuestion(asked, id_type, operation) if asked and operation else None


def _names_one_id_alone(named: set[str], text: str) -> bool:
    """「認証IDは？」「接続用IDのほう」: one ID's name and nothing else asked of it (not 「認証IDは何桁？」「…必要？」)."""
    if len(named) != 1 or len(fold(text)) > _BARE_QUESTION_CHARS:
        return False
    rest = text
    for found in sorted(find_choices(text), key=lambda found: found.start, reverse=True):
        if found.entity == "id_type":
            rest = rest[: found.start] + rest[found.end :]
    return bool(ONLY_PARTICLES.fullmatch(fold(rest).strip()))


def _asks_for_the_id_alone(text: str) -> bool:
    """「IDは？」 right after a password's answer: a bare question of the ID, naming no other."""
    return bool(THE_ID_ALONE.fullmatch(fold(text)))


# 「接続のほう」「OCN IDは？」「お客さま番号も」 right after an answer about another ID: the same question of the
# ID it names (what each topic asks of its ID: the first operation TOPIC_OF_ID gives it).
_OPERATION_OF: dict[str, Operation] = {
    topic: operation for operations in TOPIC_OF_ID.values() for operation, topic in reversed(operations.items())
}


def _confirms_the_sections_id(
    topic: str | None, said_before: list[str], named: set[str], text: str
) -> IdQuestion | None:
    """「メールの方です」 right after the help-page section the bot chose for a question it could not place (a guess,
    「OCNのパスワードがわからなくなった」): the ID that section was about, confirmed; its answer, said to be about that
    ID (it had got 「理解できませんでした」)."""
    own = _ID_OF_TOPIC.get(topic or "")
    if "utter_help_section" not in said_before or not own or named != {own} or not _names_one_id_alone(named, text):
        return None
    operation = _OPERATION_OF.get(topic or "")
    return IdQuestion(topic, own, operation) if topic and operation else None


def _one_of_two_answers_again(said_before: list[str], named: set[str], text: str) -> IdQuestion | None:
    """「了解です。OCN IDの方はどうなりますか」 right after two questions' answers (the customer number's change and the
    OCN ID's): the answer about the ID it names, again (the customer took in one of the two)."""
    answered, asked = _answered_topics(said_before), _the_question(text)
    named = named or {id_type for word, id_type in _SHORT_NAMES.items() if word in fold(asked)}
    if len(answered) < 2 or len(named) != 1 or not _bare_how_about_it(asked):
        return None
    (id_type,) = named
    same = [topic for topic in answered if _ID_OF_TOPIC.get(topic) == id_type]
    return IdQuestion(same[0], id_type, _OPERATION_OF[same[0]]) if len(same) == 1 else None


def one_of_two_topics_again(said_before: list[str], text: str) -> str | None:
    """「dポイントの方はどうなりますか？」 right after two questions' answers (the OCN ID's change and the dアカウント
    link): the topic of the two its own words name, again (no ID named: `_one_of_two_answers_again` reads those)."""
    answered, asked = _answered_topics(said_before), _the_question(text)
    if len(answered) < 2 or named_id_types(asked) or not _bare_how_about_it(asked):
        return None
    topic = topic_named_by_its_words(asked)
    return topic if topic in answered else None


def _answered_topics(said_before: list[str]) -> list[str]:
    return [name.removeprefix("utter_answer_") for name in said_before if name.startswith("utter_answer_")]


def _the_question(text: str) -> str:
    """Up to the first question mark: 「で、番号のほうは？無視すんなよ」 asks, the complaint after it does not."""
    return re.split(r"[?？]", text)[0] or text


# An ID's name cut short, read only against the two answers just given (「番号のほうは？」 after the customer
# number's answer and another's).
_SHORT_NAMES = {"番号": "customer_number", "ばんごう": "customer_number", "晩号": "customer_number"}


def _bare_how_about_it(text: str) -> bool:
    """「…のほうは？」「…はどうなりますか」 (after 「了解です。」 too) and nothing else asked."""
    folded = HOW_ABOUT_IT.sub("", ACKNOWLEDGED.sub("", fold(text)))
    return len(folded) <= _BARE_QUESTION_CHARS and bool(THE_SAME_OF_IT.search(folded))


def _the_same_of_another_id(topic: str, named: set[str], text: str) -> str | None:
    """The one other ID than the topic's that a bare 「…のほう」「…は？」 names (also after 「了解です。」 and with 「…は
    どうなりますか」: 「了解です。OCN IDの方はどうなりますか」), else None."""
    own = _ID_OF_TOPIC.get(topic)
    if not own or len(named) != 1 or own in named or not _bare_how_about_it(text):
        return None
    return next(iter(named))


# A reading of another ID's topic this sure stands (「ログインIDを確認したい」 right after the customer number).
SURE_OF_ANOTHER_ID = 0.8
# 「どこで見る」「どうやって確認するの」 ask how, even while the offer of the look-up procedure is open.
_ASKS_HOW = re.compile(r"どこ|どう|方法|やり方|なに|何")
# 「変更できました」「わかりました」 to 「解決しましたか？」: what was done, not a new question.
_DONE = re.compile(r"(ました|でした|った|できた)$")


def id_question_in_context(
    intent: str | None, confidence: float, pending: str | None, topic: str | None, said_before: list[str], text: str
) -> IdQuestion | None:
    """The ID question a message asks in context (topic_of_the_id_in_context), unless the classifier read
    another ID's topic surely, or the message answers the open question: 「確認したいです」 to the offer of the
    look-up procedure is its yes, 「変更できました」 to 「解決しましたか？」 says it was resolved."""
    if intent == "bot_challenge" and not names_the_bot(text):
        intent = "nlu_fallback"  # 「それってなんか偏向とかできるんですか」: a question, unplaced, not about the bot
    if intent == "goodbye" and confidence < SURE_OF_ANOTHER_ID and not says_goodbye(text):
        intent = "nlu_fallback"  # 「それは どこで見られますか」 read as a goodbye at 0.36, with no word of one
    # An ID's name alone is read as "inform": only 「…のほう」 after another ID's answer is taken so.
    named = named_id_types(text)
    if intent in ("inform", "nlu_fallback") and (
        confirmed := _confirms_the_sections_id(topic, said_before, named, text)
    ):
        return confirmed
    other_id = _the_same_of_another_id(topic, named, text) if topic else None
    # 「接続用IDのほう」 after the three IDs' answer names one of them alone, as after another ID's.
    one_of_all = topic in _ABOUT_ALL_IDS and _names_one_id_alone(named, text)
    named_alone = intent == "inform" and (other_id is not None or one_of_all)
    if not named_alone and (
        intent not in READS_AS_ID_QUESTION or (intent in _ID_OF_TOPIC and confidence >= SURE_OF_ANOTHER_ID)
    ):
        return None
    unsaid: Operation | None = "password_forgotten" if intent == "forgot_password" else None
    asked = topic_of_the_id_in_context(
        topic, said_before, text, unsure=intent == "nlu_fallback" or named_alone, unsaid=unsaid
    )
    if asked is None or asked.topic == intent:
        return None
    if pending == "offer_procedure" and asked.operation == "check" and not (other_id or _ASKS_HOW.search(fold(text))):
        return None  # 「確認したいです」: the offer's yes (「接続のほう」 names another ID than the offer's)
    if pending == "survey" and not asked.operation.startswith("password") and _DONE.search(fold(text)):
        return None
    return asked


# --- two questions in one message ----------------------------------------------------------------------
_BOTH = re.compile(r"両方|どちらも|どっちも|も.{0,20}も|それと|あと")
_PASSWORD = re.compile(r"パスワード|ぱすわーど|pw|pass")
# Only "I lost / want to know both": the answers for finding an ID or password (not for changing them).
_NOT_KNOWING = re.compile(r"わから|分から|忘れ|知りたい|確認|教えて|不明|調べ|しらべ|どこ")
_ID_TOPICS = {
    "customer_number": "check_customer_number",
    "ocn_id": "check_ocn_id",
    "connection_id": "check_connection_id",
}


def two_topics(text: str) -> list[str]:
    """Two help-page topics a message asks about at once (「OCN IDもパスワードも両方わからない」), in the
    order it names them; [] when it asks about one thing."""
    word = fold(text)
    two_ids = bool(TWO_IDS_JOINED.search(word)) and not ASKS_HOW_THEY_DIFFER.search(word)
    if text.startswith("/") or not (_BOTH.search(text) or two_ids) or not _NOT_KNOWING.search(text):
        return []
    topics: list[str] = []
    for found in find_choices(text):
        if found.entity == "id_type" and _ID_TOPICS[found.value] not in topics:
            topics.append(_ID_TOPICS[found.value])
    if _PASSWORD.search(text.lower()) and "check_connection_id" not in topics:
        topics.append("forgot_ocn_id_password")  # the connection ID's answer already covers its password
    return topics[:2] if len(topics) >= 2 else []


def topics_clause_by_clause(text: str) -> list[str]:
    """Two help-page topics asked in two parts of one message, each naming one ID and what of it (「お客さま番号って
    変えられますか？あとOCN IDも変えたいんですけど」: the customer number's change, then the OCN ID's), in the order
    asked; [] otherwise."""
    if text.startswith("/"):
        return []
    topics: list[str] = []
    parts = NEXT_QUESTION.split(text)  # [part, separator, part, separator, …]
    before: set[str] = set()  # the IDs the part before named
    for clause, after in zip(parts[::2], [*parts[1::2], ""], strict=True):
        folded = fold(clause + after)
        named = named_id_types(clause)
        # 「お客さま番号変えれる？」: a question mark asks (fold drops it); 「…見れば分かりますでしょうか」 states nothing.
        questioned = "?" in after or "？" in after or folded.endswith("か")
        if not (PART_ASKS.search(folded) or questioned) or (PART_STATES_ONLY.search(folded) and not questioned):
            before = named or before
            continue  # 「お客さま番号は確認済みです」: said, not asked
        for topic in _topics_of_the_part(clause, named, before):
            if topic not in topics:
                topics.append(topic)
        before = named or before
    return topics[:2] if len(topics) >= 2 else []


def _topics_of_the_part(clause: str, named: set[str], before: set[str]) -> list[str]:
    """The topics one part asks: one (_topic_of_the_part), or two IDs joined with one operation asked of both
    (「OCN IDや接続用IDって、あとから変えられるんでしょうか」: each one's change, in the order named)."""
    word = fold(clause)
    if len(named) == 2 and TWO_IDS_JOINED.search(word) and not ASKS_HOW_THEY_DIFFER.search(word):
        operation = asked_operation(clause, "")
        in_order = [f.value for f in find_choices(clause) if f.entity == "id_type"]
        found = [TOPIC_OF_ID[id_type].get(operation) for id_type in dict.fromkeys(in_order)] if operation else []
        return [topic for topic in found if topic]
    topic = _topic_of_the_part(clause, named, before)
    return [topic] if topic else []


def topic_named_by_its_words(text: str) -> str | None:
    """The page's topic a text names by its own words, with no ID (「マイヘージって登録いるの」「dアカウントのやつ」;
    `ocn_ids.answers.TOPIC_KEYWORDS`, compared without slips)."""
    plain = without_slips(fold(text))
    return next((topic for topic, words in TOPIC_KEYWORDS if words.search(plain)), None)


def _topic_of_the_part(clause: str, named: set[str], before: set[str]) -> str | None:
    """The topic one part asks: its one ID and what of it; with no ID named, the ID of the part before when it
    points back (「あと番号自体を変えることって…」), else a topic named by its own words (「マイページって登録いるの」)."""
    by_its_words = topic_named_by_its_words(clause)
    if not named and len(before) == 1 and SAME_ID_AGAIN.search(fold(clause)):
        named = before
    elif not named and len(before) == 1 and not by_its_words and asked_operation(clause, ""):
        named = before  # 「お客さま番号ってどこで見れる？あと変更ってできる？」: an operation alone, of the same ID
    if not named:
        return by_its_words
    operation = asked_operation(clause, "") if len(named) == 1 else None
    if operation is None and len(named) == 1 and WHERE_IS_IT.search(fold(clause)):
        operation = "check"  # 「お客さま番号ってどこ？」: where to see it
    return TOPIC_OF_ID[next(iter(named))].get(operation) if operation else None
