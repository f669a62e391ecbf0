"""Every question the bot asks with choices, and reading what the customer types as an answer to it.

One table per question: the buttons (actions/buttons.py) and the typed-answer reader both come
from it, so any label the customer sees is also understood when typed (in full or in part, in any
width or kana, as romaji like "sms", or as the number of the choice: 「2」「２番」).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ocn_ids.normalize import nfkc
from ocn_ids.parse import DELIVERY_METHOD_KEYWORDS, ID_TYPE_KEYWORDS

# An answer to a question is short; anything longer is read as a new question.
MAX_ANSWER_CHARS = 30


@dataclass(frozen=True)
class Choice:
    value: str  # what the answer means (an id_type, a procedure, a delivery method)
    title: str  # the button label
    payload: str  # what pressing the button sends
    aliases: tuple[str, ...] = ()  # other ways customers type it


def _inform(entity: str, value: str) -> str:
    return f'/inform{{"{entity}": "{value}"}}'


QUESTIONS: dict[str, tuple[Choice, ...]] = {
    "which_password": (
        Choice(
            "ocn_id",
            "OCN ID（メール）のパスワード",
            "/forgot_ocn_id_password",
            ("ocn idのパスワード", "メールのパスワード", "ocnメールのパスワード", "ocn", *ID_TYPE_KEYWORDS["ocn_id"]),
        ),
        Choice(
            "connection_id",
            "接続用ID（認証ID）のパスワード",
            "/check_connection_id",
            ("接続用idのパスワード", "認証idのパスワード", "接続用のパスワード", *ID_TYPE_KEYWORDS["connection_id"]),
        ),
        Choice(
            "unknown",
            "わからない",
            _inform("id_type", "unknown"),
            ("分からない", "わかりません", "分かりません", "不明"),
        ),
    ),
    "procedure": (
        Choice(
            "reset_ocn_password",
            "OCN IDのパスワード再設定",
            _inform("procedure", "reset_ocn_password"),
            ("パスワード再設定", "再設定", "パスワード", "ocn idのパスワード", "パスワードリセット", "リセット"),
        ),
        Choice(
            "send_connection_id",
            "接続用IDとパスワードを受け取る",
            _inform("procedure", "send_connection_id"),
            ("接続用idとパスワード", "接続用id", "接続id", "認証id", "接続用", "接続"),
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
            ("ログイン履歴", "履歴", "りれき", "ログイン"),
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
# Whether 「大丈夫です」 means yes or no depends on the question: after an offer (お手続きしますか？)
# it declines; after "is this right?" (よろしいですか？) or "did it help?" it agrees.
YesNoKind = Literal["offer", "confirm", "survey"]


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

_YES = {
    "はい", "はいー", "はーい", "うん", "ええ", "yes", "ok", "おk", "おけ", "おっけー", "お願いします", "おねがいします",
    "お願い", "おねがい", "そうです", "そう", "します", "する", "進めて", "進めてください", "いいですよ", "いいよ",
    "了解", "りょうかい", "それでお願いします", "はいお願いします", "送って", "送ってください",
}  # fmt: skip
_NO = {
    "いいえ", "いえ", "いや", "no", "しない", "しません", "やめます", "やめる", "やめて", "今はいい", "今はいいです",
    "いらない", "いらないです", "不要", "不要です", "結構です", "けっこうです", "大丈夫です", "だいじょうぶです",
    "大丈夫", "だいじょうぶ", "だいじょぶ", "いいです", "いいや", "遠慮します", "待ちます", "待つ",
}  # fmt: skip
# Polite words that mean "no thanks" after an offer but "yes / it's fine" after a confirmation.
_FINE = {"大丈夫です", "だいじょうぶです", "大丈夫", "だいじょうぶ", "だいじょぶ", "いいです"}
# Words that could go either way after this kind of question: ask back with buttons.
_UNCLEAR: dict[YesNoKind, set[str]] = {
    "offer": {"うーん", "どうしよう", "たぶん", "まあ", "どちらでも", "どっちでも", "わからない", "わかりません"},
    "confirm": {"結構です", "けっこうです", "うーん", "たぶん", "まあ", "どちらでも", "わからない"},
    "survey": {"結構です", "けっこうです", "いいです", "うーん", "まあ", "たぶん", "まあまあ", "微妙"},
}

Reading = Literal["yes", "no", "unclear"]


def fold(text: str) -> str:
    """NFKC, lower case, katakana to hiragana, without spaces and punctuation: how answers are compared."""
    text = nfkc(text).lower()
    text = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
    return re.sub(r"[\s、。，．,.!！?？・「」『』()（）\[\]【】~〜…]+", "", text)


_FOLDED_YES = {fold(w) for w in _YES}
_FOLDED_NO = {fold(w) for w in _NO}
_FOLDED_FINE = {fold(w) for w in _FINE}
_FOLDED_UNCLEAR = {kind: {fold(w) for w in words} for kind, words in _UNCLEAR.items()}


def read_yes_no(question: str, text: str) -> Reading | None:
    """'yes', 'no', 'unclear' (ask back), or None when the text is not a yes/no answer to this question."""
    asked = YES_NO_QUESTIONS.get(question)
    if asked is None:
        return None
    word = fold(text)
    if word in _FOLDED_UNCLEAR[asked.kind]:
        return "unclear"
    if word in _FOLDED_FINE:
        return "no" if asked.kind == "offer" else "yes"
    if word in (fold(asked.yes_title), *_FOLDED_YES):
        return "yes"
    if word in (fold(asked.no_title), *_FOLDED_NO):
        return "no"
    return None


# --- choices ----------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(\d{1,2})(?:番目?|つ目|つめ|個目)?(?:の?(?:ほう|方))?")
# What people wrap around a choice: 「郵送でお願いします」「OCN IDのほうです」.
_TAILS = tuple(
    fold(t)
    for t in (
        "でお願いします",
        "をお願いします",
        "お願いします",
        "でお願い",
        "にします",
        "がいいです",
        "がいい",
        "のほうです",
        "のほう",
        "の方です",
        "の方",
        "ほう",
        "です",
        "で",
        "を",
        "は",
        "の",
    )
)
_HEADS = tuple(fold(h) for h in ("えっと", "えーと", "あの", "じゃあ", "では"))


def _strip_fillers(word: str, keep: int = 1) -> str:
    """Drop what people wrap around a choice, keeping at least `keep` characters."""
    changed = True
    while changed and word:
        changed = False
        for head in _HEADS:
            if word.startswith(head) and len(word) - len(head) >= keep:
                word, changed = word[len(head) :], True
        for tail in _TAILS:
            if word.endswith(tail) and len(word) - len(tail) >= keep:
                word, changed = word[: -len(tail)], True
    return word


def read_choice(question: str, text: str) -> list[Choice]:
    """The choices of `question` the text names: one when it is an answer, several when it is
    ambiguous (ask back with those), none when it is not an answer (a new question)."""
    choices = QUESTIONS.get(question, ())
    word = fold(text)
    if not choices or not word or len(word) > MAX_ANSWER_CHARS:
        return []
    number = _NUMBER.fullmatch(_strip_fillers(word)) or _NUMBER.fullmatch(word)
    if number:
        index = int(number.group(1))
        return [choices[index - 1]] if 1 <= index <= len(choices) else []
    word = _strip_fillers(word)
    exact, partial = [], []
    for choice in choices:
        keys = [fold(choice.title), *(fold(a) for a in choice.aliases)]
        if word in keys or any(_strip_fillers(word.replace(key, "", 1), keep=0) == "" for key in keys if key in word):
            exact.append(choice)
        elif len(word) >= 2 and any(word in key for key in keys):
            partial.append(choice)
    return exact or partial


def buttons(question: str) -> list[dict[str, str]]:
    return [{"title": c.title, "payload": c.payload} for c in QUESTIONS[question]]
