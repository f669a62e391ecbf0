"""Buttons built by the actions: yes/no, and those whose payloads carry entities
(`/inform{"procedure": ...}`).

They are built here, not in domain.yml, because Rasa fills `{...}` in domain responses as
slot templates and would log an error for every JSON payload.
"""

from __future__ import annotations

import json


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def _buttons(items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": value} for title, value in items]


def which_password() -> list[dict[str, str]]:
    return _buttons(
        [
            ("OCN ID（メール）のパスワード", payload("forgot_ocn_id_password")),
            ("接続用ID（認証ID）のパスワード", payload("check_connection_id")),
            ("わからない", payload("inform", id_type="unknown")),
        ]
    )


def procedures() -> list[dict[str, str]]:
    return _buttons(
        [
            ("OCN IDのパスワード再設定", payload("inform", procedure="reset_ocn_password")),
            ("接続用IDとパスワードを受け取る", payload("inform", procedure="send_connection_id")),
            ("お客さま番号を確認", payload("inform", procedure="send_customer_number")),
            ("OCN IDを確認", payload("inform", procedure="send_ocn_id")),
            ("ログイン履歴を確認", payload("inform", procedure="login_history")),
        ]
    )


def delivery_methods() -> list[dict[str, str]]:
    return _buttons(
        [
            ("SMSで受け取る", payload("inform", delivery_method="sms")),
            ("郵送で受け取る", payload("inform", delivery_method="post")),
            ("マイページで表示する", payload("inform", delivery_method="mypage")),
        ]
    )


def start_procedure(procedure: str, title: str) -> dict[str, str]:
    return {"title": title, "payload": payload("start_procedure", procedure=procedure)}


def yes_no(yes_payload: str = "/affirm", yes_title: str = "はい", no_title: str = "いいえ") -> list[dict[str, str]]:
    return _buttons([(yes_title, yes_payload), (no_title, "/deny")])


def talk_to_person() -> list[dict[str, str]]:
    """Offers a person (actions/handoff_actions.py), after the bot could not help."""
    return _buttons([("担当者と話す", payload("request_human"))])
