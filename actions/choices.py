"""Every question the bot asks with choices, and reading what the customer types as an answer to it.

One table per question: the buttons (actions/buttons.py) and the typed-answer reader both come
from it, so any label the customer sees is also understood when typed (in full or in part, in any
width or kana, as romaji like "sms", or as the number of the choice: 「2」「２番」).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from easy_japanese.twins import twins
from ocn_ids.answers import (
    AGREES,
    AROUND_A_NAME,
    ASKS_ABOUT_THE_BUTTON,
    CHANGE_OF_MIND,
    CHANGE_OF_MIND_SLIPPED,
    CHOICE_HEADS,
    CHOICE_NUMBER,
    CHOICE_TAILS,
    DECLINES,
    FINE,
    GO_AHEAD,
    GO_AHEAD_AT_THE_END,
    HESITATES,
    HOLDS_BACK,
    INSTEAD_OF,
    INTERNET_WORDS,
    LATER_ALONE,
    NEGATED,
    NO,
    NO_LONGER_NEEDED,
    NOT_TODAY,
    PLAIN_YES_NO,
    PUTS_OFF,
    QUESTION_FORM,
    QUESTION_MARK,
    QUESTION_WORDS,
    REQUEST_FORM,
    SAYS_YES,
    SURVEY_RESOLVED,
    SURVEY_UNRESOLVED,
    SURVEY_WORDS,
    THANKS,
    THANKS_ALONE,
    UNCLEAR,
    WAIT_A_MOMENT,
    WILL_LOOK,
    YES,
    YesNoKind,
    after_the_reason,
    asks_for_chat_procedure,
    asks_to_stop,
    courtesy_parts,
    declines_in_words,
    fold,
    in_a_requests_form,
    last_sentence,
    says_goodbye,
)
from ocn_ids.normalize import nfkc, without_slips
from ocn_ids.parse import DELIVERY_METHOD_KEYWORDS, ID_TYPE_KEYWORDS, find_choices, find_values

# An answer to a question is short; anything longer is read as a new question.
MAX_ANSWER_CHARS = 30


@dataclass(frozen=True)
class Choice:
    value: str  # what the answer means (an id_type, a procedure, a delivery method)
    title: str  # the button label
    payload: str  # what pressing the button sends
    aliases: tuple[str, ...] = ()  # other ways customers type it
    # Said only as the whole reply: part of one they mean something else (「それ」 is in 「何それ」).
    whole_reply_aliases: tuple[str, ...] = ()


def _inform(entity: str, value: str) -> str:
    return f'/inform{{"{entity}": "{value}"}}'


QUESTIONS: dict[str, tuple[Choice, ...]] = {
    "which_password": (
        Choice(
            "ocn_id",
            "OCN IDのパスワード",
            "/forgot_ocn_id_password",
            # the one to log in with: the page calls the OCN ID the common ID for logging in to OCN's services
            # (「ログインするときのやつ」); not My Page's (the page does not say which ID that login takes)
            (
                "ocn idのパスワード",
                "メールのパスワード",
                "ocnメールのパスワード",
                "ocn",
                "ログインする",
                "ログイン用",
                "ログインの",
                "ろぐいんする",
                *ID_TYPE_KEYWORDS["ocn_id"],
            ),
        ),
        Choice(
            "connection_id",
            "接続用IDのパスワード",
            "/check_connection_id",
            # the one for the internet: 「ネットのほう」「ルーターに入れるほう」「ネットつなぐ時のやつ」
            (
                "ネットにつなぐ",
                "ネットつなぐ",
                "ネット接続",
                "接続用idのパスワード",
                "認証idのパスワード",
                "接続用のパスワード",
                *ID_TYPE_KEYWORDS["connection_id"],
                *INTERNET_WORDS,
            ),
        ),
        Choice(
            "unknown",
            "わからない",
            _inform("id_type", "unknown"),
            # 「どっち？」「違いは？」: which one it is, or how they differ, is what the customer does not know
            (
                "分からない",
                "わかりません",
                "分かりません",
                "不明",
                "どっち",
                "どちら",
                "どっちかな",
                "違い",
                "違いは",
                "どう違う",
            ),
            (
                "わかんない",
                "わかんねえ",
                "わかんねー",
                "わからん",
                "分からん",
                "よくわからない",
                "知らない",
                "しらない",
                "って何",
                "ってなに",
                "何それ",
                "なにそれ",
                "見当もつきません",
                "見当がつきません",
                "見当もつかない",
                "見当がつかない",
            ),
        ),
    ),
    "procedure": (
        Choice(
            "reset_ocn_password",
            "OCN IDのパスワード再設定",
            _inform("procedure", "reset_ocn_password"),
            (
                "パスワード再設定",
                "再設定",
                "パスワード",
                "ocn idのパスワード",
                "パスワードリセット",
                "リセット",
                "password reset",
                "reset",
            ),
        ),
        Choice(
            "send_connection_id",
            "接続用IDとパスワードを受け取る",
            _inform("procedure", "send_connection_id"),
            (
                "接続用idとパスワード",
                "接続用idのパスワード",
                "接続用のパスワード",
                "接続用id",
                "接続id",
                "認証id",
                "接続用",
                "接続",
                "connection id",
            ),
        ),
        Choice(
            "send_customer_number",
            "お客さま番号を確認",
            _inform("procedure", "send_customer_number"),
            ID_TYPE_KEYWORDS["customer_number"],
        ),
        Choice(
            "send_ocn_id",
            "OCN IDを確認",
            _inform("procedure", "send_ocn_id"),
            ("ocn id", "ocnid", "ocn", "メールアドレス"),
        ),
        Choice(
            "login_history",
            "ログイン履歴を確認",
            _inform("procedure", "login_history"),
            ("ログイン履歴", "履歴", "りれき", "ログイン", "login history"),
        ),
    ),
    "delivery_method": (
        Choice(
            "sms",
            "SMSで受け取る",
            _inform("delivery_method", "sms"),
            ("エスエムエス", *DELIVERY_METHOD_KEYWORDS["sms"]),
        ),
        Choice("post", "郵送で受け取る", _inform("delivery_method", "post"), DELIVERY_METHOD_KEYWORDS["post"]),
        Choice(
            "mypage", "マイページで表示する", _inform("delivery_method", "mypage"), DELIVERY_METHOD_KEYWORDS["mypage"]
        ),
    ),
}


# --- yes / no -------------------------------------------------------------------------------------
# Whether a polite word agrees or declines depends on the question (see ocn_ids.answers.FINE).


@dataclass(frozen=True)
class YesNoQuestion:
    kind: YesNoKind
    yes_title: str = "はい"
    no_title: str = "いいえ"


YES_NO_QUESTIONS: dict[str, YesNoQuestion] = {
    "offer_procedure": YesNoQuestion("offer", "チャットで手続きする", "今はしない"),
    "offer_resend": YesNoQuestion("offer", "新しいコードを送る", "もう少し待つ"),
    "procedure_confirmed": YesNoQuestion("confirm"),
    "survey": YesNoQuestion("survey"),
}

Reading = Literal["yes", "no", "unclear"]


def read_yes_no(question: str, text: str) -> Reading | None:
    """'yes', 'no', 'unclear' (ask back), or None when the text is not a yes/no answer to this question.
    A reply wrapped in thanks or fillers (「えーと、はい、ありがとうございます」) is read word by word: its
    yes/no words decide, and if they disagree it is asked back; thanks alone to 「解決しましたか？」 is a yes."""
    asked = YES_NO_QUESTIONS.get(question)
    if asked is None:
        return None
    word = fold(text)
    if question == "offer_procedure" and (_puts_it_off(word) or _will_look_alone(word)):
        return "no"  # 「また後でやります」「はい、見てみます」 to 「チャットでのお手続きをご希望ですか？」: not now
    if question == "offer_procedure" and _NOT_NOW_BUTTON.search(word) and not says_goodbye(text):
        return "no"  # 「やっぱりいいです今はしない」「今はしないことにいたします」: the button's words in a reply
    if question == "offer_procedure" and NOT_TODAY.match(fold(last_sentence(text))):
        return "no"  # 「…娘が来たときに一緒にやってみようと思います。今日のところは結構です」
    whole = _read_word(asked, word)
    if whole is not None:
        return whole
    if asked.kind == "confirm" and len(word) <= 1:
        # 「ん」「あ」: the classifier may read a grunt as yes, and this yes changes the account.
        return "unclear"
    parts = courtesy_parts(word)
    if not parts or (asked.kind != "survey" and any(part in SURVEY_WORDS for part in parts)):
        return None
    read = [(part, reading) for part in parts if (reading := _read_word(asked, part)) is not None]
    readings = {reading for _, reading in read}
    if question == "offer_procedure" and _thanks_with_a_bare_yes(parts, read):
        return None  # 「はいどうも」 to an offer closes the answer (thanks), as 「はい、ありがとう」 is read
    declines = asked.kind != "survey"  # 「いや、大丈夫です、ありがとう」 to 「解決しましたか？」 is no unresolved
    if declines and "no" in readings and all(reading == "no" or part in DECLINES for part, reading in read):
        return "no"  # 「いいえ、けっこうです」「いや、いいです」: a no, and the words that decline politely
    if len(readings) == 1:
        return readings.pop()
    if readings:
        return "unclear"
    if asked.kind == "survey" and any(part in THANKS for part in parts):
        return "yes"
    return None


_NOT_NOW_BUTTON = re.compile(
    fold("今はしない") + "([^と]|$)|^(今|いま)はいい(です|や|よ|)$"
)  # not 「今はしないとだめ？」
_LOOKS_AHEAD = re.compile(r"助かります|たすかります|ぜひ|是非|よろしく|宜しく")


def _thanks_with_a_bare_yes(parts: list[str], read: list[tuple[str, Reading]]) -> bool:
    """「はいどうも」「うん、ありがと」: thanks, and a yes that asks for nothing (not 「はい、お願いします、どうも」)."""
    thanked = any(part in THANKS or part in THANKS_ALONE for part in parts)
    # 「助かります」 looks ahead (that would help: a yes); 「ぜひ」「よろしく」 ask.
    asks = any(GO_AHEAD.search(part) or _LOOKS_AHEAD.search(part) for part in parts)
    return thanked and bool(read) and not asks and all(reading == "yes" for _, reading in read)


_PUTS_OFF_SLIPPED = re.compile(without_slips(PUTS_OFF.pattern))
_LATER_ALONE_SLIPPED = re.compile(without_slips(LATER_ALONE.pattern))


def _puts_it_off(word: str) -> bool:
    """「後でやります」「また今度にします」「自分でやってみます」; not a question (「その番号って自分で変えたり
    できますか」 is one about the answer), 「後でじゃなくて今」 nor a go-ahead (「明日使うのでお願いします」)."""
    word = after_the_reason(word)  # 「今日は時間がないのでまた今度で」: its reason is no negation
    if LATER_ALONE.fullmatch(word) or _LATER_ALONE_SLIPPED.fullmatch(without_slips(word)):
        return True  # also 「あとてやります」
    puts_off = PUTS_OFF.search(word) or _PUTS_OFF_SLIPPED.search(without_slips(word))
    if len(word) > MAX_ANSWER_CHARS or not puts_off or NEGATED.search(word) or INSTEAD_OF.search(word):
        return False
    # 「自分でやってみます」 tries it alone: its やって is no request to the bot.
    return not GO_AHEAD.search(word.replace("やってみ", "")) and not QUESTION_FORM.search(word)


def _will_look_alone(word: str) -> bool:
    """「はい、見てみます」「調べてみます」 to the offer: the customer will look it up (not 「やってみます」, which
    may take the offer, nor 「見てもらえますか」)."""
    if asks_for_chat_procedure(word):
        return False  # 「じゃあチャットで確認してみます」 takes the offer
    return bool(WILL_LOOK.search(word)) and not (GO_AHEAD.search(word) or REQUEST_FORM.search(word))


def _read_word(asked: YesNoQuestion, word: str) -> Reading | None:
    if word in UNCLEAR[asked.kind]:
        return "unclear"
    if asked.kind == "confirm" and AGREES.fullmatch(word.removesuffix("よ").removesuffix("です")):
        return "yes"  # 「問題ありません」「構いません」 to 「よろしいですか？」
    if word in FINE:
        return "no" if asked.kind == "offer" else "yes"
    if asked.kind == "survey" and word in SURVEY_RESOLVED:
        return "yes"
    if asked.kind == "survey" and word in SURVEY_UNRESOLVED:
        return "no"
    if word in _title_keys(asked.yes_title) or word in YES:
        return "yes"
    if word in _title_keys(asked.no_title) or word in NO:
        return "no"
    if len(word) >= 4 and without_slips(word) in _YES_SLIPPED:
        return "yes"  # 「ぉねかいします」「おねかいしまふ」
    if len(word) >= 4 and without_slips(word) in _NO_SLIPPED:
        return "no"
    return None


_YES_SLIPPED = frozenset(without_slips(w) for w in YES if len(w) >= 4)
_NO_SLIPPED = frozenset(without_slips(w) for w in NO if len(w) >= 4) - _YES_SLIPPED


def _title_keys(title: str) -> tuple[str, ...]:
    """A button's label as typed: the standard one and its easy-Japanese twin (a customer in the easy mode
    sees the twin and may type it instead of pressing)."""
    return fold(title), fold(twins().button_title(title))


# --- choices ----------------------------------------------------------------------------------------
def _strip_fillers(word: str, keep: int = 1) -> str:
    """Drop what people wrap around a choice, keeping at least `keep` characters."""
    changed = True
    while changed and word:
        changed = False
        for head in CHOICE_HEADS:
            if word.startswith(head) and len(word) - len(head) >= keep:
                word, changed = word[len(head) :], True
        for tail in CHOICE_TAILS:
            if word.endswith(tail) and len(word) - len(tail) >= keep:
                word, changed = word[: -len(tail)], True
    return word


def choice_of(question: str, value: str) -> Choice:
    """The choice of `question` with that value."""
    return next(choice for choice in QUESTIONS[question] if choice.value == value)


def read_choice(question: str, text: str) -> list[Choice]:
    """The choices of `question` the text names: one when it is an answer, several when it is
    ambiguous (ask back with those), none when it is not an answer (a new question)."""
    choices = QUESTIONS.get(question, ())
    word = fold(text)
    if not choices or not word or len(word) > MAX_ANSWER_CHARS:
        return []
    number = CHOICE_NUMBER.fullmatch(_strip_fillers(word)) or CHOICE_NUMBER.fullmatch(word)
    if number:
        index = int(number.group(1))
        return [choices[index - 1]] if 1 <= index <= len(choices) else []
    word = _strip_fillers(word)
    if question == "which_password":
        word = _strip_fillers(_without_password_tail(word))  # 「ログインするときのパスワード」: its use
    exact, partial = [], []
    for choice in choices:
        keys = [*_title_keys(choice.title), *(fold(a) for a in choice.aliases)]
        whole = [*keys, *(fold(a) for a in choice.whole_reply_aliases)]
        if word in whole or _only_keys(word, whole):
            exact.append(choice)
        elif len(word) >= 2 and any(word in key for key in keys):
            partial.append(choice)
    return exact or partial or _read_choice_despite_slips(choices, word)


def _read_choice_despite_slips(choices: tuple[Choice, ...], word: str) -> list[Choice]:
    """A choice's words flick-typed with slips as the whole reply (「とっち？」 for 「どっち？」); short words are
    left alone, as their slipped forms are other words."""
    if len(word) < 3:
        return []
    slipped = without_slips(word)
    return [
        choice
        for choice in choices
        if any(without_slips(key) == slipped for key in (*_title_keys(choice.title), *map(fold, choice.aliases)))
    ]


def typed_procedure_button(text: str, offered: list[dict[str, Any]]) -> str | None:
    """The procedure of a start_procedure button offered (「パスワードを再設定する」 under the login history's advice)
    whose label the customer typed instead of pressing it, as the whole reply (fillers and 「お願いします」 around it)."""
    if ASKS_ABOUT_THE_BUTTON.search(nfkc(text).strip().rstrip("。!！")):
        return None  # 「パスワードを再設定するの？」: a question about it, not a press
    word = _strip_fillers(fold(text))
    for button in offered:
        if not isinstance(button, dict):
            continue
        value = str(button.get("payload") or "")
        if value.startswith("/start_procedure{") and word in _title_keys(str(button.get("title") or "")):
            try:
                procedure = json.loads(value.removeprefix("/start_procedure")).get("procedure")
            except (ValueError, AttributeError):
                return None  # not a payload the bot writes (buttons.start_procedure)
            return str(procedure) if procedure else None
    return None


def read_offered_topic(text: str, offered: list[tuple[str, str]], every_title: list[str]) -> str | None:
    """A topic button (payload's intent, title) typed instead of pressed, by its number or its label's words
    (「2番」「違い」 after 「IDの種類と違い」 was offered): its intent; None when the text names none or several.
    Part of a label counts only when no other topic's label has it (「パスワード」 is in five)."""
    word = fold(text)
    if not word or len(word) > MAX_ANSWER_CHARS:
        return None
    number = CHOICE_NUMBER.fullmatch(_strip_fillers(word)) or CHOICE_NUMBER.fullmatch(word)
    if number:
        index = int(number.group(1))
        return offered[index - 1][0] if 1 <= index <= len(offered) else None
    word = _strip_fillers(word)
    exact = [intent for intent, title in offered if word in _title_keys(title)]
    distinct = len(word) >= 2 and sum(word in fold(title) for title in every_title) == 1
    partial = [intent for intent, title in offered if distinct and any(word in key for key in _title_keys(title))]
    found = exact or partial
    return found[0] if len(found) == 1 else None


# Said after a password's use, only at 「どちらのパスワードでしょうか？」 (at 「どのお手続き…」 「OCN IDのパスワード」 is
# the reset's, not the OCN ID's look-up; at the delivery question 「マイページのパスワード？」 chooses no way).
_PASSWORD_TAILS = tuple(fold(t) for t in ("するときのパスワード", "ときのパスワード", "時のパスワード", "のパスワード"))


def _without_password_tail(word: str) -> str:
    for tail in _PASSWORD_TAILS:
        if word.endswith(tail) and len(word) > len(tail):
            return word[: -len(tail)] + ("する" if tail.startswith("する") else "")
    return word


def _only_keys(word: str, keys: list[str]) -> bool:
    """The reply is nothing but this choice's words and fillers (「どっち？って何？わかんねえよ」)."""
    rest = word
    for key in sorted((k for k in keys if k), key=len, reverse=True):
        rest = rest.replace(key, "")
    return rest != word and _strip_fillers(rest.rstrip("よねさ"), keep=0) == ""


def named_procedure(text: str) -> str | None:
    """The procedure a longer request names (「ここでお客さま番号を確認する手続きをしたい」): the choice whose
    longest label or alias in the text is longest; None when none is named or two tie."""
    word = fold(text)
    longest: dict[str, int] = {}
    for choice in QUESTIONS["procedure"]:
        lengths = [
            len(key) for key in (fold(k) for k in (choice.title, *choice.aliases)) if len(key) >= 2 and key in word
        ]
        if lengths:
            longest[choice.value] = max(lengths)
    ranked = sorted(longest.items(), key=lambda item: -item[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def is_plain_yes_no(question: str, text: str) -> bool:
    """「はい」「いいえ」 to a question with choices: no answer to it (the question is asked again)."""
    return question in QUESTIONS and fold(text) in PLAIN_YES_NO and not read_choice(question, text)


def buttons(question: str) -> list[dict[str, str]]:
    return [{"title": c.title, "payload": c.payload} for c in QUESTIONS[question]]


def asks_to_go_ahead(text: str, procedure: str | None) -> bool:
    """At the final 「…よろしいですか？」: a short request to go ahead (「早くやって」「履歴見せて」) or one naming the
    procedure being confirmed is a yes; anything negated (「送らないで」), naming a value, or longer is not. With no
    procedure (the offer of one), what it would show asked for (「教えて」) is no go-ahead: it may ask a question."""
    word = fold(text)
    go_ahead = GO_AHEAD if procedure is None else GO_AHEAD_AT_THE_END
    if not word or len(word) > MAX_ANSWER_CHARS or NEGATED.search(word) or _names_a_value(text, procedure):
        return False  # 「SMSでお願いします」 names a delivery method (or an ID): the form asks again, not a yes
    if asks_to_stop(word):
        return False  # 「中断でお願いします」「なしておねかいします」: a stop or a hold asked for
    if QUESTION_WORDS.search(word) or PUTS_OFF.search(word) or HESITATES.search(word):
        return False  # 「パスワードは何文字以上ですか」「後でお願いします」「お願いしようか迷ってます」
    if "?" in text or "？" in text or QUESTION_FORM.search(word):
        # 「送ってもらえますか」 asks the bot to go ahead; 「送ってもらったらすぐ届きますか」 asks what would happen.
        return bool(go_ahead.search(word)) and in_a_requests_form(word)
    return bool(go_ahead.search(word)) or word in _HURRY_ALONE or _only_names(text, procedure)


# 「はよ」「はよして」 (Kansai 早よ) and 「よろ」 (よろしく) as the whole reply: only alone, as 「おはよう」 holds it.
_HURRY_ALONE = frozenset({"はよ", "はよして", "はよしろ", "はよせい", "はよはよ", "よろ", "よろです", "よろしく"})


def _only_names(text: str, procedure: str | None) -> bool:
    """「パスワード再設定で」 names the procedure being confirmed and says nothing else: a yes. 「パスワード思い出し
    ました」「OCN IDのパスワードを忘れたんです」 hold its short alias too, and say something else."""
    if procedure is None or named_procedure(text) != procedure:
        return False
    word = fold(text)
    choice = next(c for c in QUESTIONS["procedure"] if c.value == procedure)
    for key in sorted((fold(k) for k in (choice.title, *choice.aliases)), key=len, reverse=True):
        if key in word:
            word = word.replace(key, "", 1)
            break
    for _ in range(2):  # 「はい、再設定で」: the opening word goes once the mark after it has
        word = AROUND_A_NAME.sub("", word)
    return not word


def no_longer_needed(text: str) -> bool:
    """「あ、パスワード思い出しました」「見つかりました」 at the final confirmation: the need has gone (a no); not a
    question about it (「思い出したらどうすれば？」) nor a request that goes on (「見つかったけど送ってください」)."""
    word = fold(text)
    return bool(NO_LONGER_NEEDED.search(word)) and not (GO_AHEAD.search(word) or _asks_something(text, word))


# Below this, the classifier's yes with no word of one is asked again at the final confirmation.
SURE_OF_A_YES = 0.8


def checked_final_yes(text: str, worded: bool, confidence: float) -> Reading | None:
    """A yes at the final 「…よろしいですか？」, checked before it acts on the account: a question is none (None:
    it is answered, and the confirmation asked again), words that hold it back (later, a condition, a doubt, a
    negation: HOLDS_BACK) ask again ('unclear'), and the classifier's yes without a word of one must be sure."""
    if text.startswith("/"):
        return "yes"  # the button
    word = fold(text)
    if _asks_something(text, word):
        return None
    if HOLDS_BACK.search(AGREES.sub("", word)) or PUTS_OFF.search(word) or HESITATES.search(word):
        return "unclear"
    if asks_to_stop(word):
        return "unclear"  # 「中断でお願いします」「ちゅうしで」: its お願い is no go-ahead
    said = worded or SAYS_YES.search(without_slips(word))  # 「おねかいします」「hai」 read unsurely
    return "yes" if said or confidence >= SURE_OF_A_YES else "unclear"


def _asks_something(text: str, word: str) -> bool:
    """「はい？」「パスワードは何文字以上ですか」「送ってもらったらすぐ届きますか」; not 「送ってもらえますか」."""
    if QUESTION_WORDS.search(word):
        return True
    question = "?" in text or "？" in text or QUESTION_FORM.search(word)
    return bool(question) and not in_a_requests_form(word)


def changes_mind(text: str) -> Reading | None:
    """At the final 「…よろしいですか？」: 'no' for a change of mind (「はい、やっぱりやめます」), 'unclear' for
    「ちょっと待って」 (asked again), None otherwise. The classifier may read either as a yes, and that yes
    changes the account."""
    word = fold(text)
    if CHANGE_OF_MIND.search(word) or CHANGE_OF_MIND_SLIPPED.search(without_slips(word)):
        if (QUESTION_MARK.search(text) or QUESTION_FORM.search(word)) and not declines_in_words(text):
            return "unclear"  # 「これって後で取り消せますか」「やめたらどうなりますか」: asked about, not decided
        return "no"  # also flick-typed: 「やっはりいいてす」
    if WAIT_A_MOMENT.search(word):
        return "unclear"
    return None


def _names_a_value(text: str, procedure: str | None) -> bool:
    """An ID or a delivery method in the text: an answer of its own, not a plain go-ahead. Only the connection ID is
    shown on My Page: 「表示してください」 confirming the login history names no way, it asks for the display."""
    if find_values(text):
        return True
    ways = {str(f.value) for f in find_choices(text) if f.entity == "delivery_method"}
    if procedure not in (None, "send_connection_id"):
        ways.discard("mypage")
    return bool(ways)
