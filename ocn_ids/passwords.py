"""Recognizing a password a customer typed into the chat anyway (the bot never asks for one).

Three ways it shows (bot_server/redaction.py masks what these find; actions/password_warning.py asks the
customer, once, not to do it again):

- after a password word and a separator: 「パスワードは Abc12345」「PW：abc123」「pass=hunter22」
  「パスワード abcd1234 でログインできません」 "my password is Sakura2024", or after 「今のは」 in a message that
  speaks of a password (「パスワード変えたい、今のは abcd1234」) or right after the bot answered about one or
  asked for an ID (「今のはyamada1948なのですが」; without は／が, 「今の taro1234」, only a token that looks like
  a secret: letters with digits, 6+, no product name). Words: パスワード (also slipped: はすわーど), パス, 暗証番号, password, passwd, pass,
  pwd, pw (any width or case). After ":" or "=" any token of 4+ characters counts; after は／が／を／、／,
  or a space the token must look like a secret (letters with digits, or 6+ digits), so the questions
  「パスワードを忘れました」「パスワードはどこで確認できますか」「パスワードをSMSで受け取りたい」 stay.
- later in a message that speaks of a password, a token of letters with digits (6+)
  (「パスワードも要りますか？Taro1234です」); not one labelled as something else (「接続用IDはabc12345です」
  「型番はWSR1166」), a device, app or model number (iPhone15, Office365, PR-500KI), an ID, a link, a
  domain or a hash.
- said aloud (voice input, in kana or katakana): after a password word (and は／が／を／、), a spelling: four
  number words (「いちにさんよん」「いち、に、さん、よん」「いちにーさんしー」), three that end the statement
  (「たろういちにさんです」), or a letter named with 大文字／小文字 (「てぃーが大文字」); masked from the spelling's
  start to its last spelled part, also in a question (「…いちにさんよんで合ってますか？」). Not 「パスワードは
  大文字と小文字を区別しますか」「大文字も使えるんですね」 (no letter named next to the case).
- the whole message, when the bot has just asked for a customer number / OCN ID or which password
  (at_secret_prompt "asked"): one token of 4-64 printable characters without spaces (quotes, 。 or 「です」
  around it allowed) that mixes letters with digits (or upper and lower case with symbols) and is no ID the
  bot reads (N+9 digits, a mail address), no mistyped customer number (N and digits only) and no code or
  phone number (those have their own masks); right after an answer about a password, its survey or offer
  open ("answered"), only letters with digits, six or more, and no product or model name.

Matched after NFKC, so full-width ＰＷ：ａｂｃ１２３ counts too. Offsets are into the text as typed.
"""

from __future__ import annotations

import re
from typing import Literal

from ocn_ids.normalize import hiragana, nfkc, normalize_with_offsets
from ocn_ids.parse import find_values

MIN_CHARS = 4
MAX_CHARS = 64

# With the flick slips of パスワード (はすわーど, ぱすわーと …; 「はす」 alone is 蓮, so only the whole word).
_WORD = (
    r"(?:パスワード|ぱすわーど|[ぱは]すわー?[どと]|[パハ]スワー?[ドト]|暗証番号|パス|ぱす|"
    r"(?<![a-z0-9])(?:password|passwd|pass|pwd|pw)(?![a-z]))"
)
_SEPARATORS = r"(?:[:=]|は|が|を|、|,|\s|(?:is|was)(?=[\s:]))+"  # 「パスワードは X」, "my password is X"
_QUOTE_OPEN = "「『\"'"
_AFTER_WORD = re.compile(rf"{_WORD}(?P<sep>{_SEPARATORS})[{_QUOTE_OPEN}]?(?P<token>[!-~]+)")
# 「パスワードを変えたい、今のは abcd1234 なんだけど」「メールのパス変えたい 今の taro1234」: the current one, in
# a message (or right after an answer) that speaks of a password; without は／が the token must state a secret.
# Also with spaces between the words (「いま の は sakura1234 です」) and as 「今のやつ」.
_CURRENT_ONE = re.compile(
    rf"(?:今|いま)\s*の\s*(?:やつ|もの)?(?P<sep>\s*(?:は|が)(?:、|,|\s)*|\s*)[{_QUOTE_OPEN}]?(?P<token>[!-~]+)"
)
_MENTIONS_PASSWORD = re.compile(_WORD)
# 「パスワードも要りますか？Taro1234です」「変えたいんですけど今使ってるのがhanako0312で」: after the word
# パスワード (not パス: パスタ, パスポート), a token that mixes letters and digits and ends its sentence (or is
# followed by です／で／を使って …) is the password, unless something labels it as what else it is
# (「接続用IDはabc12345です」「アカウントはtaro2024」, _LABELLED) or it is a link, a domain, a hash, a device or a
# model number (_states_a_secret); a log line's 「password_warned」 is a name, not the word (_stands_alone).
_PASSWORD_NOUN = re.compile(
    r"パスワード|ぱすわーど|[ぱは]すわー?[どと]|[パハ]スワー?[ドト]|暗証番号|(?<![a-z0-9])(?:password|passwd|pwd|pw)(?![a-z])"
)
_STATED = re.compile(
    r"(?<![0-9A-Za-z])(?P<token>[0-9A-Za-z][!-~]*[0-9A-Za-z])(?=[」』\"']?"
    r"(?:です|でした|だった|だよ|だ|になります|でございます|を使って|にして|なんです|なのに|なんだけど|なんですけど|"
    r"と入れ|のはず|かな|かも|って|で(?:[。．.!！?？、,\s]|$)|で(?:入|はい|ログ|ろぐ|でき|通ら|とおら|合|あって)|[。．.!！?？、,\s]|$))"
)
_LABELLED = re.compile(
    r"(id|番号|ばんごう|晩号|アドレス|あどれす|メール|めーる|型番|機種|品番|エラー|コード|こーど|バージョン|契約|"
    r"ユーザー名|ユーザ名|名前|ルーター|るーたー|アカウント|あかうんと|ログイン名|担当|たんとう|機器|aterm|buffalo|"
    r"ssid|url|version|error|code|model|account|login|user(name)?)"
    r"\s*(は|が|を|も|の|:|：|=|、|,)?\s*[「『\"']?$"
)
# Devices, apps and systems customers name next to a password question (「…iPhone15です」「Office365」), and
# model numbers (「PR-500KI」「WSR-1166DHP4」「WG1200HS4」: capitals and digits), not secrets.
_PRODUCT_NAME = re.compile(
    r"(?i:(?:windows|win|iphone|ipad|ios|android|macos|galaxy|pixel|xperia|aquos|arrows|office|outlook|chrome|"
    r"edge|firefox|safari|thunderbird|wifi|wi-fi|ipv)\s?\d{1,4}[a-z]{0,10})"
    r"|[A-Z]{1,6}-[0-9A-Z]+|[A-Z]+\d+[A-Z]+\d*|\d+(?i:ghz|mhz|gbps|mbps|kbps|gb|mb|tb|g)|(?i:0x)[0-9a-fA-F]+"
)
# What a sentence says of a token it states (「xY7k29pqって書いてある」「…です」), read without the password word.
_SAID_OF_IT = re.compile(r"[」』\"']?(?:って|と書|です|でした|だった|と入れ|のはず|なんです|なんだけど|なのですが)")
_HASH = re.compile(r"(?i:u?[0-9a-f]{12,})")  # conversation hashes, LINE user IDs, model IDs in log lines
_QUOTE_CLOSE = "」』\"'"
_MISTYPED_CUSTOMER_NUMBER = re.compile(r"n[\d\-]+")


def _mixes_like_a_secret(token: str) -> bool:
    """Letters with digits (abc12345), or upper and lower case with a symbol (Pass!word); not a phone
    number (digits and separators only) nor a word like OCN-ID."""
    letters = any(c.isalpha() for c in token)
    digits = any(c.isdigit() for c in token)
    mixed_case = any(c.isupper() for c in token) and any(c.islower() for c in token)
    symbols = any(not c.isalnum() for c in token)
    return (letters and digits) or (mixed_case and symbols)


def _stands_alone(text: str, mention: re.Match[str]) -> bool:
    """The password word is a word, not part of a name like password_warned or utter_password_not_in_chat."""
    before = text[mention.start() - 1] if mention.start() else " "
    after = text[mention.end()] if mention.end() < len(text) else " "
    return "_" not in (before, after)


def _states_a_secret(token: str) -> bool:
    """Letters with digits, 6 characters or more, no label (「ID:abc123」), link or domain, no product (iPhone15)."""
    return (
        len(token) >= 6
        and any(c.isalpha() for c in token)
        and any(c.isdigit() for c in token)
        and not any(c in token for c in ":=/.@_")
        and not _PRODUCT_NAME.fullmatch(token)
        and not _HASH.fullmatch(token)
    )


def _is_id_or_code(token: str) -> bool:
    """An ID, a code or a phone number: masked (or shown) as what it is, not as a password."""
    return "@" in token or any(f.end - f.start == len(token) for f in find_values(token))


def password_spans(text: str, *, about_a_password: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each password typed after a password word, in the text as typed. `about_a_password`:
    the bot has just answered about a password or asked for an ID (at_secret_prompt), so 「今のは
    yamada1948なのですが」 is the current password without the word in this message."""
    norm = normalize_with_offsets(text)
    spans = []
    matches = list(_AFTER_WORD.finditer(norm.text))
    named = bool(_MENTIONS_PASSWORD.search(norm.text))
    if about_a_password or named:
        # Only a token that states a secret (no product, 6+) without the word and は／が to tie it to one.
        for m in _CURRENT_ONE.finditer(norm.text):
            start, end = norm.span_in_original(m.start("token"), m.end("token"))
            # as typed: model numbers are in capitals (「今のはWG1200HS4なんですが」 names the router)
            if (named and m.group("sep").strip()) or _states_a_secret(nfkc(text[start:end])):
                matches.append(m)
    mention = next((m for m in _PASSWORD_NOUN.finditer(norm.text) if _stands_alone(norm.text, m)), None)
    # Right after an answer about a password, 「メモにはxY7k29pqって書いてある」 states it without the word.
    stated_from = mention.end() if mention else (0 if about_a_password else None)
    for stated in _STATED.finditer(norm.text, stated_from) if stated_from is not None else ():
        start, end = norm.span_in_original(stated.start("token"), stated.end("token"))
        labelled = _LABELLED.search(norm.text[max(0, stated.start() - 12) : stated.start()])
        if not mention and not _SAID_OF_IT.match(norm.text, stated.end("token")):
            continue  # without the word, only a token the sentence says something of (not 「パスタ好き abc123」)
        if not mention and _MISTYPED_CUSTOMER_NUMBER.fullmatch(stated.group("token")):
            continue  # 「N12345678です」 at the ID prompt: an ID with a digit missing
        if not labelled and _states_a_secret(nfkc(text[start:end])):  # as typed: models are in capitals
            matches.append(stated)
    spans += [norm.span_in_original(start, end) for start, end in _spoken_spans(norm.text)]
    for match in matches:
        token = match.group("token").rstrip(_QUOTE_CLOSE + ".,。、")
        start = match.start("token")
        end = start + len(token)
        if len(token) < MIN_CHARS or len(token) > MAX_CHARS or _is_id_or_code(token):
            continue
        digits_only = token.isdigit()
        secret_like = (any(c.isalpha() for c in token) and any(c.isdigit() for c in token)) or (
            digits_only and len(token) >= 6
        )
        if ":" in match.groupdict("").get("sep", "") or "=" in match.groupdict("").get("sep", "") or secret_like:
            spans.append(norm.span_in_original(start, end))
    return _merged(spans)


# A password spelled aloud (voice input types what it hears in kana; katakana is read as hiragana): number
# words (long vowels too: 「にー」「しー」), possibly with spaces or commas between them, and letters named next to
# 大文字/小文字 (「てぃーが大文字」「大文字のえー」). Letter names alone are not enough: 「える」「えす」 end verbs and
# spell SMS.
_KANA_DIGIT = r"(?:ぜろ|れい|まる|いち|に|さん|よん|し|ご|ろく|なな|しち|はち|きゅう|きゅ|く|じゅう)ー?"
_GAP = r"[、,\s・]*"
_KANA_DIGITS = re.compile(rf"{_KANA_DIGIT}(?:{_GAP}{_KANA_DIGIT}){{2,}}")
_LETTER_NAME = (
    r"(?:えー|えい|びー|しー|でぃー|いー|えふ|じー|えいち|えっち|あい|じぇー|じぇい|けー|える|えむ|えぬ|おー|ぴー|"
    r"きゅー|あーる|えす|てぃー|ゆー|ぶい|だぶりゅー|えっくす|わい|ぜっと|ぜっど)"
)
_CASE_WORD = r"(?:大文字|小文字|おおもじ|こもじ)"
_CASED_LETTER = re.compile(rf"{_LETTER_NAME}(?:が|は|を|の|も)?{_CASE_WORD}|{_CASE_WORD}(?:の|で)?{_LETTER_NAME}")
# After the password word and は／が／を／、 (fillers between), up to the sentence's end.
_SPOKEN_AFTER_WORD = re.compile(
    rf"{_WORD}\s*(?:は|が|を|も)?[、,\s]*(?:(?:えーと|えっと|あの|えー|その)[、,\s]*)*(?P<said>[^。．.!！?？\n]+)"
)
# Three number words end a spelling (「たろういちにさん」) when the sentence goes on as a statement of it.
_ENDS_A_STATEMENT = re.compile(r"\s*(?:です|でした|でございます|だ|だよ|だった|で|に|と|って|なの|なん|なのに|[、,]|$)")


def _spoken_spans(text: str) -> list[tuple[int, int]]:
    """A password spelled aloud after 「パスワードは」: from what follows the word (a name's kana and letters come
    before the numbers: 「たろうの…」「えーびーしー…」) to its last number word or cased letter (what follows,
    「…なんですけどログインできません」, stays), in the text's offsets."""
    kana = hiragana(text)  # one character for one: offsets stay
    spans = []
    for match in _SPOKEN_AFTER_WORD.finditer(kana):
        said, start = match.group("said"), match.start("said")
        spelled = [m for m in _KANA_DIGITS.finditer(said) if _is_a_spelling(said, m)]
        spelled += list(_CASED_LETTER.finditer(said))
        if spelled:
            spans.append((start, start + max(m.end() for m in spelled)))
    return spans


def _is_a_spelling(said: str, digits: re.Match[str]) -> bool:
    """Four number words or more, or three followed by the end of the statement (「しごく難しい」 is a word)."""
    count = len(re.findall(_KANA_DIGIT, digits.group()))
    return count >= 4 or bool(_ENDS_A_STATEMENT.match(said, digits.end()))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One span per password, in order: the ways above can find the same one (「パスワードは abc123 です」)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# Where a whole secret-looking message (「abc12345」 alone) is a password: one rule for the tracker store and logs
# (bot_server/redaction.py) and the bot's warning (actions/password_warning.py).
# The form slots whose question asks for a customer number / OCN ID (actions/verification_slots.py).
ID_PROMPT_SLOTS = ("account_ref",)
# Open questions after which a customer may paste the password itself (「どちらのパスワードでしょうか？」)
# (security review, 2026-12-04).
SECRET_PROMPT_QUESTIONS = ("which_password",)
# The help-page topics about a password (actions/topics.py): right after their answer, a customer may type the
# password itself (「abc12345」 after 「OCN IDのパスワードを変えたい」's answer) (issue 23, 2026-12-07).
PASSWORD_TOPICS = (
    "forgot_ocn_id_password",
    "change_ocn_id_password",
    "change_connection_id_password",
    "forgot_password",
)


# Where the bot stands when a whole message may be a password (at_secret_prompt): "asked" (it asked for an ID or
# which password), "answered" (it has just answered about a password: only a token like one, letters and digits,
# counts, so 「Yes!」「Wi-Fi」「iPhone15」 stay), or "" (nowhere: only a password after a password word counts).
SecretPrompt = Literal["asked", "answered", ""]
# The open questions that follow a password's answer (its survey or its procedure's offer): right after it.
_RIGHT_AFTER_AN_ANSWER = ("survey", "offer_procedure")


def at_secret_prompt(requested_slot: object, pending_question: object, topic: object = None) -> SecretPrompt:
    """Whether the bot's last question invites an ID or names a password ("asked"), or its last answer was
    about a password and only its survey or offer is open ("answered"); "" otherwise."""
    if requested_slot in ID_PROMPT_SLOTS or pending_question in SECRET_PROMPT_QUESTIONS:
        return "asked"
    if not requested_slot and pending_question in _RIGHT_AFTER_AN_ANSWER and topic in PASSWORD_TOPICS:
        return "answered"
    return ""


# What may wrap a password typed alone (「abc12345です。」「“abc12345”」「abc12345 です😊」): quotes, spaces, Japanese
# punctuation, emoji and 「です」; ASCII symbols stay (they may be the password's own).
_OPENING = re.compile("^[\\s「『\"'“‘]+")
_CLOSING = re.compile("(?:[\\s」』\"'”’。．、…]|[^\\x00-\\x7f\\w])+$")
_POLITE_END = re.compile("(?:です|でーす|でした|だよ)$")


def _unwrapped(text: str) -> str:
    token = _OPENING.sub("", nfkc(text).strip())
    for _ in range(2):
        token = _POLITE_END.sub("", _CLOSING.sub("", token))
    return token


def looks_like_password(text: str, prompt: SecretPrompt | bool = "asked") -> bool:
    """The whole message is one secret-looking token (read only at a secret prompt, at_secret_prompt): after an
    answer ("answered"), letters with digits, six or more, no product or model name."""
    token = _unwrapped(text)
    if not MIN_CHARS <= len(token) <= MAX_CHARS or not all("!" <= c <= "~" for c in token):
        return False
    if _MISTYPED_CUSTOMER_NUMBER.fullmatch(token.lower()) or _is_id_or_code(token):
        return False
    return _states_a_secret(token) if prompt == "answered" else _mixes_like_a_secret(token)


def contains_password(text: str, *, at_id_prompt: SecretPrompt | bool = False) -> bool:
    return bool(password_spans(text, about_a_password=bool(at_id_prompt))) or (
        bool(at_id_prompt) and looks_like_password(text, at_id_prompt)
    )
