"""How customers spell the domain's words, mapped to one lemma each.

Sudachi's dictionary splits hiragana and romaji spellings of our key words into nonsense
(せつぞく -> 切 + 俗), so these are recognized before Sudachi runs. Keys are NFKC + lower-case.
"""

from __future__ import annotations

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
    ),
    "接続": ("せつぞく",),
    "認証": ("にんしょう",),
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
    "マイページ": ("まいぺーじ", "mypage", "my page", "マイページ"),
    "ログイン": ("ろぐいん", "login", "log in", "サインイン"),
    "履歴": ("りれき",),
    "会員登録証": ("かいいんとうろくしょう", "会員証", "登録証"),
    "変更": ("へんこう",),
    "確認": ("かくにん",),
    "忘れる": ("わすれ",),
    "dアカウント": ("dあかうんと", "dアカ", "docomoアカウント", "ドコモアカウント", "d account"),
    "ID": ("あいでぃー", "あいでぃ", "アイディー", "アイディ", "id"),
    "オペレーター": ("おぺれーたー", "operator", "オペレータ"),
}

# ASCII spellings only count as whole words (so "id" inside "idea" is not an ID).
VARIANTS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {(variant.lower(), lemma) for lemma, variants in LEXICON.items() for variant in (lemma, *variants)},
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
