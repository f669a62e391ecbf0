"""How customers phrase short answers: yes/no words, what they wrap around a choice, follow-up openers.

Customer vocabulary, not bot text (the bot's own words live in domain.yml and follow docs/style.md).
Compared after `fold`, so width, katakana/hiragana, spaces and punctuation do not matter.
"""

from __future__ import annotations

import re
from typing import Literal

from ocn_ids.normalize import hiragana, nfkc, without_slips
from ocn_ids.parse import named_id_types
from ocn_ids.romaji import read_romaji

# After an offer (お手続きしますか？), after "is this right?" (よろしいですか？), after "did it help?".
YesNoKind = Literal["offer", "confirm", "survey"]


def fold(text: str) -> str:
    """NFKC, romaji Japanese as hiragana (ocn_ids/romaji.py: 「OCN ID wa?」 is 「OCN IDは?」), lower case, katakana
    to hiragana, without spaces and punctuation: how answers are compared."""
    text = _EMOJI_VARIATIONS.sub("", hiragana(read_romaji(nfkc(text)).lower()))
    text = re.sub(r"[\s、。，．,.!！?？・「」『』()（）\[\]【】~〜…]+", "", text)
    return _SLIPPED_SMALL_VOWEL.sub(lambda m: _FULL_VOWEL[m[0]], text)


# A small vowel no kana before it takes (「はぃ」「ぉk」「こなぃです」): the flick key's small-kana toggle pressed by
# mistake. After ふ, う, て, で, と, ど, ち, し, じ, つ, く, ぐ, い it spells a sound of its own (ふぁいる, でぃー).
_SLIPPED_SMALL_VOWEL = re.compile(r"(?<![ふうゔてでとどちしじつくぐい])[ぁぃぅぇぉ]")
_FULL_VOWEL = dict(zip("ぁぃぅぇぉ", "あいうえお", strict=True))


# What changes an emoji's look, not its meaning (👍🏻, 🙆‍♀️, ⭕️): skin tones, the gender sign after a joiner,
# the emoji presentation selector.
_EMOJI_VARIATIONS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]|\u200d[\u2640\u2642]")
# LINE customers answer a yes/no question with an emoji or ○／× as often as with a word.
# 🙏 is 「お願いします」 to a question and thanks to an answer: a yes and a thank-you both.
_PLEASE_SIGN = "🙏"
_THUMBS_UP = {"👍", "👌"}
_YES_SIGNS = {"👍", "👌", "🙆", "⭕", "○", "◯", "〇", "🆗", _PLEASE_SIGN}
_NO_SIGNS = {"👎", "🙅", "❌", "×", "✖", "🆖"}


def _folded(words: set[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


YES = _folded({
    "はい", "はいー", "はーい", "うん", "ええ", "おう", "yes", "ok", "おk", "おけ", "おっけー", "お願いします", "おねがいします",
    "お願い", "おねがい", "そうです", "そう", "します", "する", "進めて", "進めてください", "いいですよ", "いいよ",
    "了解", "りょうかい", "それでお願いします", "はいお願いします", "送って", "送ってください",
    "お願いいたします", "よろしくお願いします", "よろしくお願いいたします", "よろしく", "ぜひ", "是非", "please",
} | _YES_SIGNS)  # fmt: skip
NO = _folded({
    "いいえ", "いえ", "いや", "no", "しない", "しません", "やめます", "やめる", "やめて", "今はいい", "今はいいです",
    "いらない", "いらないです", "不要", "不要です", "結構です", "けっこうです", "いいや", "遠慮します", "待ちます", "待つ",
    "not now", "no thanks", "no thank you", "nope", "later", "maybe later",
} | _NO_SIGNS)  # fmt: skip
# 「大丈夫です」「いいです」: "no thanks" after an offer, "yes, that's fine" after a confirmation or the survey.
FINE = _folded({"大丈夫です", "だいじょうぶです", "大丈夫", "だいじょうぶ", "だいじょぶ", "いいです"})
# After a no (「いいえ、けっこうです」「いや、いいです」), the polite words that decline: the whole reply is a no.
DECLINES = FINE | _folded({"結構です", "けっこうです", "結構", "けっこう"})
# A plain yes or no, which answers no question with choices (どちらのパスワードでしょうか？): asked again.
PLAIN_YES_NO = YES | _folded({"いいえ", "いえ", "いや", "いいや", "no", "違います", "ちがいます"}) | FINE
# How 「疑問・問題は解決しましたか？」 is answered in words instead of はい／いいえ (「解決しました」「まだです」
# 「全然わからない」): only after that question.
SURVEY_RESOLVED = _folded({
    "解決しました", "解決した", "解決です", "解決", "解決できました", "解決できた", "解決しましたよ", "わかった",
    "分かった", "できました", "できた", "役に立ちました", "役に立った", "参考になりました", "参考になった",
    "よくわかりました", "よく分かりました", "理解できました", "わかりやすかった", "分かりやすかった", "問題ないです",
    "問題ない", "問題ありません", "大丈夫でした", "なるほど", "一応", "いちおう", "一応ね", "いちおうね", "一応は",
    "まあ一応", "一応解決しました", "もう大丈夫です", "もう大丈夫", "もうだいじょうぶです", "もうだいじょうぶ",
    "解決いたしました", "解決致しました",
    "した", "しました", "したよ",  # 「解決しましたか？」「した👍」
})  # fmt: skip
SURVEY_UNRESOLVED = _folded({
    "解決しない", "解決しません", "解決してない", "解決していない", "解決していません", "解決してません",
    "解決しなかった", "解決しませんでした", "未解決", "まだ", "まだです", "だめ", "だめでした", "駄目", "駄目でした",
    "わからない", "分からない", "わかりません", "分かりません", "わからなかった", "分からなかった", "よくわからない",
    "できない", "できません", "できなかった", "役に立たない", "役に立たなかった", "意味ない", "意味がない", "意味不明",
    "使えない", "全然", "ぜんぜん", "違う", "ちがう", "違います", "ちがいます", "いまいち", "イマイチ", "話にならない",
    "役に立たねえ", "役立たず", "解決になってない", "答えになってない", "答えになっていません",
})  # fmt: skip
# Said anywhere in a reply, it did not help (「解決しなかったけどありがとう、失礼します」): thanks around it are no yes.
_STILL_UNRESOLVED = re.compile(
    r"解決し(ない|なかった|てない|ていない|ません)|できな|出来な|わから|分から|わかん|まだ|だめ|駄目|役に立たな|違う|ちがう"
)


def still_unresolved(word: str) -> bool:
    """A folded reply that says the problem is not solved, whatever courtesy surrounds it."""
    return bool(_STILL_UNRESOLVED.search(word))


# Words that could go either way after this kind of question: the bot asks back with buttons.
UNCLEAR: dict[YesNoKind, frozenset[str]] = {
    "offer": _folded(
        {"うーん", "どうしよう", "たぶん", "まあ", "どちらでも", "どっちでも", "わからない", "わかりません"}
    ),
    "confirm": _folded({"結構です", "けっこうです", "うーん", "たぶん", "まあ", "どちらでも", "わからない"}),
    "survey": _folded({"結構です", "けっこうです", "いいです", "うーん", "まあ", "たぶん", "まあまあ", "微妙"}),
}

# Words around a yes or a no that change nothing of it (「えーと、はい、ありがとうございます」): thanks, a
# goodbye, fillers. A reply made only of these and yes/no words is read word by word (courtesy_parts).
THANKS = _folded({
    "ありがとう", "ありがとうございます", "ありがとうございました", "ありがと", "ありがとね", "どうもありがとう",
    "どうも", "助かります", "助かりました", "たすかります", "たすかりました", "助かった", "たすかった", "感謝します", "thanks", "thankyou", "thx",
    "さんきゅー", "あざす", "あざっす", "さんきゅ", "sankyu", "sankyuu", "arigato", "arigatou", "thanku", "あんがと",
    "感謝", "お手数おかけしました", "お手数をおかけしました",
})  # fmt: skip
# Thanks only as a whole reply of courtesy words: 「どーも」 without its long vowel is the 「ども」 of 「子ども」.
THANKS_ALONE = _folded({"どーも", "どーもです", "恐れ入ります", "おそれいります"})  # 「恐れ入りますが…」 is a cushion
GOODBYE = _folded({
    "さようなら", "さよなら", "ばいばい", "bye", "goodbye", "失礼します", "失礼しました", "失礼いたします", "またね",
    "👋", "ごきげんよう", "お世話になりました", "おせわになりました",
})  # fmt: skip
# "Are you a bot?" names what it asks about (ボット, AI, 人間…): 「それってどこでするんですか」 does not, whatever
# the classifier made of its 「それって…ですか」.
_BOT_WORDS = re.compile(
    without_slips(
        r"ぼっと|bot|ろぼ|robot|誰|だれ|人が|おぺれーたー|有人|すたっふ|(?<![a-z])ai(?![a-z])|えーあい|人工知能|機械|きかい|自動|じどう|人間|にんげん|本物|生身|"
        r"人ですか|人なの|人$|中の人|ぷろぐらむ|こんぴゅーた"  # compared after fold: hiragana, no punctuation
    )
)


def names_the_bot(text: str) -> bool:
    """「ボットですか」「AIなの？」「ろほっと？」: the message names what "are you a bot?" asks about."""
    return bool(_BOT_WORDS.search(without_slips(fold(text))))


# Closings that end the chat only as a whole reply made of courtesy words (「ありがとう、以上です」): inside a
# question they mean something else (「8文字以上ですか」「いつ終わりますか」), so never matched as a substring.
CLOSINGS = _folded(
    {
        "じゃあね",
        "じゃね",
        "ではまた",
        "それではまた",
        "以上です",
        "以上になります",
        "以上",
        "終わります",
        "おやすみなさい",
        "おやすみなさいませ",
        "ごきげんよう",
        "また今度",
        "またこんど",
        "また今度にします",
        "本日はここまでといたします",
        "今日はここまでにします",
        "今日はここまで",
        "ここまでにします",
        "ここまでといたします",
        # flick slips of じゃあね (the dakuten and the small ゃ lost)
        "しやあね",
        "しゃあね",
        "じやあね",
        "しやね",
        # LINE-style one-word closings (not お疲れさまです: a greeting as much as a closing)
        "じゃ",
        "ほな",
        "ばい",
        "おわり",
        "終わり",
        "おしまい",
        "おやすみ",
    }
)
FILLERS = _folded({
    "えーと", "えーっと", "えっと", "えと", "ええと", "えー", "あの", "あのー", "あのう", "じゃあ", "では", "それでは",
    "すみません", "すいません", "わかりました", "分かりました", "承知しました", "承知いたしました", "かしこまりました",
    "です", "ですね", "でした", "ね", "よ",
    "本当に", "ほんとに", "とても", "大変",
})  # fmt: skip
# The survey's own words are parts of a reply too, but only the survey reads them (actions/choices.py): at any
# other question a reply holding one says something else (「はい、違います」 is not a yes to 「よろしいですか？」).
SURVEY_WORDS = SURVEY_RESOLVED | SURVEY_UNRESOLVED
# Closings only at the end of a whole reply of courtesy words (「はい、それでは」「わかりました、もういいです」「じゃあ
# いいや」), and only with no question open (ends_with_a_closing): first, 「それでは」 leads on (「それではお願いします」).
CLOSINGS_AT_THE_END = _folded({
    "それじゃあ", "それじゃ", "それでは", "では", "じゃあこれで", "ではこれで", "それではこれで", "これで", "もういいです",
    "もういいや", "もういい", "いいや", "もう用はないです", "用は済みました",
})  # fmt: skip
_COURTESY_WORDS = tuple(
    sorted(
        YES | NO | FINE | THANKS | THANKS_ALONE | GOODBYE | CLOSINGS | CLOSINGS_AT_THE_END | FILLERS | SURVEY_WORDS,
        key=len,
        reverse=True,
    )
)


def courtesy_parts(word: str) -> list[str] | None:
    """A folded short reply cut into known words (yes/no words, thanks, a goodbye, fillers), longest
    first; None when some part is none of them (then it says something else: a question, a value).
    A lengthened vowel (「はーい」「お願いしまーす」) is read as the word itself."""
    if not word or len(word) > 40:
        return None
    word = _unstretched(word)
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for start in range(len(word)):
        if best[start] is None:
            continue
        for candidate in _PLAIN_COURTESY_WORDS:
            end = start + len(candidate)
            if word.startswith(candidate, start) and (best[end] is None or len(best[end]) > len(best[start]) + 1):
                best[end] = [*best[start], candidate]
    found = best[len(word)]
    return [_COURTESY_BY_PLAIN[part] for part in found] if found is not None else None


def _unstretched(word: str) -> str:
    return word.replace("ー", "").replace("〜", "")


# The words without their long-vowel marks, longest first, and back to the word itself.
_COURTESY_BY_PLAIN = {_unstretched(w): w for w in sorted(_COURTESY_WORDS, key=len)}
_PLAIN_COURTESY_WORDS = tuple(sorted(_COURTESY_BY_PLAIN, key=len, reverse=True))


# Thanks as flick typing slips them (「ありかとうこさいます」「たすかりました」): only words of four or more
# characters, where a slip makes no other word (「どうも」 slipped is 「とうも」).
_SLIPPED_THANKS = frozenset(without_slips(_unstretched(w)) for w in THANKS if len(w) >= 4)


def thanks_in(word: str) -> bool:
    """A folded message that thanks: a thanks word anywhere in it, slipped or not, 🙏 as a whole reply of
    courtesy words (in a row of emoji, 「😀🙏」, it is a picture, not a reply), or a reply of 👍 alone (read
    only where no question is open: to a question it is a yes)."""
    slipped = without_slips(_unstretched(word))
    parts = courtesy_parts(word) or []
    return (
        mentions_courtesy(word, THANKS)
        or any(w in slipped for w in _SLIPPED_THANKS)
        or _PLEASE_SIGN in parts
        or not THANKS_ALONE.isdisjoint(parts)
        or (bool(parts) and set(parts) <= _THUMBS_UP)  # 👍 alone, with nothing asked: satisfied
    )


def closes_with_thanks(text: str) -> bool:
    """The message's last clause is thanks alone (「…まあわかったよ、どーも」「助かった、ありがと」), whatever came before."""
    clauses = [part for part in re.split(r"[、。,.!！…\s]+", nfkc(text)) if part.strip()]
    last = fold(clauses[-1]) if clauses else ""
    return bool(last) and (last in THANKS or last in THANKS_ALONE)


def closes_the_chat(word: str) -> bool:
    """A folded reply made only of courtesy words, one of them a closing (「ありがとう、以上です」)."""
    return any(part in CLOSINGS for part in courtesy_parts(word) or ())


def ends_with_a_closing(text: str) -> bool:
    """A reply made only of courtesy words that ends with a closing of CLOSINGS_AT_THE_END (「はい、それでは」
    「わかりました。もういいです」): a goodbye only when no question is open (to 「解決しましたか？」 「もういいです」
    is a no; to 「よろしいですか？」 「はい、それでは」 is a yes)."""
    parts = courtesy_parts(fold(text)) or []
    return bool(parts) and parts[-1] in CLOSINGS_AT_THE_END


# A yes that only acknowledges: with thanks or a goodbye (「OK、ありがとう」) it answers no question.
_ACKNOWLEDGEMENTS = _folded({"はい", "はいー", "はーい", "うん", "ええ", "ok", "おk", "おけ", "おっけー", "了解", "りょうかい",
                             "そう", "そうです"})  # fmt: skip


def answers_in_words(text: str) -> bool:
    """Thanks or a goodbye that also answer the open question in words (「いいえ、結構です。ありがとう」「はい、
    解決しました。ありがとうございます」), not with a bare acknowledgement (「OK、ありがとう」)."""
    parts = courtesy_parts(fold(text)) or []
    answering = (YES - _ACKNOWLEDGEMENTS) | NO | FINE | SURVEY_WORDS
    return any(part in answering for part in parts)


_ASKS_OR_REQUESTS = re.compile(
    r"[?？]|ください|下さい|教えて|おしえて|たい|ほしい|(です|ます|でしょう)か|ありますか|か$"
)


def asks_or_requests(text: str) -> bool:
    """「失礼します、サポートの電話番号を教えてください」: a question or a request, whatever courtesy opens it."""
    return bool(_ASKS_OR_REQUESTS.search(text) or _ASKS_OR_REQUESTS.search(fold(text)))


def last_sentence(text: str) -> str:
    """The last sentence with words in it (「ありがとうございます。じゃあお客さま番号のほうも教えてください」: the request;
    「最初からそう言えよ。もういいわ」: the leave-taking)."""
    sentences = [part for part in re.split(r"[。．！!\n]+", text) if part.strip()]
    return sentences[-1] if sentences else text


# 「今日のところは結構です」「今はいいです」 as a reply's last sentence: not today (folded).
NOT_TODAY = re.compile(
    r"(今日|きょう|本日|ほんじつ|今|いま)(のところ|の所|)(は)(結構|けっこう|いい|大丈夫|だいじょうぶ|遠慮|えんりょ)"
    r"(です|でございます|します|いたします|しておきます|よ|や|わ|)$"
)


def takes_leave_at_the_end(text: str) -> bool:
    """The message's last sentence takes leave (「ありがとうございました。本日はここまでといたします。」); not an
    apology in the middle followed by a question (「先ほどは失礼しました。もう一つ聞いても…」)."""
    sentences = [part for part in re.split(r"[。．！!？?\n]+", text) if part.strip()]
    return bool(sentences) and says_goodbye(sentences[-1])


def says_goodbye(text: str) -> bool:
    """A message that takes leave: a goodbye word anywhere (「ありがとう、失礼します」), or a reply of courtesy
    words with a closing (「了解、じゃあね」「以上です」)."""
    word = fold(text)
    asked = "?" in text or "？" in text  # 「…違うんじゃね？」 asks
    if any(asks_or_requests(word.partition(apology)[2]) for apology in _APOLOGIES_THAT_TAKE_LEAVE if apology in word):
        return False  # 「失礼しました 変えたら スマホのメールも直すのですか」: an apology, then a question
    return (
        mentions_courtesy(word, GOODBYE)
        or closes_the_chat(word)
        or (not asked and bool(_ENDS_WITH_A_GOODBYE.search(word)))
    )


# 「失礼しました」 apologises as often as it takes leave.
_APOLOGIES_THAT_TAKE_LEAVE = _folded({"失礼しました", "失礼いたしました", "しつれいしました"})
# 「おせーよ じゃあな」: a goodbye that ends the message, whatever came before (「じゃあなんで」 is no goodbye: at the end only).
_ENDS_WITH_A_GOODBYE = re.compile(
    r"(?<![んの])(じゃあな|じゃーな|じゃな|またな|じゃあね|じゃね|ばいばい|ほなね)[!！w]*$"
)


def mentions_courtesy(word: str, words: frozenset[str]) -> bool:
    """A folded message that contains one of these words (thanks, a goodbye), lengthened or not."""
    plain = _unstretched(word)
    return any(_unstretched(w) in plain for w in words)


# 「2」「２番」「3番目のほう」: the number of a listed choice (matched on the folded text).
CHOICE_NUMBER = re.compile(r"(\d{1,2})(?:番目?|つ目|つめ|個目)?(?:の?(?:ほう|方))?")
# What people wrap around a choice: 「郵送でお願いします」「OCN IDのほうです」「えっと、SMS」.
CHOICE_TAILS = tuple(
    fold(t)
    for t in (
        "でお願いいたします", "お願いいたします", "でお願いします", "をお願いします", "お願いします", "でお願い",
        "で受け取ります", "で受け取りたいです", "で受け取りたい", "で受け取る", "でうけとります", "でうけとる",
        "で送ってください", "で送って", "でください", "にします", "がいいです", "がいい",
        "のほうです", "のほう", "の方です", "の方", "ほう", "時のやつ", "ときのやつ", "のやつ", "やつ", "時のもの", "ときのもの",
        "時の", "ときの", "です", "で", "を",
        "は", "の",
        "てうけとります", "てうけとる", "てお願いします", "てす", "て",  # flick slips: the dakuten dropped
    )
)  # fmt: skip
CHOICE_HEADS = tuple(
    fold(h)
    for h in (
        "えっと",
        "えーと",
        "あの",
        "じゃあ",
        "では",
        "さっきのは",
        "先ほどのは",
        "さっきの",
        "先ほどの",
        "あっ",
        "あ",
    )
)
# A reply that points back to an earlier question (「あ、さっきのは接続用のほうです」): read as a late answer.
POINTS_BACK = re.compile(r"さっき|先ほど|さきほど|前の質問|最初の")
# 「さっきのdアカウントのやつもう一回」: an earlier answer asked for again (folded).
ONCE_MORE = re.compile(r"もっかい|もう一回|もう1回|もういっかい|もう一度|もういちど|再度|さいど")

# How a follow-up to the answer just given starts or ends: 「それって…」「その場合は…」「〜でもいいの？」.
FOLLOW_UP_MARKERS = re.compile(
    r"^(それって|それは|それだと|その場合|そうすると|じゃあ|では|なら)|でもいい|でもok|でも大丈夫|ってこと|"
    r"(変え|かえ|変更し|再設定し)た(あと|後)"  # 「変えたあとってメールソフトの方は…」 after the change's answer
)

# A question that asks the bot to carry out the procedure here and now (「チャットで再設定したい」「確認の手続きを
# お願いします」), matched on the folded text: the procedure starts instead of the answer and its offer.
# 「ちゃっと」 with its flick slips (ちやっと, ちゃつと); the rest as written (「手続きしだいで」 is no request).
_CHAT_PROCEDURE_REQUEST = re.compile(
    r"(ち[ゃや][っつ]と|ここ|こちら)(で|から|上で)|"
    r"(手続き|てつづき)(を|の)?(したい|して|お願い|おねがい|進め|すすめ|頼|やりたい)|"
    # 「なにか手続きできますか」「本人確認をお願いします」: a procedure asked for that names none (the form asks which)
    r"(手続き|てつづき)(が|は)?(でき|出来)(?!な|ませ|ず)|本人確認(を|の)?(お願|おねが|して|したい|頼)"
)


# 「N123456789 これがお客さま番号ですか？」「…って書いてあるやつ？」「このIDで合ってますか」: a question about the ID
# typed (what it is, whether it is right), not a request to verify with it (「N123456789で確認できますか」).
_ABOUT_A_VALUE = re.compile(r"これ|それ|この|その|書いて|とある|って|は|あって|合って|正し")
_ASKED = re.compile(r"ですか|でしょうか|ますか|かな$|やつ$|もの$|のこと$|の$|(あって|合って|正し)(い|ます|る)か")
_ASKS_THE_BOT_TO = re.compile(r"お願|おねが|確認して|調べて|しらべて|ください|下さい|もらえ|いただけ|でき")


def asks_about_a_value(text: str) -> bool:
    """A question (a question mark in the text, or its ending) about the ID typed, not a request to verify with it
    (「N123456789で確認できますか？」「合ってるはずなので確認お願いします」) nor a plain statement (「正しい番号です」)."""
    word = fold(text)
    asked = "?" in text or "？" in text or bool(_ASKED.search(word))
    return asked and bool(_ABOUT_A_VALUE.search(word)) and not _ASKS_THE_BOT_TO.search(word)


# dアカウント and dポイント (also spoken: でぃーあかうんと), and what of them the help page does not say: the
# points themselves, the dアカウント's own ID, password or creation, taking the link back (actions/d_account_questions.py).
# On the folded text (katakana in hiragana).
D_ACCOUNT_WORDS = re.compile(r"dあかうんと|dぽいんと|でぃーあかうんと|でぃーぽいんと|どこもあかうんと")
# What of them the page does not say: the points themselves, the dアカウント's own ID, password, log-in or creation
# (「dアカウントのパスワード」, not the OCN ID's in 「OCN IDとdアカウントを連携」), taking the link back.
D_ACCOUNT_DETAILS = re.compile(
    r"dぽいんと(は|が|って|の)?(どれくらい|どのくらい|どれぐらい|何ぽいんと|いくら|いつ|有効期限|使い|つかい|使え|つかえ|"
    r"たまらない|貯まらない|もらえない|付与|確認)|"
    r"(dあかうんと|でぃーあかうんと)(の|に|を|が|って|は|で)?(id|ぱすわーど|ろぐいん|作|つく|新規|登録|とは|何|なに|"
    r"持って|もって)|"
    r"解除|かいじょ|外し|はずし|外す|はずす|やめたい|やめる|取り消|とりけし"
)
# Points that do not come: a problem with the link, even when the link is named (「連携してるのにたまらない」).
D_POINTS_PROBLEM = re.compile(r"たまらない|貯まらない|もらえない|つかない|付かない")
# The link itself asked about: the help page's answer (「dアカウントと連携するには？」「連携の方法」).
LINKING_ASKED = re.compile(
    r"(連携|れんけい)(の|する|を|は)?(方法|仕方|しかた|やり方|やりかた|手順|したい|させたい|するには|して|しよう)"
)
UNLINKING = re.compile(r"解除|かいじょ|外し|はずし|外す|はずす|やめ|取り消|とりけし")
LINKING_WORDS = re.compile(r"連携|れんけい|ひもづけ|紐づけ|紐付け")


# What follows 「調べて」「送って」 when the bot is asked to do it: not 「もらえないんですか」 (asks whether it can).
_ASKED_OF_THE_BOT = (
    r"(ください|下さい|くださ|ほしい|欲しい|もらえ(?!ない|ません)|もらい|いただけ(?!ない|ません)|いただきた|くれ(?!ない|ません)|"
    r"(いただく|もらう)(こと|の)|$)"  # 「調べていただくことはできますか」
)
# 「お客さま番号を調べてください」「ログイン履歴みせて」「OCN IDを確認してほしい」: the bot itself asked to look it
# up, which is the chat's procedure (not 「教えて」, which asks as much for the way). On the folded text.
_ASKS_THE_BOT_TO_LOOK = re.compile(r"(調べて|しらべて|確認して|かくにんして|見せて|みせて)" + _ASKED_OF_THE_BOT)


# A reply to 「「taro.yamada@ocn.ne.jp」と読み取りました」 that corrects the reading, even after a yes (「はい、一文字
# 違います」「ほぼ合ってます」「たろうじゃなくてじろうです」): no code is sent (actions/verification_slots.py).
CORRECTS_THE_READING = re.compile(
    r"違|ちが|ちか[うい]|じゃなく|ではなく|じゃない|でない|ではない|おしい|惜しい|ほぼ|ほとんど|だいたい|大体|最後|さいご|"
    r"一文字|ひともじ|一字|もう一度|もう一回|もういちど|もういっかい|言い直|いいなお|間違|まちが|まちか|修正|しゅうせい|"
    r"だけ|以外|いがい"
)
# 「調べてもらわなくていい」「確認してくれなくていい」: the request turned down.
NEGATED_REQUEST = re.compile(r"なくて|ないで|なくても")


# A wish (「確認したいです」「再設定をお願いします」), or a request (REQUEST_FORM: 「調べてもらえますか」): at the offer of
# the chat procedure, said of the topic just answered, it takes the offer (actions/replies.py).
_WISH = re.compile(r"たい|ほしい|欲しい|お願|おねが|頼|たのみ|たのむ")


_THEMSELVES_OR_LATER = re.compile(
    r"自分で|じぶんで|自力|まいぺーじ|mypage|後で|あとで|後ほど|のちほど|今度|こんど|また|まず|先に|さきに|探して|さがして|"
    r"てみ|からにし|から(やり|やる|し)|けど|ですが"
)


def wishes_it_done(text: str) -> bool:
    """「OCN IDを確認したいです」「パスワードの再設定お願いします」; not a question (「どこで確認したらいいですか」), a
    negated request (「調べなくていいです」) nor a condition (「変えたいけど…」 is still a wish: it counts)."""
    word = fold(text)
    if QUESTION_WORDS.search(word) or NEGATED_REQUEST.search(word) or "ない" in word:
        return False
    if _THEMSELVES_OR_LATER.search(word) or PUTS_OFF.search(word):
        return False  # 「自分で確認したいです」「マイページで確認してみたい」「書類を探してからにします」: not here, not now
    question = "?" in text or "？" in text or word.endswith(("か", "かな", "の", "っけ"))
    if question and not REQUEST_FORM.search(word):  # 「確認してもらえますか」 is a request
        return False
    return bool(_WISH.search(word) or REQUEST_FORM.search(word))


# 「調べていただけませんか」「調べていただくことはできませんか」: a polite request in the negative, no "no" (folded).
_POLITE_NEGATIVE_REQUEST = re.compile(r"(いただけ|もらえ|くれ|でき)ません(か|でしょうか)")


def as_a_plain_request(word: str) -> str:
    """The folded text with a polite negative request put plainly (「…できませんか」 -> 「…できますか」)."""
    return _POLITE_NEGATIVE_REQUEST.sub(r"\1ます\2", word)


# 「どこかにしまい込んで」「何かの書類」: somewhere, something — no question word (folded).
_INDEFINITE = re.compile(r"(どこ|何|なに|いつ|誰|だれ)か(に|で|の|へ|を|が|は)")


def asks_the_bot_to_look(text: str) -> bool:
    word = as_a_plain_request(fold(text))
    # 「OCN IDが何だったか調べてもらいたい」 asks nothing itself; nor 「どこかにしまい込んで」
    asked = _INDEFINITE.sub("", EMBEDDED_QUESTION.sub("", word))
    return bool(_ASKS_THE_BOT_TO_LOOK.search(word)) and not (
        NEGATED_REQUEST.search(word) or QUESTION_WORDS.search(asked)
    )


# Whether two things are the same or differ (folded; 「別のもの」「同じ」「same thing」).
SAME_OR_DIFFERENT = re.compile(
    r"別の|べつの|別もの|べつもの|同じ|おなじ|違う|ちがう|違い|ちがい|一緒|いっしょ|same|different"
)
# The one just spoken of (「それは…」「そっちも…」), folded.
POINTS_BACK_TO_IT = re.compile(r"^(それ|そっち|そちら|これ|あれ)|(それ|そっち|そちら)(は|って|と|も)")
# What one ID looks like or which it is (「どういう形の番号」「お客さま番号というのはどれ」), folded.
WHAT_IT_LOOKS_LIKE = re.compile(
    r"どれ(です|でしょう|のこと|ですか|か$)|どんな(形|かたち|番号|もの)|どういう(形|かたち|番号)|何桁|なんけた|形式"
)
# Not knowing which, said in a sentence (「どちらなのか、私には見当もつきません」「どっちかわかんない」), folded.
NO_IDEA_WHICH = re.compile(r"(どちら|どっち|どれ).{0,10}(見当|けんとう|わから|分から|わかん|知らな|しらな)")
# Understood, said with weight (「大変よく分かりました」「よーくわかりました」), folded: the answer did it.
UNDERSTOOD_WELL = re.compile(
    r"(よく|よーく|大変よく|とてもよく|すごくよく|おかげさまで|お陰様で)(よく)?(分かりました|わかりました|理解できました)"
)
# The customer doing it themselves (「自分でマイページで見る」), folded.
BY_ONESELF = re.compile(r"自分で|じぶんで|自力で|じりきで")
# Which ID a thing is done with (「どのIDを使うんでしょう」「IDはどれ？」), folded.
WHICH_ID_ASKED = re.compile(
    r"(どの|どっちの|どちらの|何の|なんの)(id|あいでぃ|番号)|(id|番号)(は|って)(どれ|どっち|どちら)"
)
# A question inside a request (「何だったか」「どれだったか」), folded.
EMBEDDED_QUESTION = re.compile(r"(何|なん|どれ|どこ)(だった|なの|でした)か")


# 「お客さま番号をSMSで送ってほしい」「接続用IDを郵送で送ってください」: the bot asked to send the ID itself, which the
# chat's procedure does. On the folded text.
_ASKS_THE_BOT_TO_SEND = re.compile(r"(送って|おくって)" + _ASKED_OF_THE_BOT)


def asks_the_bot_to_send(text: str) -> bool:
    word = fold(text)
    return bool(_ASKS_THE_BOT_TO_SEND.search(word)) and not (
        NEGATED_REQUEST.search(word) or QUESTION_WORDS.search(word)
    )


# 「OCN IDのパスワードリセットしてほしい」「再設定してください」: the bot asked to reset the password, which the chat's
# procedure does (a wish, 「再設定したいです」, the writers answered with the way). On the folded text.
_ASKS_THE_BOT_TO_RESET = re.compile(r"(りせっと|再設定|さいせってい)(を|)(して|やって)" + _ASKED_OF_THE_BOT)


# 「…送ってもらうことってできますか」「…していただくことは可能でしょうか」: whether it can be done, asked (folded).
_ASKS_IF_IT_CAN_BE_DONE = re.compile(r"(こと|の)(って|は|が|)(でき|可能|かのう)(ます|る|ません|)(か|でしょうか|の)")


def asks_the_bot_to_reset(text: str) -> bool:
    """「OCN IDのパスワードリセットしてほしい」; not negated, a question, nor whether it can be done (「…リセットして
    もらうことってできますか」)."""
    word = fold(text)
    return bool(_ASKS_THE_BOT_TO_RESET.search(word)) and not (
        NEGATED_REQUEST.search(word) or QUESTION_WORDS.search(word) or _ASKS_IF_IT_CAN_BE_DONE.search(word)
    )


def asks_for_chat_procedure(text: str) -> bool:
    """「チャットでお願いします」「ここで手続きしたい」, 「ちやっとで」 (a flick slip) included."""
    return bool(_CHAT_PROCEDURE_REQUEST.search(fold(text)))


# The same request typed with any flick slip (「ちやっとておねかいします」「てつつきしたいてす」), compared without
# slips: read only as the answer to 「チャットでのお手続きをご希望ですか？」, where little else is meant.
_CHAT_PROCEDURE_REQUEST_SLIPPED = re.compile(without_slips(_CHAT_PROCEDURE_REQUEST.pattern))
_NEGATED_SLIPPED = re.compile(without_slips(r"ない|ません|やめ|いや|いら|結構|けっこう|後で|あとで"))


def asks_for_chat_procedure_despite_slips(text: str) -> bool:
    """「ちやっとておねかいします」 to the offer of a procedure: its request; not 「てつつきはしないてす」."""
    word = without_slips(fold(text))
    return bool(_CHAT_PROCEDURE_REQUEST_SLIPPED.search(word)) and not _NEGATED_SLIPPED.search(word)


# 「やる」「それやって」「見たい」「しょうがねえな、やるよ」 to 「チャットでのお手続きをご希望ですか？」: the bot asked to do
# it, or what it shows wished for: a yes in other words (the whole reply, on the folded text without slips).
_TAKES_IT_UP = re.compile(
    without_slips(
        r"^(?:はい|うん|ええ|じゃあ|じゃ|では|なら|それなら|まあ|しょうがね[えー]な|しょうがないな|しかたないな|"
        r"仕方ないな|hai|ok)*(?:それ|これ|そっち|そちら|こっち|こちら|ここ|このまま)?(?:で|を)?"
        r"(?:やる|やります|やるよ|やるわ|やって(?:ください|くれ|ほしい|ほしいです|よ)?|頼む|たのむ|頼みます|たのみます|"
        r"みたい|見たい|みたいです|見たいです|知りたい|しりたい|知りたいです|しりたいです|"
        r"見せて|みせて|見せてください|みせてください)$|"
        r"^(?:じゃあ|じゃ|では|なら|それなら|まあ)それで(?:いい|いいです|いいよ)?$"  # 「じゃあそれで」
    )
)
_ROMAJI_CHAT = re.compile(
    r"(?:はい|hai|ok|yes)*chat ?(?:de|で|please|onegai|おねがい)(?:おねがい|onegai|please)*"
)  # fold: de→で


_AFTER_A_REASON = re.compile(r"ので|から")


def after_the_reason(word: str) -> str:
    """What a folded reply says after its last reason (「今日は時間がないのでまた今度で」: 「また今度で」): a reason's
    「ない」「ません」 negate nothing asked for (「自分ではできそうにございませんので、こちらでお願いできますか」)."""
    return _AFTER_A_REASON.split(word)[-1] or word


def takes_up_the_offer_in_words(text: str) -> bool:
    """「やる」「それやって」「見たい」「hai, chat de」, or the chat asked for (「このままこちらでやっていただけると助かる
    のですが」, asks_for_chat_procedure) to the offer of a procedure; not put off or declined (「あとでやる」)."""
    word = as_a_plain_request(fold(text))
    slipped = without_slips(word)
    asked = _TAKES_IT_UP.match(slipped) or _ROMAJI_CHAT.fullmatch(word) or asks_for_chat_procedure(text)
    asked = asked or asks_the_bot_to_look(text)  # 「ぜひ調べていただきたく存じます」
    said = after_the_reason(word)
    said_slipped = without_slips(said)
    declined = _NEGATED_SLIPPED.search(said_slipped) or PUTS_OFF.search(said) or INSTEAD_OF.search(said)
    return bool(asked) and not (declined or _CANNOT_OR_AFRAID.search(said))


# How a thing is done (not 「お客さま番号も教えて」, which asks for the number itself).
ASKS_THE_WAY = re.compile(r"方法|ほうほう|やり方|やりかた|変え方|かえかた|仕方|しかた|手順")
# 「パスワードの変え方を教えてください」「再設定のやり方」: how to do it, not a request that the bot does it.
ASKS_HOW_TO = re.compile(rf"教えて|おしえて|{ASKS_THE_WAY.pattern}")
# 「ついでにログイン履歴も見られますか」: whether this too can be done, from a customer the bot could do it for.
ALSO_IF_IT_CAN_BE_DONE = re.compile(
    r"(ついでに|ついてに|も).{0,12}(見られ|見れ|みられ|みれ|表示でき|ひょうじでき|確認でき|かくにんでき|調べられ|しらべられ|"
    r"送れ|おくれ|送ってもらえ|おくってもらえ)(ます|る)(か|)$"
)
# 「パスワードも再設定してほしい」「ログイン履歴も見たい」: a wish that something be done.
WISHES_IT_DONE_FOR_ME = re.compile(r"(て|で)ほしい|(て|で)欲しい|てもらいたい|たい(です)?$")
# 「チャットでは無理です」「チャットは不安」: the chat itself declined.
_CANNOT_OR_AFRAID = re.compile(r"無理|むり|不安|ふあん|怖|こわ|なく")


_CHAT_OR_PROCEDURE_SLIPPED = re.compile(without_slips(r"ちゃっと|ちやっと|手続|てつづき"))


def asks_for_the_chat_procedure_despite_slips(text: str) -> bool:
    """The same, saying the chat or the procedure itself (「ちやっとててつつきしたいてす」): read anywhere, unlike a
    bare 「こちらで…もらえますか」, which asks as much for something else."""
    slipped = without_slips(fold(text))
    return asks_for_chat_procedure_despite_slips(text) and bool(_CHAT_OR_PROCEDURE_SLIPPED.search(slipped))


# At 「…よろしいですか？」, a short request to go ahead (「早くやって」「見せてください」) is a yes unless it is negated
# (「送らないで」「やっぱりやめて」): matched on the folded text.
GO_AHEAD = re.compile(
    r"やって|やっちゃって|しといて|しておいて|やっといて|進めて|すすめて|見せて|みせて|送って|おくって|お願|おねが|頼|たのむ|たのみ|"
    r"実行|早く|はやく|どうぞ"
)
# At 「…表示します。よろしいですか？」 also what it shows asked for (「表示してください」「はい、IDを教えてください」);
# elsewhere 「教えて」 asks a question and 「表示して」 may ask for My Page.
GO_AHEAD_AT_THE_END = re.compile(rf"{GO_AHEAD.pattern}|表示して|ひょうじして|教えて|おしえて")
# 「はい、結構でございます。よろしくお願いいたします。」 at 「…よろしいですか？」: a yes, then fine (its 結構 agrees).
YES_THEN_FINE = re.compile(r"^(はい|ええ)(それで|)(結構|けっこう|大丈夫|だいじょうぶ)(です|でございます)")
# 「それで」「それで結構です」「こちらでお願いします」 at 「…よろしいですか？」: the way just confirmed is the one wanted
# (its 結構 is no "no, thanks").
SETTLES_ON_IT = re.compile(
    r"(じゃあ|では|なら|はい|)(それ|これ|そちら|こちら|そっち|こっち)で"
    r"(いい|結構|けっこう|大丈夫|だいじょうぶ|問題ない|構いません|かまいません|おk|ok|お願い|おねがい|よろしく|宜しく|)"
    r"(です|ですよ|よ|します|いたします|ございます|でございます|)"
)
NEGATED = re.compile(r"ない|ません|やめ|止め|待って|まって|いや|違|ちが|不要|結構|けっこう|だめ|きゃんせる|cancel")
# A stop, a hold or nothing asked for (「中断でお願いします」「保留で」「手続きはなしでお願いします」「ちゅうしで」): never a
# go-ahead at 「よろしいですか？」 (actions/choices.py). Also with flick slips (「なしておねかいします」「ちゅうたんて」).
_ASKS_TO_STOP_SLIPPED = re.compile(
    without_slips(
        r"中断|ちゅうだん|保留|ほりゅう|無しで|なしで|中止|ちゅうし|取りやめ|取り止め|とりやめ|すとっぷ|stop|見送|みおく|"
        r"延期|えんき|遠慮|えんりょ"
    )
)  # slipped, 「話して」 (はなして) reads as 「はなしで」 too: at the confirmation it is asked again, the safe side


def asks_to_stop(word: str) -> bool:
    """A folded reply that asks for a stop, a hold or nothing (「中断」「保留」「なしで」…, also slipped)."""
    return bool(_ASKS_TO_STOP_SLIPPED.search(without_slips(word)))


# A choice named to turn it down (「SMSは嫌です」「郵送以外で」「SMSじゃなくて」), on the folded text.
TURNS_DOWN = re.compile(r"嫌|以外|なく|無理|むり|ちょっと")
# A reply that chooses what it names (「マイページで見たいです」「郵送がいい」), not a question about it
# (「郵送って何日かかる？」) nor news (「携帯番号変わったんだけど」).
CHOOSES = re.compile(
    r"で(お願|おねが|受け取|うけと|送|おく|いい|見|み|表示|ひょうじ|頼|たの|欲し|ほし)|がいい|が欲し|がほし|にし|希望|きぼう"
)
# 「どっちでもいいです」「お任せします」 to the question how to receive the connection ID: the choice left to us.
ANY_WILL_DO = re.compile(
    r"(どっち|どちら|どれ|なん|何)でも(いい|良い|よい|かまわ|構わ|かまい|構い|大丈夫|だいじょうぶ|ok)|"
    r"(?<!に)(おまかせ|お任せ|まかせ|任せ)|(そちら|そっち)で(決め|きめ|選ん|えらん)"
)
# 「どっちが早い？」「どちらがいいですか」: two ways compared, a question (not a choice, not an ID).
COMPARES_WAYS = re.compile(r"(どっち|どちら|どれ)(が|の方が|のほうが)")
# What makes a reply that names a way something else than choosing it: a condition (「郵送で送ってもらうと…」「郵送
# なら」), what came before (「郵便で送られてきた紙」), what the customer is doing now (「スマホで見ています」), or more
# to say (「紙で欲しいけど…」). On the folded text.
NOT_CHOOSING_IT = re.compile(
    r"と(何|なん|いつ|どれ|どの|手数|料金)|なら|場合|ばあい|たら|(て|れて|られて)きた|てい(ます|る)|てる|けど|けれど|だが"
)
# What the help page does not say of the ways to receive it: what they cost, how many days the post takes.
RECEIVING_DETAILS = re.compile(
    r"料金|お金|おかね|有料|無料|費用|いくら|ただで|何日|なんにち|日数|いつ(届|とど|ごろ|頃|まで|着)|"
    r"(どのくらい|どれくらい|どのぐらい|どれぐらい)(で|かか)|早い|はやい|早く(届|とど|着|つ)|はやく(届|とど|着|つ)|"
    r"先に(着|届|つ|とど)|時間が?(かか|掛か)|手数料"
)

# At the final 「…よろしいですか？」, a change of mind (「やっぱりやめます」「もういいです」) is a no, whatever the
# classifier made of the 「はい、」 in front of it; 「ちょっと待って」 is asked again. Matched on the folded text.
CHANGE_OF_MIND = re.compile(
    r"やめ|止め|きゃんせる|cancel|中止|取り消|取消|とりけし|もういい|いらない|要らない|不要|やっぱ(り)?(いい|結構|けっこう|大丈夫|だいじょうぶ|なし|いら)"
)
# 「やっぱり結構です」 flick-typed (「やっはりけっこうてす」), compared without slips (actions/choices.py); only this part
# of CHANGE_OF_MIND: without slips, the small ゃ of 「じゃ、メールで」 would make 「やめ」.
CHANGE_OF_MIND_TYPED_WITH_SLIPS = r"やっぱ(り)?(いい|結構|けっこう|大丈夫|だいじょうぶ|なし|いら)"
# Compared with without_slips(fold(text)).
CHANGE_OF_MIND_SLIPPED = re.compile(without_slips(CHANGE_OF_MIND_TYPED_WITH_SLIPS))
# 「あ、パスワード思い出しました」「番号が見つかりました」 at the final 「…よろしいですか？」: the need has gone, a no.
# The classifier reads them as the topic (a forgotten password), and the procedure's name in them is no go-ahead.
# Only a finished, unqualified statement: not 「見つかりません」「思い出したい」「思い出しましたが、念のため…」, nor
# 「知らないログインがありました」 (a report, not a need gone).
NO_LONGER_NEEDED = re.compile(
    r"((思い出|思いだ|おもいだ)し|見つかり|みつかり|見つけ|みつけ|(?<!が)(?<!は)あり|ろぐいんでき|解決し|かいけつし)"
    r"(ました|た)(?!い|ら|けど|けれど|が|の?に)"
)
# What may stand beside a procedure's name in a go-ahead that names it (「パスワード再設定で」「再設定です！」).
AROUND_A_NAME = re.compile(
    r"[、。!！.…~〜ー\s]|^(はい|ええ|うん|じゃあ?|では|あ)|で$|です$|を?(お願|おねが).*$|の?(手続き|てつづき)$"
)
WAIT_A_MOMENT = re.compile(r"待って|まって|ちょっと待|ストップ|すとっぷ")
# 「いえ、もうやめます」 to 「新しいコードをお送りしますか？」 stops the procedure (いらない there only declines the
# new code); not 「キャンセルしないで待ちます」.
STOPS_THE_PROCEDURE = re.compile(
    r"やめます|やめておき|やめとき|やめとく|やめる$|やめたい|やめにし|止めます|中止して|中止します|中止で|中止したい|"
    # 「いや、もういいです」 alone (not 「もういいから再送して」「説明はもういいから早くやって」)
    r"^(いや|いえ|いいえ|あー|あの|もう)?もういい(です|よ|や|わ)?$|"
    r"きゃんせるして|きゃんせるします|きゃんせるで|きゃんせるしたい|取り消して|取り消します|取り消したい|cancel"
)
# 「もういいよ」「もういらない」「いや、もう結構」「じゃあいいです」 as the whole reply after an answer, nothing running:
# the customer is leaving (actions/procedure_run.py, actions/replies.py), on the folded text.
HAD_ENOUGH = re.compile(
    r"(いや|いえ|いいえ|あー|あの|はあ|はぁ)?(もう|じゃあ|じゃ|それなら|だったら)(いい|いらない|要らない|結構|けっこう)"
    r"(です|よ|や|わ|っす|から)?(もう)?[!！。…]*"
    r"([、,。\s]*(やめ(ます|る|とく|ときます|ておきます)|おわり|終わり|終わりです|失礼します|さようなら)[!！。…]*)?"
)  # 「もういいです、やめます」「もういいわ。おわり」: the same, with the word that ends it
# 「なしで」「もう大丈夫です」「今回はいいです」 at 「よろしいですか？」: declined (declines_in_words).
_DECLINES_AT_THE_END = re.compile(r"なし|無し|大丈夫|だいじょうぶ|いいです|いいや|いいよ")


def declines_in_words(text: str) -> bool:
    """At 「よろしいですか？」, words that decline, negate or ask to stop (「送らないでください」「今回は見送ります」「なしで」
    「もういっか」「ちゅうしで」), in a reply that asks nothing (「中断したらどうなりますか」「これでいいかな」 ask)."""
    word = fold(text)
    if "?" in text or "？" in text:
        return False
    if _NEVER_MIND.search(word):
        return True  # 「もういっか」: its か is no question
    if QUESTION_FORM.search(word) or QUESTION_WORDS.search(word) or OBLIGATION.search(word):
        return False  # 「メールソフトの方もやらなきゃだめ」: what must be done, asked, not declined
    said = NEGATED.search(word) or DECLINES_IT.search(word) or _DECLINES_AT_THE_END.search(word)
    return bool(said or asks_to_stop(word))


_NEVER_MIND = re.compile(r"(いっか|いいか)$")
# What must be done, asked without a question mark (「メールソフトの方もやらなきゃだめ」).
OBLIGATION = re.compile(r"なきゃ|なくちゃ|なければ|ないと(いけ|だめ|駄目|まず)|なくては|ねば")


# Put off to another time as what a reply ends on (「きた！けどもう出なきゃだからまた今度にするわ」): while a procedure
# runs, a stop (not 「後でコード入れます」, nor 「またお願いします」 asking for a code again). Folded text.
ANOTHER_TIME = re.compile(r"(また今度|またこんど|今度に|こんどに|次回|じかい|日を改め|ひをあらため|出直|でなお)")
KEEPS_ON = re.compile(r"しないで|せず|ずに|やめない|やめません|止めない|たくない|しません|じゃない|つもりはない")

# A person asked for in words, whatever else the message says (「いいえ、よくわからなかったので人につないで」
# 「不安なので担当の方と直接話せますか」), matched on the folded text; flick slips of つないで/話して included.
ASKS_FOR_A_PERSON = re.compile(
    r"((?<![\u4e00-\u9fff])人|ひと|担当|たんとう|おぺれーたー|有人|すたっふ|係の|人間|にんげん)(の方|のかた|者|しゃ|さん)?"
    r"(と|に|へ)(直接)?(話(したい|せ|させ|がしたい)|はな(したい|せ|させ)|つな|繋|代わ|代え|かわ|かえ|替わ)|"
    r"talkto(a|an)?(human|person|operator|agent|staff)|(human|realperson|operator)please|"  # folded: no spaces
    # 「やっぱ人に聞く」 at the end: a person, not someone of the customer's own (「家の人に聞く」「会社の人に」)
    r"(?<![\u4e00-\u9fffのがはもと])(人|人間)に(聞く|きく)(わ|よ)?$|"
    # Staff asked for in a request (「オペレーターさんお願いします」「窓口の人に聞きたい」「係の人を呼んでください」);
    # not 「会社の担当者に聞いてみます」 (the customer's own plan) nor 「家の人に聞きます」.
    r"(担当|たんとう|おぺれーたー|すたっふ|さぽーとの(人|ひと|方|かた)|窓口の(人|ひと|方|かた)|係の(人|ひと|方|かた)|有人|"
    r"人間|にんげん|(?<![\u4e00-\u9fff])人(?=を|に対応|で対応))(者|しゃ)?(さん|の方|のかた)?(と|に|へ|を|で)?(直接)?"
    r"(お願いします|お願いしたい|お願いできま|おねがいします|おねがいしたい|呼んで|よんで|呼べ|よべ|"
    r"対応して(ほし|くださ|下さ|もらい|もらえ)|対応を(お願|おねが)|対応に(して|かえ|代え)|対応で(お願|おねが)|対応でき(ます|る)か|"
    r"相談したい|相談させ|相談でき(ます|る)か|そうだんしたい|聞きたい|ききたい|聞けま|きけま)|"
    # demanded or asked after, as the whole reply's end (「人間出せ」「誰か人出して」「人間いないの？」「担当者はいませんか」;
    # not 「担当者はいないので私が…」「担当の人出してくれた書類」, said of someone else)
    r"(人間|にんげん|担当|たんとう|おぺれーたー|すたっふ|有人|(?<![\u4e00-\u9fff])人)(者|しゃ)?(さん)?(を)?"
    r"(出せ|出して|だせ|だして)(よ|くれ|ください|くれよ|ほしい|欲しい|もらえますか|もらえる|くれませんか)?$|"
    r"(人間|にんげん|担当者|たんとうしゃ|おぺれーたー|すたっふ|有人)(の方|さん)?(は|って)?(いない|いません|おらん|おりませ)"
    r"(ん)?(の|か|ですか|んですか|のですか|でしょうか)?$"
)
# The reply's last clause (split at punctuation and spaces, as typed) that asks for a person by itself: 「むり？人間で」
# 「有人でお願い」 (how it should be handled), 「English の staff いますか?」 (asked after); not 「機械に弱い人間で…」
# 「会社にネットの担当者はいます」 (said of someone).
_PERSON_IN_THE_LAST_CLAUSE = re.compile(
    r"(人間|にんげん|有人|おぺれーたー|担当者|たんとうしゃ)(さん)?で(お願い|おねがい|たのむ|頼む)?|"
    r"(english|英語|えいご)?の?(人間|にんげん|担当者|たんとうしゃ|おぺれーたー|すたっふ|staff|有人)(の方|さん)?(は|って)?"
    r"(いますか|いませんか|いらっしゃいますか|おりますか)"
)


def asks_for_a_person(text: str) -> bool:
    """A person asked for in words (ASKS_FOR_A_PERSON anywhere, or the last clause alone asking for one)."""
    clauses = [c for c in re.split(r"[、。,.!！?？]+", nfkc(text).strip()) if c.strip()]
    last = re.sub(r"^\W+", "", fold(clauses[-1])) if clauses else ""  # 「むり？😭 人間で」: the emoji before it
    return bool(ASKS_FOR_A_PERSON.search(fold(text)) or _PERSON_IN_THE_LAST_CLAUSE.fullmatch(last))


# …unless it declines one (「人につながなくていいです」 "I don't want to talk to a human").
DECLINES_A_PERSON = re.compile(
    r"(な(く|い)|ません|ずに)(て)?(いい|大丈夫|結構)|わけでは|わけじゃ|訳では|訳じゃ|don'?t|donot|nothanks|nottalk"
)

# A greeting in words (not 「どうも」, which after an answer is thanks), or a new question announced.
GREETS_OR_ASKS = re.compile(r"こんにちは|こんばんは|おはよう|はじめまして|初めまして|質問|しつもん")

# During a procedure, another one asked for instead, matched on the folded text: 「確認じゃなくて履歴にして」
# names it after the "not" (INSTEAD_OF); 「やっぱりログイン履歴のほうが見たい」 names it with a change of mind
# (CHANGE_TO); either must be a request (SWITCH_REQUEST), not a question (「やっぱり履歴って何日分見られますか」),
# and not the choice of an ID to be identified with (「OCN IDでもいい？」, CHOOSES_AN_ID).
# 「お客さま番号で本人確認」「OCN IDで入れます」: an ID named as the one to be identified with, not a new subject.
IDENTIFIES_WITH = re.compile(r"(id|番号|ばんごう|あどれす|めーる)(で|から)(?!は)|本人確認|ほんにんかくにん|こーど")
INSTEAD_OF = re.compile(r"じゃなくて|じゃなく|ではなく|でなく|かわりに|代わりに")
CHANGE_TO = re.compile(r"やっぱ|のほうが|の方が|のほうに|の方に|に変え|に変更|に切り替|に切りかえ")
SWITCH_REQUEST = re.compile(
    r"にして|してもら|してくださ|お願|おねが|がいい|見たい|みたい|したい|知りたい|しりたい|に変え|に変更|に切り替|ほうが|方が|"
    r"(ほう|方)で$|(送|おく)って(くださ|ほし|もら)"  # 「やっぱり接続用IDとパスワードを受け取るほうで」「…を郵送で送ってください」
)
QUESTION_FORM = re.compile(
    r"か$|かな$|の$|何(?!度|卒|とか)|なに(が|を|で|も)|どこ|いつ(?!も)|どう(すれ|したら|やって|なる|なり)|どれ(?!す)"
)
CHOOSES_AN_ID = re.compile(
    r"(id|番号|ばんごう|あどれす|めーる)(で|でも)(お願|おねが|いい|大丈夫|だいじょうぶ|可能|でき|$)"
)

# Right after a procedure was cancelled, a change of mind back (「ごめん やっぱ今やる」「やっぱりお願いします」):
# the cancelled procedure again. Matched on the folded text, and not when negated.
RESUMES = re.compile(
    r"(?:今|いま)(?:やる|やり|する|し(?:ます|たい))|"
    r"やっぱ(?:り)?(?:さっきの|先ほどの|その|それ)?(?:確認|手続き|てつづき|件|チャット|ちゃっと|の|を|で)*"
    r"(?:やる|やり|する|します|お願|おねが|続け)|"
    r"続きを|再開|"
    r"(もう一回|もういっかい|もう一度|もういちど|)(最初|さいしょ)から(お願|おねが|やり|して|もう一)"  # 「もう一回最初からお願い」
)
# …unless it puts it off (「後でやります」「また今度」「自分でやります」).
# At the final 「よろしいですか？」: a request in question form (「送ってもらえますか」) is a go-ahead; a question
# about what would happen if (「送ってもらったらすぐ届きますか」「進めて大丈夫ですか」), or a hesitation, is not.
REQUEST_FORM = re.compile(r"もらえ|もらい|いただけ|頂け|くれ|くださ|下さ|お願いでき|おねがいでき")
ASKS_WHAT_IF = re.compile(r"たら|すると|ると|れば|てもいい|ても大丈夫|ていい|て大丈夫|ても平気")


def in_a_requests_form(word: str) -> bool:
    """「送ってもらえますか」「…見られるようにしていただけますか」 (folded): a request, though shaped as a question; not
    「送ってもらったらすぐ届きますか」, which asks what would happen."""
    return bool(REQUEST_FORM.search(word)) and not ASKS_WHAT_IF.search(word)


HESITATES = re.compile(r"迷|まよ|相談|そうだん|考え|かんがえ|ようかな|しようか")
# A yes in words, also flick-typed (「おねかいします」) or in romaji (「hai」): with nothing that holds it back, the
# final confirmation's yes even when the classifier is unsure of it. Compared without slips.
SAYS_YES = re.compile(
    without_slips(
        r"^(?:はい|はーい|うん|ええ|おk|おけ)|お願い|おねがい|頼|たのむ|たのみ|どうぞ|進めて|すすめて|送って|おくって|"
        r"やって|^(?:hai|yes|ok|okay|sure|please)|onegai|yoroshiku"
    )
)
# 「問題ありません」「構いません」「差し支えありません」: agreement in polite negative form (a yes to 「よろしいですか？」;
# their ない／ません hold nothing back).
AGREES = re.compile(
    r"(?:問題|もんだい)(?:ない|ありません|ございません)|(?:構|かま)(?:いません|わない)|"
    r"(?:差し支え|さしつかえ)(?:ない|ありません|ございません)"
)
# What keeps a yes at the final confirmation from being one (it acts on the account, so it is asked again): later
# or first something else, a condition, a hesitation or fear, a mistake, a negation, a hedge, a doubt of who asked.
HOLDS_BACK = re.compile(
    r"後で|あとで|今度|こんど|明日|あした|来週|らいしゅう|[月火水木金土日]曜|分後|時間後|帰っ|前に|まえに|その前|"
    r"てから|でから|たら|えば|けば|れば|間違|まちが|みす|かも|たぶん|多分|けど|けれど|でも|but|wait|notsure|"
    r"ない|ねー|ません|ではあり|今は|いまは|まだ|怖|こわ|不安|自分で|じぶんで|誰|だれ|勝手|かって|"
    # 「いいえもう大丈夫です」「あ、いえ、大丈夫です」: a no, however it is read (not 「イエス」, folded 「いえす」)
    r"^(あ|ああ|あー|ん|んー|うーん|えっと|えーと|えー|その)?(いいえ|いえ(?!す)|いや(?!ー|す))|もう(大丈夫|だいじょうぶ|いい)|"
    # 「じゃあいいです」「それならいいや」: never mind as much as go ahead; 「嫌です」: a no
    r"^(じゃあ|じゃ|それなら|だったら|なら)(いい|結構|けっこう)|嫌"
)
# 「あとで」「また今度」 as the whole reply to an offer: not now.
LATER_ALONE = re.compile(r"(また)?(あとで|後で|今度|こんど)(で|に)?(いい|いいです|します|する)?(です)?")
PUTS_OFF = re.compile(
    r"(後で|あとで|今度|こんど|また|明日|あした|自分で|じぶんで).{0,6}?"
    r"(やり|やる|やっ|します|する|したい|にし|お願|おねが|試|ため|確認|かくにん|調べ|しらべ|探|さが)|"
    r"また今度|またこんど"
)
# After 「いいえ」 to the offer of a procedure, wanting it after all asks for it in the present (「やっぱりお願い
# します」「やっぱりチャットでやります」), not 「今やりました」 (done on My Page).
TAKES_UP_THE_OFFER = re.compile(
    r"^(すみません|すいません|ごめん(なさい)?|あの|えっと|えーと|あー|あっ|あ)?(やっぱ(り)?|やはり)(ちゃっとで|こちらで|ここで|"
    r"(お)?手続き(を)?|ぜひ|それ(を)?|その手続き(を)?)?(お願い(します|いたします|したいです|したい)?|おねがい(します|いたします)?|"
    r"やります|やってください|やってほしいです|します|したいです|したい|頼みます|たのみます|やる|"
    r"(調べて|しらべて)(ほしい|欲しい|ください|もらいたい)(です|)(かな|)|(調べて|しらべて)(もらおう|もらう))(ね|よ|わ)?[ー〜🙏]*$"
)  # the whole folded reply: not 「やっぱりお願いしなくて大丈夫です」「やっぱりやりますか」
# An apology is no refusal: 「すみません、やっぱりお願いします」 (NEGATED would read the ません).
APOLOGY = re.compile(r"すみません|すいません|申し訳ありません|もうしわけありません")

# A question on how a procedure goes that the help page does not answer: how long its link or code stays valid,
# how long it takes to arrive, what it costs (「再設定のリンクはいつまで有効ですか」「料金はかかりますか」).
PROCEDURE_DETAILS = re.compile(
    r"有効|期限|いつまで(?!も)|何分(?!も)|なんぷん|何時間(?!も)|なんじかん|何日(?!も)|なんにち|"
    r"いつ(頃|ごろ|ころ)?(に)?(届|とど|来|き|く|着|つ)|"  # 「いつ届きますか」: the time to arrive
    r"どれくらい|どのくらい|どれぐらい|どのぐらい|"
    r"料金|りょうきん|お金|おかね|無料|むりょう|有料|ゆうりょう|費用|ひよう|手数料|てすうりょう"
)

# 「リンクってどこに届くの？」「どの携帯に送られますか」 at the final question: where it goes, which the question says.
ASKS_WHERE_IT_GOES = re.compile(
    r"(どこ|どちら|どっち|なにに|何に|どの(けいたい|携帯|すまほ|でんわ|電話|あどれす|めーる))\S{0,8}(届|とど|送|おく|来|くる|きます)"
)
# 「何日かかっても大丈夫です」: a detail named to say it does not matter.
WHATEVER_IT_TAKES = re.compile(r"[てで]も(大丈夫|だいじょうぶ|いい|構|かま|平気|へいき)")
# Ways of receiving that only the connection ID has (its SMS or its post): 「スマホ」 or 「画面」 name no procedure.
ONLY_THE_CONNECTION_IDS_WAY = re.compile(r"sms|えすえむえす|しょーとめ|郵送|郵便|ゆうそう|ゆうびん")
# What else a reply naming a way may name, that the way would then be for (the code, a link, a number, an address).
NAMES_ANOTHER_THING = re.compile(
    r"こーど|本人確認|りんく|再設定|履歴|りれき|番号|ばんごう|住所|じゅうしょ|設定|料金|郵送料|届い|もらった"
)
# 「SMSでもいいですか？」「郵送で大丈夫ですか」: a question that chooses the way (asks leave to).
PERMITS = re.compile(r"で(も)?(いい|大丈夫|だいじょうぶ|構|かま|可能|かのう)")

# While the bot waits for the one-time code: 「届かない」 (where did it go?) and 「もう一度送って」 (a new one).
CODE_NOT_ARRIVED = _folded({
    "届かない", "届いてない", "届いていない", "届きません", "届かず", "届いてません", "とどかない", "とどいてない",
    "来ない", "来てない", "来ていない", "来ません", "来てません", "こない", "きてない", "きていない", "きません",
    "見当たらない", "受信できない", "受け取れない", "not received", "didnt get", "didn't get", "no code",
    # flick slips (the dakuten dropped) and romaji
    "ととかない", "ととかなぃ", "とといてない", "とときません", "ととかす", "konai", "kitenai",
    "todokanai", "todokimasen", "todoitenai", "not come", "hasn't come", "hasnt come", "not arrived",
    "smskimasen", "codekimasen", "kodokimasen",  # not 「kimasen」 alone: 「dekimasen」 holds it
})  # fmt: skip
# The whole reply 「まだ」 at 「届いた6桁の確認コードを…」: not yet, so it did not come.
CODE_NOT_YET = _folded({"まだ", "まだです", "まだだよ", "まだっす", "まだ…", "not yet", "yet"})
CODE_AGAIN = _folded({
    "もう一度", "もう1回", "もう一回", "もういちど", "もういっかい", "もっかい送", "もっかいおく", "再送", "さいそう", "送り直",
    "送りなお", "新しいコード", "あたらしいコード", "新しいのを送", "新しいの送", "新しいのおく", "あたらしいのをおく",
    "あたらしいのおく", "別のコード", "resend", "send again",
})  # fmt: skip
# The same flick-typed (「もういつかいおくって」「さいそうしてくたさい」), compared without slips.
_CODE_AGAIN_SLIPPED = frozenset(without_slips(w) for w in CODE_AGAIN)


_NOT_WANTED = re.compile(r"不要|いらない|要らない|いりません|要りません|結構|けっこう|ないで|なくて|なくていい")


# 「10分過ぎちゃった」「期限切れになりました」 while the code is awaited: the code ran out, so a new one is what helps.
# The code ran out, said as done (「10分過ぎちゃった」「もう10分経った」「期限切れって出ました」): a new code helps. Past
# forms only; 「過ぎたら」「過ぎた場合」 (a condition), 「過ぎちゃう」「過ぎてしまいそう」 (not yet), 「過ぎてません」 are not.
_PAST = r"(た|ちゃった|ちゃいました|ちまった|ました|てる|ている|ています|てた|ていた|てました|てしまった|てしまいました)(?!ら|場合|ばあい|とき|時)"
_CODE_RAN_OUT = re.compile(
    without_slips(
        rf"(期限|きげん|時間|じかん)(が|は|も)?(切れ|きれ|過ぎ|すぎ){_PAST}|"
        rf"(分|ふん|ぷん)(が|は|も|以上|いじょう)?(過ぎ|すぎ|経っ|たっ|経ち|たち){_PAST}|"
        r"(期限|きげん|時間|じかん)(切れ|ぎれ)(です|でした|だ|って|と|に(なり|なっ)|(?=[。!！]*$))|"
        r"間に合わなかった(?!ら|場合)|まにあわなかった(?!ら|場合)"
    )
)


# In the clause that says the code ran out: a time after it, ahead of it, or a question (「10分過ぎた後でも使えますか」
# 「期限切れって何分ですか」「時間切れになりそう」), or a supposition (「期限切れになったら…」) unless the clause ends in
# the past (「入力したら期限切れって出ました」): not said as done.
_ASKED_OR_AHEAD = re.compile(
    without_slips(r"とき|時は|後|あと|場合|ばあい|そう|か$|ますか|ですか|でしょうか|の$|なに|何|前に|まえに|うちに")
)
_SUPPOSED = re.compile(without_slips(r"たら|だら"))
_ENDS_IN_THE_PAST = re.compile(without_slips(r"(ました|でした|た|ちゃった|てた)$"))


def _says_the_code_ran_out(word: str) -> bool:
    """「10分過ぎちゃった」「期限切れって出ました」 (a clause of the folded text, split at 「けど」「ので」: CLAUSES)."""
    for clause in CLAUSES.split(word):
        plain = without_slips(clause)
        supposed = _SUPPOSED.search(plain) and not _ENDS_IN_THE_PAST.search(plain)
        if _CODE_RAN_OUT.search(plain) and not _ASKED_OR_AHEAD.search(plain) and not supposed:
            return True
    return False


# The registration letter (OCN会員登録証) in the customer's words: asked to be sent again, it is no code.
_THE_LETTER = re.compile(r"手紙|てがみ|登録証|とうろくしょう|会員証|書類|しょるい|郵便物|書面")


def names_the_letter(word: str) -> bool:
    """A folded text that names the letter or a document, and no code (「コードを手紙で」 is still a code)."""
    return bool(_THE_LETTER.search(word)) and "こーど" not in word


# 「もっかい」「もっかいお願い」 as the whole reply while a code is awaited (「もっかい見てみます」 is no request).
_AGAIN_ALONE = re.compile(
    r"(もっかい|もう一回|もう1回|もういっかい|もう一度|もういちど)(お願い|おねがい|たのむ|頼む|して|ください)?(します)?"
)


def asks_for_a_new_code(word: str) -> bool:
    """「もう一度送って」 in a folded text, or that the code ran out (「10分過ぎちゃった」); not 「新しいコードは不要です」."""
    plain = without_slips(word)
    again = (
        any(w in plain for w in _CODE_AGAIN_SLIPPED)
        or _says_the_code_ran_out(word)
        or bool(_AGAIN_ALONE.fullmatch(word))
    )
    return again and not _NOT_WANTED.search(word)


# 「ログインできません」「できてない」 hold 「きません」「きてない」 (来ません): a thing not done, not a code not come.
_CANNOT = re.compile(r"でき(ません|ない|てない|ていない|てません)")


def says_the_code_did_not_come(word: str) -> bool:
    """「SMSが来ない」 in a folded text, or 「まだ」 alone."""
    plain = _CANNOT.sub("", word)
    return any(w in plain for w in CODE_NOT_ARRIVED) or word in CODE_NOT_YET


# Where only the connection ID is used: the internet, its line and router (「ネットの設定に使うID」).
INTERNET_WORDS = ("ネット", "インターネット", "ルーター", "回線", "プロバイダ", "onu", "wifi", "wi-fi")
_INTERNET = re.compile("|".join(re.escape(fold(word)) for word in INTERNET_WORDS))
# A question about the IDs as a whole: what they are, how they differ, all of them.
_ALL_THE_IDS = re.compile(
    r"違い|ちがい|違う|ちがう|種類|しゅるい|3つ|三つ|みっつ|どれ|全部|ぜんぶ|それぞれ|両方|りょうほう"
)


def asks_for_the_internet_id(text: str) -> bool:
    """「あのネットの設定IDってどこで見れるんですか」「ルーターに認証IDを入れてと書いてある」: a question the
    classifier reads as one about the three IDs, but that asks for the ID of the internet's settings (the
    connection ID) and names no other ID nor the IDs as a whole."""
    word = fold(text)
    if not _INTERNET.search(word) or _ALL_THE_IDS.search(word):
        return False
    others = ("customer_number", "ocn_id")
    return not any(fold(name) in word for id_type in others for name in NAMED_IDS[id_type]) and "めーる" not in word


# 「IDのことで」「OCN IDの件なんですが」「ちょっとIDのことで聞きたいんですが」: an ID named, and nothing of what
# about it (to know it, change it, its password): which topic is asked back (actions/faq_actions.py), not the
# three IDs answered. Pieces of the folded text; a question mark (「IDは？」) asks something and is not one.
_ID_WORDS = (
    "ocnのid", "ocnid", "id", "あいでぃー", "あいでぃ", "お客さま番号", "お客様番号", "顧客番号", "おきゃくさまばんごう",
    "接続用id", "接続id", "認証id",
)  # fmt: skip
# Not を: 「お客様番号を聞きたい」 asks for the number itself.
_ABOUT_WORDS = (
    "の", "こと", "事", "件", "けん", "について", "に関して", "にかんして", "で", "です", "ですが", "なんですが",
    "なんですけど", "なんだけど", "なのですが", "ですけど", "だけど", "けど", "が", "ん", "な", "相談", "そうだん",
    "質問", "しつもん", "聞きたい", "ききたい", "お聞きしたい", "おききしたい", "伺いたい", "うかがいたい", "あります",
    "ありまして", "ある", "どうなってる", "どうなってるの", "どうなってんの", "どうなって", "ちょっと", "すみません",
    "すいません", "あの", "あのー", "えーと", "えっと", "その", "例の", "れいの", "少し", "すこし",
)  # fmt: skip
_PIECES = tuple(sorted({fold(w) for w in (*_ID_WORDS, *_ABOUT_WORDS)}, key=len, reverse=True))
_AN_ID_WORD = re.compile("|".join(re.escape(fold(w)) for w in _ID_WORDS))
_ID_WORDS_ONLY = re.compile(f"(?:{_AN_ID_WORD.pattern})+")
# Longer than this, a message says more than where it starts.
_VAGUE_CHARS = 30


def _only_pieces(word: str) -> bool:
    """The word is nothing but _PIECES, taken longest first from the left (no backtracking: a regex of
    overlapping pieces takes exponential time on a long repeat)."""
    at = 0
    while at < len(word):
        piece = next((p for p in _PIECES if word.startswith(p, at)), None)
        if piece is None:
            return False
        at += len(piece)
    return True


def names_an_id_and_nothing_more(text: str) -> bool:
    """「IDのことで」「接続用IDの件なんですが」: an ID, and not what the customer wants of it (an ID's name
    alone, 「ID」「OCN ID」, is left to the classifier: a short one read unsurely is asked back anyway)."""
    word = fold(text)
    if len(word) > _VAGUE_CHARS or not _AN_ID_WORD.search(word) or QUESTION_MARK.search(text):
        return False
    return not _ID_WORDS_ONLY.fullmatch(word) and _only_pieces(word)


# 「接続のほう」「OCN IDは？」「お客さま番号も」: a bare reply naming an ID, that asks the same of it (actions/follow_ups.py).
# (Not 仕方／入れ方: 方 only after の; not 「接続用IDとは」.)
THE_SAME_OF_IT = re.compile(r"(?:ほう|の方|(?<!と)は|も)(?:です|で)?$")


# 「自分のOCN IDってなんだっけ」: the customer's own ID, its value (the look-up), not what the IDs are.
ONES_OWN = re.compile(r"自分の|じぶんの|私の|わたしの|僕の|ぼくの|俺の|おれの|うちの|\bmy\b")


# What only the OCN ID's password is used for: a forgotten password said with one of these is that one.
_OCN_ID_USES = re.compile(r"ろぐいん|login|まいぺーじ|mypage|あかうんと|account|ぽいんと|point|れんけい|@")


def leaves_the_password_open(text: str) -> bool:
    """「OCNのパスワードが思い出せません」: OCN has two passwords (the OCN ID's and the connection ID's),
    and the message names neither ID nor what only one of them is for (logging in, the internet)."""
    word = fold(text)
    names_an_id = bool(named_id_types(text))
    says_password = bool(PASSWORD_WORDS.search(word))
    return says_password and not names_an_id and not _OCN_ID_USES.search(word) and not _INTERNET.search(word)


# An ID named outright (not just 「メール」): a follow-up naming another ID than the topic's is a new question.
NAMED_IDS = {
    "customer_number": ("お客さま番号", "お客様番号", "顧客番号"),
    "ocn_id": ("ocn id", "ocnid"),
    "connection_id": ("接続用id", "接続id", "認証id", "接続用"),
}

# What a question asks of an ID it does not name (actions/follow_ups.py asked_operation), on the folded text.
PASSWORD_WORDS = re.compile(r"ぱすわ|はすわ|暗証|password|passwd|pass(?![a-z])|ぱす(?![ぽた])|pw(?![a-z])")
# Not つかえる／かえって／ひかえ: 「かえ」 only as the verb 変える.
CHANGE_WORDS = re.compile(
    r"変え|変更|変わ|(?<![つむひさ])かえ(?:たい|る|られ|れ|て|た|ます)|へんこう|偏向|change|新しく"
)
KNOWS_CURRENT = re.compile(
    r"今の.{0,8}(わか|分か|知って|しって|覚えて|おぼえて)|(わか|分か)(ります|って)|(知って|覚えて)い?(る|ます)"
)
# The current password forgotten, said of it (「今のパスワードがなんだったか忘れちゃって」「今のがわかりません」): a
# forgetting word after the password or 「今の」, with nothing between them that it could be of instead (the
# way, the screen, the reason: 「変え方がわかりません」「不明なログイン」).
_THE_CURRENT_ONE = r"(?:今の|いまの|現在の|げんざいの|前の|まえの|元の|もとの|ぱすわーど|password)"
# (Forgotten, not 「忘れないように」「すぐ忘れる」「忘れたわけではない」「忘れてはいない」.)
_FORGETS = (
    r"(?:(?:忘れ|わすれ)(?:た(?!わけ)|て(?!は|ませ|ない|いな|いませ)|ちゃ|ちま|まし)|わから|分から|(?:わか|分か)りませ|わかんな|分かんな|"
    r"思い出せ|覚えてい?(?:な|ませ))"
)
_CURRENT_FORGOTTEN = re.compile(f"{_THE_CURRENT_ONE}(.{{0,12}}?){_FORGETS}")
_OF_SOMETHING_ELSE = re.compile(
    r"方|やり|手順|画面|方法|理由|文字|決め|場所|どこ|ろぐいん|ぺーじ|設定|せってい|新しい|欄|入力|前に|説明|意味|いみ"
)


def forgets_the_current_password(text: str) -> bool:
    word = fold(text)
    return any(
        not _OF_SOMETHING_ELSE.search(found.group(1)) and not DENIED.match(word[found.end() :])  # 「忘れてません」
        for found in _CURRENT_FORGOTTEN.finditer(word)
    )


# Knowing it, said outright (「今のはわかってる」「覚えています」; not 「わかりません」): what a forgotten word elsewhere in
# the message (「知らないログインがある」) does not undo.
KNOWS_IT = re.compile(r"(わか|分か)(って(る|い|ま)|ります)|(知って|しって|覚えて|おぼえて)(る|い|ま)")
# Read before KNOWS_CURRENT: 「今のパス分かんなかったら」「今のパスワードを覚えていませんでした」 do not know it.
# Which password, by what it is used for (「ネットの設定のほうのパスワード」「インターネットをつなぐ時に使うほう」
# 「internet の ほう」「メールを見るときの」), anywhere in a reply to 「どちらのパスワードでしょうか？」. On the folded text.
_CONNECTION_USE = re.compile(
    r"(いんたーねっと|ねっと|internet|wifi|wi-fi|わいふぁい|るーたー|回線|ぷろばいだ)(の|に|を|へ|で)?"
    r"(設定|せってい|接続|せつぞく|つな|繋|ほう|方|やつ)|internet|るーたーに入れる"
)
_MAIL_USE = re.compile(
    r"(めーる|mail|email|e-mail)(を|の|で)?(見る|みる|読む|よむ|ほう|方|やつ|用|送|開|ひら)|"
    r"受信|じゅしん|送受信|そうじゅしん"  # only mail is received: 「受信するときだけパスワードエラーになります」
)


def password_named_by_its_use(text: str) -> str | None:
    """ "connection_id" or "ocn_id" when the reply says what the password is used for, and only one of them."""
    word = fold(text)
    uses = {"connection_id"} if _CONNECTION_USE.search(word) else set()
    uses |= {"ocn_id"} if _MAIL_USE.search(word) else set()
    return uses.pop() if len(uses) == 1 else None


FORGOT_WORDS = re.compile(
    r"忘れ|わすれ|わから|分から|わかんな|分かんな|思い出せ|知らな|不明|(覚え|おぼえ)てい?(な|ませ)"
)
# 「忘れてません」「変えたくない」「変更はしません」: the operation said, and denied (「変えられないの？」 still asks).
DENIED = re.compile(r"^.{0,4}(たくない|たくありません|しない|しません|てない|ていない|てません|ていません)")
# Looking the ID up, said so: not 「わからない」 (after an answer, it was not understood) nor 「どこで」 alone
# (after an answer about changing, where to change it: follow_ups.topic_asked_again).
LOOK_UP_WORDS = re.compile(r"確認|見れ|見る|見ら|みる|みれ|調べ|知りたい|確かめ|たしかめ|書いてあ|かいてあ|載って|記載")
# What may stand around an operation asked of no ID (「パスワードの変更方法を教えてください」「確認したいです」): the
# password, the word ID, a way to do it, the words of a request. Anything else names what it is of (契約内容, 設定).
AROUND_AN_OPERATION = re.compile(
    r"ぱすわーど|ぱすわど|はすわーど|id|あいでぃ|方法|ほうほう|やり方|やりかた|仕方|しかた|手順|てじゅん|"
    r"教え|おしえ|知り|しり|くださ|下さ|ほしい|欲しい|お願い|おねがい|いたし|したい|したく|して|します|する|でき|"
    r"けど|けれど|られ|たい|です|ます|方|ん|の|を|が|は|も|って|て|か|な|ね|よ|い|お|えっと|えーと|あの|すみません|すいません"
)
# 「IDは？」「IDのほうは？」「IDも」: the ID and nothing more (not 「IDってなに」「IDはわかる」「IDはいらない」).
THE_ID_ALONE = re.compile(r"(id|あいでぃ)(の(ほう|方))?(は|も)?")
# 「変えたいのではなく…」「じゃなくて」: what comes before is not what is asked.
NOT_THIS_BUT = re.compile(r"ではなく|でなく|じゃなく")
# 「IDのほうも変えられる？」 after a password's answer asks about the ID, not its password.
THE_ID_ITSELF = re.compile(r"id|あいでぃ|あどれす|番号")
# Another topic or thing named (the history, the letter, My Page, the code, dアカウント, Wi-Fi): not the ID's.
OTHER_THINGS = re.compile(
    r"履歴|りれき|登録証|とうろくしょう|まいぺーじ|こーど|番号確認|本人確認|dあか|でぃーあか|dぽいんと|docomo|どこも|"
    r"wi-?fi|わいふぁい|無線|ぱすぽーと|sms|ろぐいんid"
)

# Whose password or PIN it may be instead of an OCN ID's: a device, a card, the router (a typed choice of the
# bot's topic buttons that names one is none of them, actions/follow_ups.py topic_among_offered).
OTHER_OWNERS = re.compile(
    r"すまほ|ぱそこん|pc|windows|ういんどうず|iphone|あいふぉん|android|あんどろいど|暗証|pin|かーど|card|るーたー|"
    r"wi-?fi|わいふぁい|ろっく|端末|たんまつ|携帯"
)
# 「確認しなくていい」「変更はいらない」: the operation named, and not wanted.
DECLINES_IT = re.compile(r"なくていい|なくてよい|なくて大丈夫|なくても|いらない|要らない|不要|しない|しません")


# Another company's or service's own account (its password, ID, points, card): a confident out_of_scope that
# names one is not an OCN question the classifier could not place (actions/faq_actions.py). Compared after
# fold (hiragana, no spaces); LINE and au only with what their accounts are called (「LINEで」 is this chat's
# channel, 「ライン」 is in ガイドライン).
_ANOTHER_SERVICE = re.compile(
    r"楽天|らくてん|amazon|あまぞん|yahoo|やふー|google|ぐーぐる|gmail|apple|あっぷる|icloud|microsoft|"
    r"(?<![a-z])line(?:の?(?:id|ぱす|password|あかうんと|account|にんしょう|認証))|"
    r"(?<!おん)(?<!がいど)(?<!おふ)(?<!いん)らいんの?(?:id|ぱす|あかうんと|認証)|"
    r"(?<![a-z])au(?:の?(?:id|ぱす|password))|softbank|そふとばんく|"
    r"docomo(?!光)|どこも(?:の|けいたい|携帯|すまほ|あかうんと|めーる)|dあか|でぃーあか|dぽいんと|wi-?fi|わいふぁい|"
    r"無線(?:lan)?の?ぱす|銀行|くれじっと|きゃっしゅかーど|netflix|youtube|ゆーちゅーぶ|instagram|いんすた|facebook|"
    r"twitter|ついったー|playstation|nintendo|任天堂|biglobe|びっぐろーぶ|ぷらら|paypay|めるかり|ゆうちょ"
)
# OCN named, or one of its IDs by name: the question is about OCN's account whatever other service it mentions
# (「ドコモ光の認証ID」「Wi-Fiルーターに入れる接続ID」「GmailでOCNメールを受けたい」); not 認証 or 接続 alone
# (「楽天の認証コード」「Wi-Fiに接続するパスワード」).
_NAMES_OCN = re.compile(
    r"ocn|おーしーえぬ|認証id|にんしょうid|接続用?id|接続用?ぱす|せつぞく(?:よう)?id|お客さま番号|お客様番号|おきゃくさまばんごう"
)


# The same in English, where fold() would remove the spaces that mark words ("my LINE password").
_ANOTHER_SERVICE_IN_ENGLISH = re.compile(r"\b(?:line|au)(?:'s)?\s*(?:id|password|pass|account)\b")


# The same, on the text without flick slips (「ソフトハンク」 for ソフトバンク).
_ANOTHER_SERVICE_SLIPPED = re.compile(without_slips(_ANOTHER_SERVICE.pattern))
_NAMES_OCN_SLIPPED = re.compile(without_slips(_NAMES_OCN.pattern))


def names_another_service(text: str) -> bool:
    folded = fold(text)
    plain = without_slips(folded)
    another = (
        _ANOTHER_SERVICE.search(folded)
        or _ANOTHER_SERVICE_SLIPPED.search(plain)
        or _ANOTHER_SERVICE_IN_ENGLISH.search(nfkc(text).lower())
    )
    return bool(another) and not (_NAMES_OCN.search(folded) or _NAMES_OCN_SLIPPED.search(plain))


# What customers of an internet provider ask about that the help page does not cover (bills, moving house,
# another provider, the weather): an unsure reading of a message about one of these and nothing of the page's
# is the off-topic answer (actions/faq_actions.py), not topic buttons nor a procedure. Compared after fold
# and without flick slips (a lost dakuten: 「しはらい」 typed 「しはらい」 or 「しばらい」 alike).
_OTHER_MATTERS = re.compile(
    without_slips(
        r"料金|りょうきん|請求|せいきゅう|支払|しはらい|引っ越|引越|ひっこ|転居|天気|tenki|weather|"
        r"乗り換え|乗換|のりかえ|解約|かいやく|退会|速度|工事|故障"
    )
)
# The page's own things (and the internet the connection ID is for, and the ways the chat sends things): a
# message naming one is about them, whatever else it says. The hiragana of a few other matters are left out:
# without slips they are in other words (こうじ in へんこうしたい, てんき in でんき). Short kana words are
# matched on the folded text only (without slips ぱす is はす, as in 「手続きはすぐ」).
_THE_PAGES_THINGS = re.compile(
    r"ぱす|password|pass|暗証|id|あいでぃ|番号|ばんごう|めーる|mail|めあど|あどれす|ぺーじ|page|ろぐいん|login|"
    r"登録|とうろく|会員|かいいん|書類|封筒|履歴|りれき|あかうんと|account|こーど|code|認証|にんしょう|接続|"
    r"せつぞく|ねっと|net|るーたー|sms|えすえむえす|郵送|ゆうそう|再発行|さいはっこう|お客|おきゃく|客番|@"
)
_THE_PAGES_THINGS_SLIPPED = re.compile(without_slips(r"ぱすわ|ばんごう|ぺーじ|ろぐいん|こーど|るーたー"))


# Another provider's or carrier's own mail or account (「ソフトバンクのほうのメールも見てもらえますか」「auのメアド」);
# not an app or device that holds OCN's mail (Gmail, iPhone, Wi-Fi), nor a provider the customer came from
# (「ソフトバンクから乗り換えたんですが」), nor docomo (its account is the dアカウント linked with OCN). Folded text.
_OTHER_PROVIDERS_OWN = re.compile(
    r"(そふとばんく|softbank|(?<![a-z])au(?![a-z])|えーゆー|楽天|らくてん|わいもばいる|ymobile|ahamo|povo|linemo|nuro|"
    r"biglobe|びっぐろーぶ|so-net|そねっと|plala|ぷらら|nifty|にふてぃ|jcom|じぇいこむ|yahoo|やふー)"
    r"(光|ひかり|えあー|air)?(の|で)(ほうの|方の)?"  # 「ソフトバンク光のID」
    r"(めーる|めあど|あどれす|あかうんと|id|ぱすわーど)"
)


def of_another_providers_own(text: str) -> bool:
    """「ソフトバンクのほうのメールも見てもらえますか」: another provider's own mail or account, and not OCN's."""
    word = fold(text)
    return bool(_OTHER_PROVIDERS_OWN.search(word)) and "ocn" not in word and "おーしーえぬ" not in word


def speaks_of_other_matters(text: str) -> bool:
    """「来月の支払いはいつ」「引っ越しの手続きはどちらに」: another matter, and none of the page's; moving house or the
    contract's holder (「今のインターネットを新しい家に持っていける？」「契約を主人の名前から私の名前に」) also beside the
    internet, unless an ID or a password is named."""
    word = fold(text)
    plain = without_slips(word)
    if _THE_CONTRACT_ITSELF.search(word) and not (named_id_types(text) or _OF_THE_IDS.search(word)):
        return True
    pages = _THE_PAGES_THINGS.search(word) or _THE_PAGES_THINGS_SLIPPED.search(plain)
    return bool(_OTHER_MATTERS.search(plain)) and not pages


# What ties a message to the IDs whatever else it says (a password, the ways they are sent, the chat's procedure).
_OF_THE_IDS = re.compile(
    r"ぱすわ|ぱす(?![ぽた])|password|郵送|ゆうそう|sms|手続|てつづき|まいぺーじ|めーる|めあど|あどれす|登録証|とうろくしょう|"
    r"(?<![a-z])id|あいでぃ"
)
# Moving house and the contract's holder (folded): matters of the contract, not of an ID.
_THE_CONTRACT_ITSELF = re.compile(r"引っ越|引越|ひっこし|ひっこす|転居|名義|めいぎ|契約者|(主人|夫|父|母|親)の名前")


# An acknowledgement (「わかりました、探してみます」) or a turn to something else (「ところで」「やっぱりさっきの」):
# not a question about the answer just given (actions/follow_ups.py bare_follow_up).
# Compared without flick-typing slips (「わかりまぢた」).
ACKNOWLEDGES_OR_TURNS_AWAY = re.compile(
    without_slips(
        r"わかりました|分かりました|わかった|了解|りょうかい|なるほど|そうですか|そうなんだ|ところで|ちなみに|別件|"
        r"それと|(?<![やゃ])あと(?!で)|やっぱり|さっきの|前の件"  # not the あ of 「じゃあどう…」 slipped (しやあとう)
    )
)

# 「わかりました、家の中をもう一度探してみます」: the answer taken, and what the customer will do now: the first
# words acknowledge, the last say what they will try (a plan, not a question; actions/replies.py).
ACKNOWLEDGES = re.compile(
    without_slips(r"^(?:はい|あ|ああ|うん)?(?:わかりました|分かりました|わかった|了解|りょうかい|なるほど|承知)")
)
# 「わかりました」「なるほど」「はい、よくわかりました」 and nothing else: the answer understood, no wish for the
# offered procedure (the conversation writers expected the survey there, not the procedure); its 「はい」 says
# yes to the answer, not to the offer. Not 了解・承知 (consent: in YES). Compared without slips, a trailing ー or
# emoji dropped (ocn_ids.answers.only_acknowledges).
_ONLY_ACKNOWLEDGES = re.compile(
    without_slips(
        r"^(?:はい|はーい|あ|ああ|うん)?(?:なるほど)?(?:よく)?"
        r"(?:わかりました|分かりました|わかった|なるほど|理解しました|理解できました)(?:です)?(?:ね|よ)?$"
    )
)


def only_acknowledges(text: str) -> bool:
    """「わかりました」「わかりましたー」「なるほど😊」: understood, and nothing else said."""
    word = re.sub(r"[ー〜~]+$", "", re.sub(r"[^\w]+$", "", without_slips(fold(text))))
    return bool(_ONLY_ACKNOWLEDGES.match(word))


# 「むり」「マイページとか無理です」「自分じゃできない」 to the offer of a chat procedure after an answer that sends the
# customer to My Page: they cannot do it themselves, which is what the chat procedure is for (the offer is said
# again with that reason). The whole reply, compared on the folded text without slips: only who or what cannot
# (My Page, oneself, the way to do it) may come before it, so 「メールが使えない」「ログインできない」「お客さま番号が
# わからない」 (a problem of its own) and 「いや、わからない」「今は無理」 (a no, not now) are not it.
_CANNOT_DO_IT_THEMSELVES = re.compile(
    without_slips(
        r"(まいぺーじ|mypage|自分|じぶん|自分で|じぶんで|ひとり|一人|ひとりで|一人で|使い方|つかいかた|やり方|やりかた|操作|そうさ)?"
        r"(は|では|じゃ|には|で|とか|も|が)?(ちょっと|ちよっと)?"
        r"(無理|むり|できない|できません|できん|出来ない|出来ません|使えない|使えません|つかえない|わからない|分からない|"
        r"わかんない|わかりません|分かりません|わからん|分からん)"
        r"(です|だ|かも|っす|なんです|ですね|ですよ|よ|ね|わ|そう|そうです)*[!！。…〜ー]*"
    )
)


def cannot_do_it_themselves(text: str) -> bool:
    """「むり」「マイページとか無理です」「自分じゃできない」「使い方がわからない」, and nothing else."""
    word = re.sub(r"[^\w!！。…〜ー]+$", "", without_slips(fold(text)))  # a trailing emoji
    return bool(_CANNOT_DO_IT_THEMSELVES.fullmatch(word))


# 「見てみます」「探してみます」「確認しておきます」: the customer will look it up; an answer to the offer of a
# procedure that declines it (actions/choices.py), compared on the folded text.
WILL_LOOK = re.compile(
    r"(見て|みて|探して|さがして|調べて|しらべて|確認して|かくにんして|見に行って)(みます|みる|おきます|きます)|"
    r"(で|から)(見|探し|さがし|調べ|しらべ|確認し|かくにんし)ます$|"  # 「はい、マイページで見ます」
    r"(自分で|じぶんで).{0,12}(見る|みる|調べる|しらべる|確認する|かくにんする|やる)$"  # 「いや自分でマイページで見る」
)
WILL_TRY = re.compile(
    without_slips(r"(てみます|でみます|てみる|でみる|てみようと思います|ておきます|ときます|てきます|できます)$")
)
# What an acknowledgement that takes it from here does not say: a request, a value, something still wrong.
# 「なるほど、変えられないんですね。わかりました」: the answer (often bad news) said back and taken in, with a word
# that acknowledges it anywhere; the restatement's ない says nothing is still wrong. Compared without slips.
RESTATES_THE_ANSWER = re.compile(
    without_slips(
        r"ない(ん|の)(です|でございます)?ね|ないということ(です|でございます)?ね?|"
        r"仕方(が)?(ない|ありません)|しかた(が)?ない|しょうが(ない|ありません)"  # resigned to it
    )
)
ACKNOWLEDGES_ANYWHERE = re.compile(
    without_slips(
        r"わかりました|分かりました|わかった|了解|りょうかい|承知|なるほど|そうですか|そうなんですね|さようでございますか|"
        r"左様でございますか|仕方(が)?(ない|ありません)|しかたない|しょうがない"
    )
)
ASKS_OR_STILL_STUCK = re.compile(
    without_slips(r"お願い|おねがい|ください|ほしい|欲しい|でき(ない|ません)|まだ|解決して(い)?な|けど|が、|でも")
)


# A question word: a message with one asks (「パスワードは何文字以上ですか」), it does not tell the bot to go ahead.
# (Not 何卒／何とか／どうか／どうしても／「必要なんで」: they press a request.)
QUESTION_WORDS = re.compile(
    r"何(?!卒|とか|か)|なに(?!とぞ|か)|どこ|いつ(?!も|でも)|いくら|どう(やって|すれ|したら|なる|なり|いう|なの)|"
    # not the ends of ぱすわーどの (パスワードの folded), こーどの, などの, それほどの, よほどの (but すまほどの asks)
    r"(?<!ー)(?<!な)(?<!れほ)(?<!よほ)どの|どれ|なぜ"
)


# 「はじめまして。七十を過ぎた者でございます。どうぞ宜しくお願い申し上げます。」: a greeting with an introduction,
# nothing of the page's and nothing asked; the classifier, unsure of it, is answered with the greeting.
_GREETING = re.compile(
    without_slips(
        r"はじめまして|初めまして|こんにちは|こんばんは|おはよう|よろしくお願い|宜しくお願い|よろしくおねがい"
    )
)


# What says a request or trouble is coming (「お聞きしたいことが」「困っていて」): not a greeting only.
_ASKS_OR_TROUBLED = re.compile(
    r"ください|下さい|たい|困|こまっ|教え|おしえ|助け|たすけ|help|ない|ません|なくな|できな|えらー|error|変え|かえ|"
    r"つなが|使え|つかえ|見られ|みられ|見れ|みれ|届|とどか|受信|送信|壊|こわれ|止ま|おかしい|だめ|駄目|遅|おそい|"
    r"乗っ取|のっと|ろっく|変更|機種|しむ|sim"
)


def greets_and_asks_nothing(text: str) -> bool:
    word = fold(text)
    if not _GREETING.search(without_slips(word)) or QUESTION_MARK.search(text) or ASKS_SOMETHING.search(word):
        return False
    if _ASKS_OR_TROUBLED.search(word):
        return False
    return not (_THE_PAGES_THINGS.search(word) or _THE_PAGES_THINGS_SLIPPED.search(without_slips(word)))


# Read by actions/follow_ups.py bare_follow_up. A question: a question mark (on the text as typed), or a
# question word (after fold: 「ナニがいるの」 too; not なんか, どうも, いつも).
QUESTION_MARK = re.compile(r"[?？]")
ASKS_SOMETHING = re.compile(
    r"何(?!か)|なに(?!か)|どこ|どうやって|どうすれば|どうしたら|どうすりゃ|どうする|どうなる|どうなの|どれ|どの|いつまで|いつから|"
    r"いつ頃|いくら|ですか|ますか|でしょう|の$"
)
# A value or an ID's word (「N12345678」「abc@ocn」「会員番号は？」「ユーザー名は？」): an ID mistyped or asked about.
VALUE_OR_ID_WORD = re.compile(r"[0-9@]|番号|ゆーざー|user|あかうんと|account")
# Not a question about the answer (compared after fold and without flick slips): why (a refusal's is
# asked_why_not's), not understood (「どういう意味？」: the same answer would not help), a person or another way,
# distress, a complaint about the bot, done already, later, start over.
NOT_ABOUT_THE_ANSWER = re.compile(
    without_slips(
        r"なんで|なぜ|どうして|意味|どういうこと|わから|分から|わかん|同じ|おなじ|るーぷ|何回|何度|だめ|駄目|おかしい|"
        r"助け|たすけ|困|こまっ|ふざけ|急い|いそい|早く|はやく|めんど|しんど|できた|できました|見れた|みれた|見られた|"
        r"後で|あとで|帰って|最初から|さいしょから|めにゅー|他に|ほかに|ほかの|別の|人と|担当|おぺれーたー|電話|窓口|"
        r"問い合わせ|方法|話聞|聞いて|答えになって|役に立|なにこれ|何これ|何言って|違う|ちがう|てすと|test|^は$"
    )
)

# Where one question ends and the next begins (「お客さま番号って変えられますか？あとOCN IDも変えたいんですけど」), on
# the text as typed (actions/follow_ups.py topics_clause_by_clause).
NEXT_QUESTION = re.compile(
    r"([?？。!！]+|あと(?!で|から)|それと|それから|ついでに|もうひとつ|もう一つ|それに|(?<=たい)のと[、,]?)"
)  # 「…変更したいのと、…やり方も知りたい」
# A part of such a message that asks (a question, a wish, a request, not knowing) …
PART_ASKS = re.compile(
    r"[?？]|か$|の$|かな$|たい|ほしい|欲しい|ください|下さい|お願|おねが|教えて|おしえて|られ(ます|る)|でき(ます|る)|"
    r"忘れ|わすれ|わから|分から|わかん|不明|知りたい|どこ|どう(やって|すれ|したら)|いつ|"  # the folded text has no ？
    r"(方法|ほうほう|やり方|やりかた)も?$"  # 「…あと確認方法も」: the question left unsaid
)
# A part that names no ID but a topic of its own by its words (「あとマイヘージって登録いるの」), compared without
# slips on the folded text: the page's other topics, in the order tried.
TOPIC_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (topic, re.compile(without_slips(pattern)))
    for topic, pattern in (
        ("register_mypage", r"まいぺーじ.*(登録|とうろく|初めて|はじめて)|(登録|とうろく|初めて|はじめて).*まいぺーじ"),
        ("link_d_account", r"dあかうんと|dぽいんと"),
        ("check_login_history", r"ろぐいん履歴|ろぐいんりれき"),
        ("lost_registration_letter", r"会員登録証|登録証|とうろくしょう"),
    )
)
# 「あと番号自体を変えることってできますか」「それも変えられる？」: a part about the ID the part before named.
SAME_ID_AGAIN = re.compile(r"自体|じたい|それ|そっち|そちら|番号|ばんごう|そのid|こっちも")
# 「お客さま番号ってどこ？」「OCN IDはどちら」: where it is, with no verb (a part of a longer message, folded).
WHERE_IS_IT = re.compile(r"(って|は)(どこ|どちら|どっち)(に|で)?(ある|あります|書いて)?$")
# Two IDs named with one question (「お客さま番号とOCN IDってどうやって調べるの？」), unless it asks how they differ.
TWO_IDS_JOINED = re.compile(
    r"(番号|ばんごう|id|あどれす)(と|や)(お客|おきゃく|ocn|接続|せつぞく|認証|にんしょう|めーる)"
)
ASKS_HOW_THEY_DIFFER = re.compile(
    r"違い|ちがい|違う|ちがう|区別|関係|同じ|おなじ|別の|べつ|なんで|なぜ|何で|3つ|三つ|みっつ|種類|いくつ|何個"
)
# … and one that only states something done, known or not wanted (「お客さま番号は確認済みです」「…は覚えています」
# 「…は変えなくていいです」): not a question of its own.
PART_STATES_ONLY = re.compile(
    r"済|ずみ|(確認|調べ|変更|登録|設定|再設定)(しました|してあります|できました)|覚えて|おぼえて|知って(い|ま|る)|"
    r"(わか|分か)(ります|ってい|ってま|ってる)|なくていい|なくても|不要|いらない|要らない"
)

# 「マイページ以外で調べる方法ってないですか」「ほかのやり方は？」 right after an answer that sends the customer to My
# Page: another way to the same thing (follow_ups.another_way_asked), on the folded text.
ANOTHER_WAY = re.compile(
    r"(まいぺーじ|mypage|うぇぶ|web|ねっと)(以外|いがい|じゃなく|ではなく|を使わず|をつかわず|なしで|無しで)|"
    r"(ほか|他|別|べつ)の(方法|ほうほう|やり方|やりかた|手段|確認方法|調べ方)|(ほか|他)に(方法|ほうほう|やり方|手段)"
)

# 「なんで？」「むり？」「本当に？」 right after 「…は変更できません」: asking why, or to be sure (follow_ups.py).
WHY_NOT = re.compile(r"なんで|なぜ|どうして|無理|むり|できない|できん|だめ|駄目|本当|ほんと|まじ")

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


# What may stand beside an ID's name that asks nothing else of it: 「…は？」「…のほう」「…もです」.
ONLY_PARTICLES = re.compile(r"(って|は|も|の(ほう|方)|のこと)*(です|でしょうか|ですか|は|も)?[?？。!！\s]*")
# Around a bare 「…の方は」: an acknowledgement before it, 「どうなりますか」 after it (on the folded text).
ACKNOWLEDGED = re.compile(r"^(了解|りょうかい|わかりました|分かりました|なるほど|承知しました)(です|しました)?(ね|よ)?")
HOW_ABOUT_IT = re.compile(r"(どうなりますか|どうなるの|どうですか|どうでしょうか|どうなんですか|どう)$")
# What a customer says of a password that does not work (「…なのにログインに失敗します」): a problem to answer. And an
# answer to the open question said with it (「はい、パスワードは…です」「解決しました。…にしました」): read as that.
# On the folded text (katakana as hiragana).
PASSWORD_PROBLEM = re.compile(
    r"でき(ない|ません|なかった)|入れ(ない|ません)|はいれ|違う|ちがう|違って|間違|まちが|だめ|駄目|通らな|えらー|失敗|"
    r"しっぱい|使えな|使えま|つかえな|つながらな|繋がらな|ろっく|弾かれ|はじかれ"
)
ANSWERS_TOO = re.compile(
    r"^(はい|うん|ええ|いいえ|いえ|いや)|解決|お願い|おねがい|できました|ありがと|わかりました|大丈夫"
)
# Right after an ID's name, only how it is to be sent before 「送って」 (「お客さま番号をSMSで送ってほしい」「接続用IDを
# 郵送で」): the ID itself is what is sent (on the folded text).
THE_ID_SENT = re.compile(
    r"(と(その)?ぱすわーど)?(を|も)?(sms|しょーとめーる|ゆうそう|郵送|めーる|めーる|紙|かみ|携帯|けいたい|すまほ)?(で|に)?"
    r"(送って|おくって)"
)
# An apology or a promise to take care, and nothing more (「すみません、気をつけます」「はい、以後気をつけます」
# 「承知いたしました。失礼いたしました」「sorry, I understand」), read on the folded text: after the bot asked not to
# type a password, small talk to answer politely (actions/replies.py).
_APOLOGY_OR_CARE = re.compile(
    r"あ|はい|すみません|すいません|ごめんなさい|ごめん|申し訳(ありません|ございません|ないです)|もうしわけ(ありません|ございません)|"
    r"失礼しました|失礼いたしました|しつれいしました|でした|以後|今後|次から|これから|気をつけます|気を付けます|きをつけます|"
    r"気をつけますね|注意します|ちゅういします|わかりました|分かりました|了解です|了解しました|了解|りょうかい|承知しました|"
    r"承知いたしました|かしこまりました|sorry|iwillbecareful|iunderstand|understood|isee|okay|ok|[、。,.!！]"
)
_APOLOGY_WORD = re.compile(
    r"すみません|すいません|ごめん|申し訳|もうしわけ|失礼しました|失礼いたしました|しつれいしました|sorry|"
    # a promise to take care says the same
    r"以後|今後|次から|気をつけ|気を付け|きをつけ|注意します|ちゅういします|careful"
)


def apologizes_only(text: str) -> bool:
    word = fold(text)
    return bool(_APOLOGY_WORD.search(word)) and not _APOLOGY_OR_CARE.sub("", word).strip()


# At 「お客さま番号…またはOCN ID…をご入力ください」: whether an ID will do (「OCN IDでもいいですか」「メールアドレスで
# いい？」; 「お客さま番号じゃないとだめ？」: MUST_IT_BE) or that the customer does not have one (「お客さま番号がわからないんです
# けど」); actions/verification_slots.py answers which ID verifies. Compared without slips.
ASKS_IF_IT_WILL_DO = re.compile(
    without_slips(
        rf"{PERMITS.pattern}|(でも|で)(良い|よい|ok|おk|平気|いける)|"  # leave asked, as of a way (PERMITS)
        r"(?<!た)しか|"  # 「…しかわからない」: that one is what they have
        r"なら(わか|分か|知って|しって|ある|あります|大丈夫|だいじょうぶ)"  # 「メールアドレスならわかります」
    )
)
MUST_IT_BE = re.compile(without_slips(r"じゃな(きゃ|いと|ければ)|でな(きゃ|いと|ければ)"))
DOES_NOT_HAVE_IT = re.compile(
    without_slips(r"わから(ない|なく|ん)|分から(ない|なく|ん)|わかりません|分かりません|わかんない|忘れ|わすれ|"
                  r"手元にな|てもとにな|持ってな|もってな|知らな|しらな")
)  # fmt: skip


# While the code is awaited: the phone or mail it goes to cannot be used (「携帯をなくしてしまって受け取れません」
# 「電話番号変わったんですけど」「そのメールアドレスはもう解約しました」): the code cannot reach the customer, so the
# chat cannot verify them (actions/verification_slots.py says where the code went and points to the contact page;
# the procedure stays). Not a
# change of model (「機種変更した」 keeps the number), not the code merely late (「携帯にSMSが来ない」), not the phone
# away for now (「いまスマホが手元になくて」: the customer comes back to it, and may take a cancel back).
_CODE_CONTACT = r"携帯|けいたい|けーたい|すまほ|電話|でんわ|あどれす|めあど"  # folded: katakana read as hiragana
_NO_LONGER_USABLE = (
    r"なくし|無くし|失くし|紛失|ふんしつ|落とし|おとし|盗ま|壊れ|こわれ|解約|かいやく|止められ|止まっ|とまっ"
)
# 「変わった」 only of the number or address (「携帯を新しいのに変えました」 is a new phone, the number kept)
_NUMBER_CHANGED = (
    r"(番号|ばんごう|はんこう|あどれす|めあど)(が|は|も|を)?"
    r"(変わっ(た|ちゃ|てしま)|かわっ(た|ちゃ|てしま)|変わりました|かわりました|変えた|かえた|変えまし|かえまし|変えちゃ|"
    r"かえちゃ|変更(した|しま|にな|され|しちゃ)|へんこう(した|しま|にな|され|しちゃ))(?!い|ら|場合|ばあい)"
)  # done, not asked (「お客さま番号は変更できますか」)
CONTACT_NO_LONGER_USABLE = re.compile(
    without_slips(rf"({_CODE_CONTACT}).{{0,12}}?({_NO_LONGER_USABLE})|{_NUMBER_CHANGED}")
)
# …unless negated right after (「変わってないのに」「解約してないです」).
NOT_SO = re.compile(
    without_slips(
        r"^(り|っ|し|され|れ)?(て|で)?(は|も)?(い|お)?(ない|なく|ません|ねえ|ず)|"
        r"^.{0,6}?(覚えはな|おぼえはな|覚えがな|おぼえがな|わけではな|わけじゃな|とかはな|ことはな|訳ではな)"
    )
)
# 「番号変わったかもしれない」: unsure, so the code not arriving's reply, which says where it went, fits better.
UNSURE = re.compile(without_slips(r"かも|(?<!な)かな(?!か)|たぶん|多分|はず|気がする|きがする|ような"))


# After the login history was shown: a login the customer does not recognise (「見覚えのないログインがあります」
# 「⚠のやつ私じゃないです」); actions/after_the_login_history.py gives the advice the history gives for one.
UNKNOWN_LOGIN = re.compile(
    without_slips(
        r"(覚え|おぼえ|心当たり|こころあたり)(の|が|は)?(ない|無い|ありません)|"
        r"(知らない|しらない|知らん|不審な|ふしんな|怪しい|あやしい|変な|へんな)(ろぐいん|場所|ばしょ|端末|機器|地域|ところ|の|やつ)|"
        r"不正(ろぐいん|に|な|あくせす)|⚠|(私|わたし|自分|じぶん|僕|ぼく|俺|おれ)(じゃ|では|で(は)?)(な|ありません)"
    )
)
# 「見覚えのないログインはなかったです」「知らないログインはありませんでした」: none, so no worry to answer.
NONE_OF_THEM = re.compile(
    without_slips(
        r"(ろぐいん|もの|やつ|の)(は|も)?(特に|とくに)?(なかった|無かった|ありませんでした|ありません|ないです|ない|なくて|"
        r"なし|ないみたい|なさそう|見当たりません|みあたりません|見当たらなかった|みあたらなかった)(です|でした)?(よ|ね)?[ー〜]*"
        # 「へんなのない 安心した」「へんなのなくてよかったー」
        r"(安心した|安心しました|あんしんした|よかった|良かった|ほっとした|ほっとしました)?(です)?[ー〜]*"
        r"(ありがと\w*|あざす|あざっす|どうも|さんきゅ\w*|thanks)?$"
    )
)
# …unless something is still wrong or was found after all (「…なかったけど、まだ不安です」「知らないログインがあります。
# ほかのはないです」).
STILL_WORRIED = re.compile(
    without_slips(r"あります|ありました|ある(ん|の)|された|されて|けど|けれど|でも|不安|ふあん|心配|しんぱい|たい")
)


# 「両方」「どっちもです」 to 「どちらのパスワードでしょうか？」: both passwords' answers (actions/answers.py), the whole
# reply compared on the folded text without slips.
_BOTH_OF_THEM = re.compile(
    without_slips(
        r"(両方|りょうほう|どっちも|どちらも|2つとも|二つとも|ふたつとも)(とも)?(です|だ|っす)?(かな|かも|ね|よ)?"
        r"(お願いします|おねがいします|知りたい|しりたい|忘れました|わすれました|わからない)?[。!！…〜ー]*"
    )
)


def means_both(text: str) -> bool:
    """「両方」「どちらもです」「両方忘れました」, and nothing else."""
    return bool(_BOTH_OF_THEM.fullmatch(without_slips(fold(text)).strip()))


# Words that turn a running procedure to another (「パスワードの再設定にしたい」「ログイン履歴のほうがいい」), compared on the
# folded text: what an unplaced change of mind must say to switch (actions/procedure_switch.py).
TURNS_TO = re.compile(
    r"(再設定|さいせってい|りせっと|履歴|りれき|確認|かくにん|受け取り|うけとり|手続き|てつづき)"
    r"(に|へ)(したい|して|変え|かえ|切り替え|きりかえ|変更)|"
    r"(再設定|さいせってい|履歴|りれき|確認|かくにん|受け取り|うけとり|手続き|てつづき)(のほう|の方)(が|に|で)"
)

# A way of receiving the connection ID named alone (「SMSで」「郵送でお願いします」), as the whole folded reply: the only
# way it is chosen while the code is awaited, when 「SMSで送ってください」「スマホです」 are about the code's SMS.
BARE_WAY = re.compile(
    without_slips(
        r"(sms|えすえむえす|しょーとめーる|しょーとめっせーじ|郵送|ゆうそう|郵便|ゆうびん|まいぺーじ|mypage)"
        r"(で|でお願いします|でおねがいします|でお願い|にします|がいいです|がいい|で受け取ります|でうけとります)?[。!！]*"
    )
)
# The clauses of a reply, split at punctuation and at 「ので」「けど」 (not 「から」, inside 「わからない」; not spaces,
# inside 「OCN ID」) (actions/verification_slots.py).
CLAUSES = re.compile(r"[、。,.!！?？]+|ので|けど|けれど")

# An address that is not OCN's (「hotmailでもいいですか」「会社のメールでも…」): the ID question's reader does not say
# the OCN ID will do for it (actions/verification_slots.py), compared on the folded text.
NOT_THE_OCN_ADDRESS = re.compile(
    r"hotmail|ほっとめーる|outlook|あうとるっく|(?<![a-z])au(?![a-z])|えーゆー|きゃりあ|会社の|かいしゃの|仕事の|しごとの|"
    r"連絡先の|れんらくさきの|(携帯|けいたい|すまほ)の(め|あど)|普段|ふだん|個人の|こじんの|ぷらいべーと|"
    r"別の(め|あど)|べつの(め|あど)|他の(め|あど)|ほかの(め|あど)"
)

# What a request does with an ID (「OCN IDを確認したい」「ログイン履歴を見たい」「パスワードを再設定したい」), compared on the
# folded text: at the ID question, a request that names only an ID (「…じゃなくてOCN IDにしたい」) is the ID to
# identify with, one that names what to do is another procedure (actions/verification_slots.py).
NAMES_AN_OPERATION = re.compile(
    r"確認|かくにん|見た|みた|見せ|みせ|見れ|みれ|見られ|調べ|しらべ|教え|おしえ|知りた|しりた|再設定|さいせってい|"
    r"りせっと|送っ|おくっ|送り|おくり|受け取|うけと|履歴|りれき|変更|へんこう|変え|かえた"
)

# A button's label typed with a question or a trailing の／か (「パスワードを再設定するの？」): asked about, not pressed
# (actions/choices.py typed_procedure_button); on the NFKC text, before folding drops the marks.
ASKS_ABOUT_THE_BUTTON = re.compile(r"[?？…]|\.\.|[のか]\s*$")  # NFKC writes … as ...
