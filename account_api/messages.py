"""Texts of the SMS, mails and letters the sandbox "sends" (they land in the outbox)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str  # mail subject / letter title; ignored for SMS
    body: str


def verification_code(code: str, ttl_minutes: int) -> Message:
    return Message(
        "verification_code",
        "【OCN】確認コードのお知らせ",
        f"【OCN】確認コード: {code}\nOCNのチャットでのご本人確認用です。有効期限は{ttl_minutes}分です。"
        "このコードは、お手続き中のOCNのチャットにだけご入力ください。どなたにも教えないでください。OCNの担当者がお尋ねすることはありません。"
        "お心当たりがない場合は破棄してください。",
    )


def password_reset(link: str, ttl_hours: int) -> Message:
    return Message(
        "password_reset",
        "【OCN】OCN IDのパスワード再設定のご案内",
        f"【OCN】OCN IDのパスワード再設定はこちら（{ttl_hours}時間有効）: {link}\n"
        "メールソフトやアプリをお使いの場合は、再設定後にそちらのパスワードもご変更ください。"
        "お心当たりがない場合は、リンクを開かずに破棄してください。OCNがメールでパスワードをお尋ねすることはありません。",
    )


def connection_credentials(connection_id: str, password: str) -> Message:
    return Message(
        "connection_credentials",
        "【OCN】OCN接続用IDとパスワードのお知らせ",
        f"【OCN】接続用ID: {connection_id}\n接続用パスワード: {password}\n"
        "現在の接続用IDとパスワードです（変更はしていません）。この内容はどなたにも教えず、チャットにも入力しないでください。",
    )


def customer_number(number: str) -> Message:
    return Message(
        "customer_number",
        "【OCN】お客さま番号のお知らせ",
        f"【OCN】お客さま番号: {number}\nお問い合わせやお手続きの際にお使いください。",
    )


def ocn_id(value: str) -> Message:
    return Message(
        "ocn_id",
        "【OCN】OCN IDのお知らせ",
        f"【OCN】OCN ID: {value}\nOCNのログイン画面が表示されたときにご入力ください。",
    )
