"""Does a message read as written by someone for whom easy Japanese may be easier?

Three signs, any one is enough (checked in tests/easy_japanese/test_learner.py, with native messages
that must not trigger it):
1. **English**: two or more English words (Latin letters, 2+ long) besides the domain's own Latin words
   (OCN, ID, SMS, …) and IDs, one of them a common English word (ENGLISH_HINTS: markup and code are
   not English) — 「How can I reset my OCN mail password?」, 「OCN ID password reset」.
   One English word inside Japanese (「パスワードをresetしたい」) is how native customers write too.
2. **Spaces between kana words**: three or more space-separated pieces of kana and no kanji at all —
   learners write word by word (「パスワード わすれました。 にほんご すこし わかります」); native customers
   put spaces only around IDs and Latin words.
3. **A learner's own words**: 日本語/にほんご with すこし/少し/わからない/むずかしい/へた…, or English/英語/
   えいご/やさしい日本語 named in the message.
"""

from __future__ import annotations

import re

from ocn_ids.normalize import nfkc

# Latin words the domain uses in Japanese sentences (never a sign of English).
DOMAIN_WORDS = frozenset(
    {"ocn", "id", "ids", "sms", "url", "pc", "dアカウント", "mypage", "wi", "fi", "wifi", "adsl", "iphone", "android"}
    | {"windows", "mac", "app", "ok", "no", "n", "gmail", "yahoo", "docomo", "au", "softbank", "line", "ipv6"}
)
# Words that make Latin letters English rather than code or markup (「<img src=x onerror=…>」 is not English).
_FUNCTION_WORDS = (
    "i my me you your we our is are am was be do does did can could will would please how what where when why which"
    " who the a an to of for in on at with not don't can't cannot and or it this that have has"
)
_DOMAIN_ENGLISH = (
    "password forgot forget reset change check help login log mail email address customer number connection"
    " account lost letter speak talk person japanese english"
)
ENGLISH_HINTS = frozenset(f"{_FUNCTION_WORDS} {_DOMAIN_ENGLISH}".split())
_LATIN_WORD = re.compile(r"(?<![\w@.])[a-z][a-z']+(?![\w@.])")
_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_KANA_PIECE = re.compile(r"[\u3040-\u30ffー。、！？!?.,]+")
_JAPANESE_WORD = r"(日本語|にほんご|ニホンゴ)"
_LEARNER_WORDS = re.compile(
    _JAPANESE_WORD
    + r".{0,8}(すこし|少し|ちょっと|わから|分から|わかりません|むずかし|難し|へた|下手|まだ|勉強|べんきょう)"
    r"|(すこし|少し|ちょっと).{0,4}" + _JAPANESE_WORD + r"|english|英語|えいご|エイゴ|やさしい(日本語|にほんご)"
)


def english_words(text: str) -> list[str]:
    folded = nfkc(text).lower()
    return [w for w in _LATIN_WORD.findall(folded) if w.strip("'") not in DOMAIN_WORDS]


def spaced_kana(text: str) -> bool:
    pieces = nfkc(text).split()
    kana = [p for p in pieces if _KANA_PIECE.fullmatch(p)]
    return len(kana) >= 3 and not _KANJI.search(text)


def learner_reason(text: str) -> str | None:
    """Which sign the message shows ("english", "spaced kana", "learner words"), or None."""
    if not text or text.startswith("/"):
        return None
    words = english_words(text)
    if len(words) >= 2 and any(word in ENGLISH_HINTS for word in words):
        return "english"
    if spaced_kana(text):
        return "spaced kana"
    if _LEARNER_WORDS.search(nfkc(text).lower()):
        return "learner words"
    return None


def reads_as_learner(text: str) -> bool:
    return learner_reason(text) is not None
