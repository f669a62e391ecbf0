"""Japanese typed in romaji, read as hiragana (issue 23: the learner persona).

Learners of Japanese without a Japanese keyboard write 「OCN ID wo wasuremashita」 or 「okyakusama bangou wa doko
desu ka」. The classifier was trained on Japanese script, so those words are noise to it; read as hiragana
(「OCN ID を わすれました」) they share the kana reading and most lemmas of the Japanese they stand for.

Only a message that is romaji Japanese is read this way: one with a particle or a polite ending of its own
(wo, wa, desu, …masu, …mashita, onegai), so English (「are you robot?」 parses as あれ よう) and the IDs stay as
written. A word is read only when it parses whole as Hepburn or wāpuro romaji; an address, a chunk with a digit
and the English words that happen to parse (home, time) are left alone.
"""

from __future__ import annotations

import re

_VOWELS = "aiueo"  # the order of a kana row
_MACRONS = str.maketrans({"ā": "aa", "ī": "ii", "ū": "uu", "ē": "ee", "ō": "ou", "â": "aa", "ô": "ou", "û": "uu"})

_ROWS = {
    "": "あいうえお",
    "k": "かきくけこ",
    "g": "がぎぐげご",
    "s": "さしすせそ",
    "z": "ざじずぜぞ",
    "t": "たちつてと",
    "d": "だぢづでど",
    "n": "なにぬねの",
    "h": "はひふへほ",
    "b": "ばびぶべぼ",
    "p": "ぱぴぷぺぽ",
    "m": "まみむめも",
    "r": "らりるれろ",
}
_YOON = {
    "ky": "き",
    "gy": "ぎ",
    "sh": "し",
    "sy": "し",
    "j": "じ",
    "jy": "じ",
    "zy": "じ",
    "ch": "ち",
    "ty": "ち",
    "cy": "ち",
    "ny": "に",
    "hy": "ひ",
    "by": "び",
    "py": "ぴ",
    "my": "み",
    "ry": "り",
}
_SMALL = {"a": "ゃ", "u": "ゅ", "o": "ょ"}


def _syllables() -> dict[str, str]:
    table = {
        consonant + vowel: kana for consonant, row in _ROWS.items() for vowel, kana in zip(_VOWELS, row, strict=True)
    }
    for start, kana in _YOON.items():
        table |= {start + vowel: kana + small for vowel, small in _SMALL.items()}
    table |= {"shi": "し", "chi": "ち", "tsu": "つ", "tu": "つ", "fu": "ふ", "ji": "じ", "zi": "じ", "si": "し"}
    table |= {"ti": "ち", "di": "ぢ", "du": "づ", "hu": "ふ", "she": "しぇ", "che": "ちぇ", "je": "じぇ"}
    table |= {"ya": "や", "yu": "ゆ", "yo": "よ", "wa": "わ", "wo": "を", "fa": "ふぁ", "fi": "ふぃ", "fe": "ふぇ"}
    table |= {"fo": "ふぉ", "vu": "ゔ", "-": "ー"}
    return table


_SYLLABLE = _syllables()
_LONGEST = max(len(key) for key in _SYLLABLE)

# Particles and endings that make a message romaji Japanese (「no」「to」 are English words too: left out).
_JAPANESE_WORDS = frozenset({
    "wo", "wa", "ga", "ni", "ka", "desu", "desuka", "deshita", "masu", "masen", "mashita", "kudasai", "onegai",
    "onegaishimasu", "shimasu", "dekimasu", "dekimasuka", "arimasu", "arimasen", "hai", "iie", "arigatou",
    "arigato", "arigatougozaimasu", "gozaimasu", "sumimasen", "wakarimasen", "wakarimashita", "nandesuka",
    "doushite", "doko", "nani", "nan"
})  # fmt: skip
_JAPANESE_ENDING = re.compile(r"(?:masu|mashita|masen|masenka|desu|deshita|tai|taidesu|kudasai|nai)$")
# English words of a support chat that parse whole as romaji: never read as kana (「no」 too: 「No, arigatou」 is a
# no, and 「no code」 says the code did not come).
_ENGLISH = frozenset({
    "a", "again", "ago", "amen", "an", "are", "as", "banana", "base", "be", "bone", "by", "bye", "came", "case",
    "change", "come", "data", "date", "do", "done", "even", "fine", "fun", "game", "gate", "go", "gone", "hate",
    "he", "here", "hi", "hide", "home", "hope", "human", "i", "in", "ion", "june", "kate", "made", "make", "man",
    "me", "men", "mine", "mode", "more", "name", "nine", "no", "none", "nope", "nose", "note", "on", "one",
    "onion", "open", "or", "page", "pen", "pin", "potato", "pure", "rate", "ride", "rose", "run", "safe", "same",
    "seven", "side", "site", "so", "some", "son", "sun", "sure", "take", "taken", "ten", "time", "to", "token",
    "tomato", "tone", "tune", "type", "union", "use", "we", "were", "woman", "you", "zone"
})  # fmt: skip
# Names of services and devices that parse as romaji (「yahoo」 is Yahoo!, not やほお; 「onu」 the line's device).
_NAMES = frozenset({
    "ahamo", "amazon", "au", "docomo", "nintendo", "onu", "povo", "rakuten", "yahoo", "youtube"
})  # fmt: skip
_LONGEST_WORD = 30  # longer runs of letters are no word (a pasted string): left as written
_WORD = re.compile(r"[A-Za-zāīūēōâôû][A-Za-zāīūēōâôû'-]*")
_CHUNK = re.compile(r"\S+")
# Particles written after a noun: read as said (「wa」 は, 「wo」 を, 「e」 へ).
_PARTICLE = {"wa": "は", "wo": "を", "e": "へ"}
# 「no」「to」 are English words too: の and と only between two words read as kana (「mae no meeru」), never in
# 「No, arigatou」 or 「no code」.
_LINKING = {"no": "の", "to": "と"}
# The chat's loanwords, written in katakana as the page writes them: their romaji doubles a vowel where katakana
# has 「ー」 (「meeru」 is メール, not めえる), which a syllable-by-syllable reading cannot know.
_LOANWORDS = {
    "meeru": "メール",
    "meru": "メール",
    "adoresu": "アドレス",
    "meeruadoresu": "メールアドレス",
    "pasuwaado": "パスワード",
    "pasuwado": "パスワード",
    "peeji": "ページ",
    "maipeeji": "マイページ",
    "roguin": "ログイン",
    "chatto": "チャット",
    "chaato": "チャット",
    "koodo": "コード",
    "kodo": "コード",
    "rinku": "リンク",
    "apuri": "アプリ",
    "sofuto": "ソフト",
    "meerusofuto": "メールソフト",
    "sumaho": "スマホ",
    "netto": "ネット",
    "intaanetto": "インターネット",
    "intanetto": "インターネット",
    "pointo": "ポイント",
    "akaunto": "アカウント",
    "risetto": "リセット",
    "sapooto": "サポート",
}


def kana_of_word(word: str) -> str | None:
    """The hiragana of one romaji word, or None when any part of it is not romaji."""
    spelled = word.lower().translate(_MACRONS)
    kana: list[str] = []
    at = 0
    while at < len(spelled):
        here, following = spelled[at], spelled[at + 1 : at + 2]
        if here == "'":
            at += 1  # 「kon'ya」: the apostrophe only ends the ん before it
            continue
        if here == "n" and not _starts_a_syllable(following):
            doubled = following == "n" and not _starts_a_syllable(spelled[at + 2 : at + 3])
            kana.append("ん")
            at += 2 if doubled else 1
            continue
        if here == "m" and following in ("b", "p", "m"):
            kana.append("ん")  # Hepburn's 「shimbun」
            at += 1
            continue
        if here == following and here not in _VOWELS + "-" or (here, following) == ("t", "c"):
            kana.append("っ")
            at += 1
            continue
        for size in range(_LONGEST, 0, -1):
            if spelled[at : at + size] in _SYLLABLE:
                kana.append(_SYLLABLE[spelled[at : at + size]])
                at += size
                break
        else:
            return None
    return "".join(kana)


def _starts_a_syllable(following: str) -> bool:
    """After an 「n」: a vowel or 「y」 makes it な…/にゃ…; anything else (or the word's end) makes it ん."""
    return bool(following) and following in _VOWELS + "y"


def _is_japanese_marker(word: str) -> bool:
    """A particle or a polite ending in romaji; never a word in capitals (「WA」 is a state, 「NAN」 a name)."""
    if word.isupper() and len(word) > 1:
        return False
    word = word.lower()
    return word in _JAPANESE_WORDS or (len(word) > 4 and bool(_JAPANESE_ENDING.search(word)))


def romaji_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, hiragana) of each romaji word of a message written in romaji Japanese; [] otherwise."""
    words = [
        (chunk.start() + match.start(), chunk.start() + match.end(), match.group())
        for chunk in _CHUNK.finditer(text)
        if "@" not in chunk.group() and not any(char.isdigit() for char in chunk.group())
        for match in _WORD.finditer(chunk.group())
        if _standalone(chunk.group(), match)
    ]
    if not any(_is_japanese_marker(word) for _, _, word in words):
        return []
    read = [_kana_of(word) for _, _, word in words]
    for at, (start, end, word) in enumerate(words):
        if word.lower() in _LINKING and 0 < at < len(words) - 1 and read[at - 1] and read[at + 1]:
            between = text[words[at - 1][1] : start] + text[end : words[at + 1][0]]
            read[at] = _LINKING[word.lower()] if not between.strip() else None
    return [(start, end, kana) for (start, end, _), kana in zip(words, read, strict=True) if kana]


def _kana_of(word: str) -> str | None:
    lower = word.lower()
    if lower in _ENGLISH or lower in _NAMES or (word.isupper() and len(word) > 1) or len(word) > _LONGEST_WORD:
        return None  # OCN, ID, SMS, OK: names as written
    return _PARTICLE.get(lower) or _LOANWORDS.get(lower) or kana_of_word(word)


def _standalone(chunk: str, match: re.Match[str]) -> bool:
    """A word not glued to a dotted name (taro.yamada) or an ID's other characters; a sentence's full stop is
    not glue."""
    before, after = chunk[match.start() - 1 : match.start()], chunk[match.end() : match.end() + 1]
    glued_after = after in (".", "_") and match.end() + 1 < len(chunk)
    return before not in (".", "_") and not glued_after


def read_romaji(text: str) -> str:
    """The message with its romaji words in hiragana (unchanged when it is not romaji Japanese)."""
    found = romaji_words(text)
    for start, end, kana in reversed(found):
        text = text[:start] + kana + text[end:]
    return text
