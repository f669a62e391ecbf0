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
        f"【OCN】確認コード: {code}\nチャットでのご本人確認に使います。有効期限は{ttl_minutes}分です。"
        "このコードを他の人に教えないでください。お心当たりがない場合は破棄してください。",
    )


def password_reset(link: str, ttl_hours: int) -> Message:
    return Message(
        "password_reset",
        "【OCN】OCN IDパスワード再設定のご案内",
        f"【OCN】OCN IDのパスワード再設定はこちら（{ttl_hours}時間有効）: {link}\n"
        "再設定後は、メールソフトに保存されているパスワードも新しいものに変更してください。",
    )


def connection_credentials(connection_id: str, password: str) -> Message:
    return Message(
        "connection_credentials",
        "【OCN】接続用ID・接続用パスワードのお知らせ",
        f"【OCN】接続用ID: {connection_id}\n接続用パスワード: {password}\n"
        "現在の接続用IDとパスワードです（変更はしていません）。この内容を他の人に教えないでください。",
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
        f"【OCN】OCN ID: {value}\nOCNマイページへのログインなどにお使いください。",
    )
