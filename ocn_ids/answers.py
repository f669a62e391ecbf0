"""How customers phrase short answers: yes/no words, what they wrap around a choice, follow-up openers.

Customer vocabulary, not bot text (the bot's own words live in domain.yml and follow docs/style.md).
Compared after `fold`, so width, katakana/hiragana, spaces and punctuation do not matter.
"""

from __future__ import annotations

import re
from typing import Literal

from ocn_ids.normalize import nfkc

# After an offer (お手続きしますか？), after "is this right?" (よろしいですか？), after "did it help?".
YesNoKind = Literal["offer", "confirm", "survey"]


def fold(text: str) -> str:
    """NFKC, lower case, katakana to hiragana, without spaces and punctuation: how answers are compared."""
    text = nfkc(text).lower()
    text = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
    return re.sub(r"[\s、。，．,.!！?？・「」『』()（）\[\]【】~〜…]+", "", text)


def _folded(words: set[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


YES = _folded({
    "はい", "はいー", "はーい", "うん", "ええ", "yes", "ok", "おk", "おけ", "おっけー", "お願いします", "おねがいします",
    "お願い", "おねがい", "そうです", "そう", "します", "する", "進めて", "進めてください", "いいですよ", "いいよ",
    "了解", "りょうかい", "それでお願いします", "はいお願いします", "送って", "送ってください",
})  # fmt: skip
NO = _folded({
    "いいえ", "いえ", "いや", "no", "しない", "しません", "やめます", "やめる", "やめて", "今はいい", "今はいいです",
    "いらない", "いらないです", "不要", "不要です", "結構です", "けっこうです", "いいや", "遠慮します", "待ちます", "待つ",
})  # fmt: skip
# 「大丈夫です」「いいです」: "no thanks" after an offer, "yes, that's fine" after a confirmation or the survey.
FINE = _folded({"大丈夫です", "だいじょうぶです", "大丈夫", "だいじょうぶ", "だいじょぶ", "いいです"})
# A plain yes or no, which answers no question with choices (どちらのパスワードでしょうか？): asked again.
PLAIN_YES_NO = YES | _folded({"いいえ", "いえ", "いや", "いいや", "no", "違います", "ちがいます"}) | FINE
# Words that could go either way after this kind of question: the bot asks back with buttons.
UNCLEAR: dict[YesNoKind, frozenset[str]] = {
    "offer": _folded(
        {"うーん", "どうしよう", "たぶん", "まあ", "どちらでも", "どっちでも", "わからない", "わかりません"}
    ),
    "confirm": _folded({"結構です", "けっこうです", "うーん", "たぶん", "まあ", "どちらでも", "わからない"}),
    "survey": _folded({"結構です", "けっこうです", "いいです", "うーん", "まあ", "たぶん", "まあまあ", "微妙"}),
}

# 「2」「２番」「3番目のほう」: the number of a listed choice (matched on the folded text).
CHOICE_NUMBER = re.compile(r"(\d{1,2})(?:番目?|つ目|つめ|個目)?(?:の?(?:ほう|方))?")
# What people wrap around a choice: 「郵送でお願いします」「OCN IDのほうです」「えっと、SMS」.
CHOICE_TAILS = tuple(
    fold(t)
    for t in (
        "でお願いします", "をお願いします", "お願いします", "でお願い", "にします", "がいいです", "がいい",
        "のほうです", "のほう", "の方です", "の方", "ほう", "です", "で", "を", "は", "の",
    )
)  # fmt: skip
CHOICE_HEADS = tuple(fold(h) for h in ("えっと", "えーと", "あの", "じゃあ", "では"))

# How a follow-up to the answer just given starts or ends: 「それって…」「その場合は…」「〜でもいいの？」.
FOLLOW_UP_MARKERS = re.compile(
    r"^(それって|それは|それだと|その場合|そうすると|じゃあ|では|なら)|でもいい|でもok|でも大丈夫|ってこと"
)

# An ID named outright (not just 「メール」): a follow-up naming another ID than the topic's is a new question.
NAMED_IDS = {
    "customer_number": ("お客さま番号", "お客様番号", "顧客番号"),
    "ocn_id": ("ocn id", "ocnid"),
    "connection_id": ("接続用id", "接続id", "認証id"),
}

# After 「このままお待ちになりますか？」 (a queued customer waited long: actions/handoff_waiting.py).
WaitAnswer = Literal["wait", "contact"]
KEEP_WAITING = YES | _folded({
    "待ちます", "待つ", "まちます", "このまま待つ", "このまま待ちます", "待っています", "待ってます", "お待ちします",
    "もう少し待ちます", "待ちますので", "はい待ちます",
})  # fmt: skip
WANT_CONTACT = _folded({
    "いいえ", "いえ", "いや", "no", "連絡先を教えて", "連絡先を教えてください", "連絡先", "連絡先を見る",
    "問い合わせ先", "問い合わせ先を教えて", "お問い合わせ先を教えてください", "お問い合わせ窓口", "窓口を教えて",
    "待ちません", "待たない", "待てません", "結構です", "けっこうです",
})  # fmt: skip


def read_wait_answer(text: str | None) -> WaitAnswer | None:
    """The customer's answer to the keep-waiting question, read as a whole message (else None: it is
    a message for the operator like any other)."""
    folded = fold(text or "")
    if folded in KEEP_WAITING:
        return "wait"
    if folded in WANT_CONTACT:
        return "contact"
    return None
