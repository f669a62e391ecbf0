"""How customers spell the domain's words, mapped to one lemma each.

Sudachi's dictionary splits hiragana and romaji spellings of our key words into nonsense
(せつぞく -> 切 + 俗), so these are recognized before Sudachi runs. Keys are NFKC + lower-case.
"""

from __future__ import annotations

from ocn_ids.normalize import SLIPS

LEXICON: dict[str, tuple[str, ...]] = {
    "パスワード": (
        "ぱすわーど",
        "ぱすわど",
        "ぱすわーと",
        "ぱすわと",
        "パスワーと",
        "パスワド",
        "パスワ-ド",
        "password",
        "passwd",
        "pass",
        "pwd",
        "pw",
        "ぱすわ",
        "パスワ",
        "暗証番号",
        "pasuwaado",
        "pasuwado",
        "pasuwa-do",
        "パス輪ード",
        "パスワー度",
    ),
    # 設則／接則: voice input's and IME's wrong conversions of せつぞく
    "接続": ("せつぞく", "setsuzoku", "設続", "設則", "接則"),
    "OCN": ("おーしーえぬ", "オーシーエヌ", "おーしーえぬー"),
    "連携": ("れんけい", "renkei", "連係"),
    "登録": ("とうろく", "touroku", "等録"),
    "不正": ("ふせい",),
    "ルーター": ("るーたー", "ろーたー", "router"),
    "種類": ("しゅるい",),
    "違い": ("ちがい", "chigai"),
    "dポイント": ("でぃーぽいんと", "dぽいんと", "でぃーポイント", "d point"),
    "認証": ("にんしょう", "人称"),  # 人称: voice input's homophone of 認証
    "お客さま番号": (
        "おきゃくさまばんごう",
        "おきゃくさま番号",
        "お客様番号",
        "お客さまばんごう",
        "顧客番号",
        "お客番号",
        "きゃくばん",
        "お客さまの番号",
        "お客様の番号",
        "okyakusama bangou",
        "okyakusamabangou",
        "お客さま番合",
        "お客さま晩go",
    ),
    "メールアドレス": (
        "めーるあどれす",
        "めあど",
        "メアド",
        "メルアド",
        "めるあど",
        "mail address",
        "e-mail",
        "email",
        "mailaddress",
    ),
    "メール": ("めーる", "mail"),
    "マイページ": ("まいぺーじ", "mypage", "my page", "マイページ", "mai peeji", "maipeeji", "mai pe-ji"),
    "ログイン": ("ろぐいん", "login", "log in", "サインイン", "rogin", "roguin"),
    "履歴": ("りれき", "rireki", "理歴"),
    "会員登録証": ("かいいんとうろくしょう", "会員証", "登録証", "kaiin tourokushou", "会員登録賞", "会員登録書"),
    "変更": ("へんこう", "henkou", "変光", "偏向", "返光"),
    "確認": ("かくにん", "kakunin"),
    "忘れる": ("わすれ", "wasure"),
    "dアカウント": (
        "dあかうんと",
        "でぃーあかうんと",
        "dアカ",
        "docomoアカウント",
        "ドコモアカウント",
        "d account",
        "d akaunto",
    ),
    "ID": ("あいでぃー", "あいでぃ", "アイディー", "アイディ", "id", "ai di", "aidi", "i d"),
    "オペレーター": ("おぺれーたー", "operator", "オペレータ"),
}

_MAX_SLIPPABLE = 4  # a word with more places to slip gets no slipped spellings (2^n of them)
# Slipped spellings that are other words: 「あいてい(ます)」 is 空いている, 「あいてぃー」 IT, 「てぃーぽいんと」
# Tポイント (another points service), 「かいいんとうろくしよう」 会員登録しよう.
_REAL_WORDS = {"あいてい", "アイテイ", "あいてぃー", "アイティー", "あいてぃ", "アイティ", "かいいんとうろくしよう"}
_OTHER_WORDS_FROM = ("てぃー", "ティー")  # a slipped でぃー is T


def typing_slips(word: str) -> set[str]:
    """The word with any of its dakuten, handakuten and small kana slipped (ocn_ids/normalize.py SLIPS), at least one (ぱすわーど ->
    はすわーど, ぱすわーと, はすわーと); none for a word shorter than four characters, where a slip makes
    another word too easily (ちがい -> ちかい)."""
    places = [index for index, char in enumerate(word) if char in SLIPS]
    if len(word) < 4 or not places or len(places) > _MAX_SLIPPABLE:
        return set()
    slipped = set()
    for chosen in range(1, 2 ** len(places)):
        chars = list(word)
        for bit, index in enumerate(places):
            if chosen >> bit & 1:
                chars[index] = SLIPS[chars[index]]
        slipped.add("".join(chars))
    return {word for word in slipped - _REAL_WORDS if not word.startswith(_OTHER_WORDS_FROM)}


def _spellings(lemma: str, variants: tuple[str, ...]) -> set[str]:
    written = {variant.lower() for variant in (lemma, *variants)}
    return written | {slip for word in written for slip in typing_slips(word)}


# ASCII spellings only count as whole words (so "id" inside "idea" is not an ID).
VARIANTS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {(spelling, lemma) for lemma, variants in LEXICON.items() for spelling in _spellings(lemma, variants)},
        key=lambda pair: -len(pair[0]),
    )
)

# Values typed by customers become one placeholder token each: the classifier should learn
# "a customer number was given", not the digits of one.
PLACEHOLDERS = {
    "customer_number": "__customer_number__",
    "ocn_id": "__mail_address__",
    "connection_id": "__connection_id__",
    "otp_code": "__code__",
}

# Concepts: what a thing does or where it is typed, for customers who describe an ID instead of
# naming it ("the ID for the router" = the connection ID). A match adds one extra token
# `__concept_<name>__` next to the words' own tokens (the words keep their features too).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "line_setup": (
        "ルーター",
        "るーたー",
        "router",
        "pppoe",
        "プロバイダ",
        "ぷろばいだ",
        "onu",
        "ホームゲートウェイ",
        "光回線",
        "ひかりかいせん",
        "adsl",
        "回線",
        "インターネット接続",
        "ネットにつな",
        "ネット接続",
        "接続設定",
        "初期設定",
        "無線lan",
        "モデム",
    ),
    "mail_app": ("メールソフト", "メールアプリ", "メーラー", "outlook", "thunderbird", "メールの設定", "メール設定"),
    "login": ("ログイン", "ろぐいん", "サインイン", "login", "rogin"),
    "member_page": ("マイページ", "まいぺーじ", "mypage", "会員ページ", "会員向けページ"),
    "paper": ("会員登録証", "登録証", "書類", "書面", "紙", "封筒", "案内書", "ご案内", "かいいんとうろくしょう"),
    "intrusion": ("不正", "ふせい", "乗っ取", "のっと", "身に覚え", "見覚え", "知らない", "不審", "勝手に", "見知らぬ"),
    "docomo": ("dポイント", "ドコモ", "docomo", "dアカウント", "でぃーあかうんと", "ポイント"),
    "change": ("変更", "変え", "かえたい", "へんこう", "チェンジ", "切り替え", "取り直", "新しく", "別の"),
    "forgot": ("忘れ", "わすれ", "思い出せ", "失念", "わからな", "分からな", "わかんな", "わからん", "覚えていな"),
}

CONCEPT_VARIANTS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {(variant.lower(), f"__concept_{name}__") for name, variants in CONCEPTS.items() for variant in variants},
        key=lambda pair: -len(pair[0]),
    )
)
