"""The help-page topics: which answer, link and chat procedure belongs to each intent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    title: str  # short label for clarification buttons (LINE allows 20 characters)
    link_key: str | None = None  # key in actions.links (None: the help page)
    procedure: str | None = None  # chat procedure offered after the answer
    survey: bool = True  # ask 「疑問・問題は解決しましたか？」 after the answer
    # Caveats sent as their own bubbles after the answer (docs/style.md: short bubbles read better on LINE).
    notes: tuple[str, ...] = ()


MAIL_APP_PASSWORD = "utter_note_mail_app_password"
NO_PASSWORD_IN_CHAT = "utter_note_no_password_in_chat"
MYPAGE_FIRST_TIME = "utter_note_mypage_first_time"


TOPICS: dict[str, Topic] = {
    "ask_id_types": Topic(
        "IDの種類と違い",
        notes=("utter_note_id_types", "utter_note_letter_lists_all", "utter_note_letter_ocn_id_password"),
    ),
    "check_customer_number": Topic(
        "お客さま番号の確認", "check_customer_number", "send_customer_number", notes=(MYPAGE_FIRST_TIME,)
    ),
    "change_customer_number": Topic("お客さま番号の変更", "check_customer_number"),
    "check_ocn_id": Topic(
        "OCN IDの確認", "check_ocn_id", "send_ocn_id", notes=("utter_note_login_history_for_misuse", MYPAGE_FIRST_TIME)
    ),
    "forgot_ocn_id_password": Topic(
        "OCN IDのパスワード再設定", "forgot_ocn_id_password", "reset_ocn_password", notes=(MAIL_APP_PASSWORD,)
    ),
    "change_ocn_id": Topic(
        "OCN IDの変更", "change_ocn_id", notes=("utter_note_mail_app_address", "utter_note_forwarding")
    ),
    "change_ocn_id_password": Topic(
        "OCN IDのパスワード変更", "change_ocn_id_password", notes=(MAIL_APP_PASSWORD, NO_PASSWORD_IN_CHAT)
    ),
    "check_login_history": Topic("ログイン履歴の確認", "check_login_history", "login_history"),
    "link_d_account": Topic("dアカウントとの連携", "link_d_account"),
    "register_mypage": Topic("マイページの利用登録", "register_mypage"),
    "check_connection_id": Topic("接続用IDとパスワードの確認", "check_connection_id", "send_connection_id"),
    "change_connection_id_password": Topic(
        "接続用IDのパスワード変更", "change_connection_id_password", notes=(NO_PASSWORD_IN_CHAT,)
    ),
    "change_connection_id": Topic("接続用IDの変更"),
    # The page is silent on re-issuing the letter: say so and point to the contact page.
    "lost_registration_letter": Topic(
        "会員登録証をなくした",
        "mypage_top",
        survey=False,
        notes=("utter_note_letter_reissue", "utter_note_what_to_check"),
    ),
    "forgot_password": Topic("パスワードを忘れた", survey=False),
    "request_human": Topic("担当者と話す", "contact", survey=False),
    "out_of_scope": Topic("ほかのご用件", "contact", survey=False),
}

# Small talk answered with a plain response (also while a procedure is running).
SMALL_TALK_RESPONSES: dict[str, str] = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "bot_challenge": "utter_bot_challenge",
}


def answer_response(intent: str) -> str:
    return f"utter_answer_{intent}"


def topic_of_procedure(procedure: str | None) -> str | None:
    """The topic whose answer offers a chat procedure (reset_ocn_password: forgot_ocn_id_password)."""
    return next((name for name, topic in TOPICS.items() if procedure and topic.procedure == procedure), None)


def procedure_title(procedure: str | None) -> str | None:
    """How the bot names a chat procedure in a sentence: the title of the topic that offers it
    (「OCN IDのパスワード再設定」「接続用IDとパスワードの確認」)."""
    topic = topic_of_procedure(procedure)
    return TOPICS[topic].title if topic else None
