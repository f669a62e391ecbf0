"""Reading typed answers against the question asked: one table for buttons and typed answers."""

from __future__ import annotations

import pytest

from actions import buttons
from actions.choices import QUESTIONS, YES_NO_QUESTIONS, named_procedure, read_choice, read_yes_no
from easy_japanese.twins import twins


@pytest.mark.parametrize(
    "question, typed, value",
    [
        ("which_password", "OCN ID", "ocn_id"),
        ("which_password", "ｏｃｎ　ｉｄ", "ocn_id"),  # full width
        ("which_password", "メールのほうです", "ocn_id"),
        ("which_password", "接続用ID", "connection_id"),
        ("which_password", "ニンショウ", "connection_id"),  # katakana of a hiragana keyword
        ("which_password", "ネットのほう", "connection_id"),  # the internet's password
        ("which_password", "わかんない", "unknown"),
        ("which_password", "ネットつなぐ時のやつ", "connection_id"),
        ("which_password", "どっち？って何？わかんねえよ", "unknown"),  # several of the choice's words
        ("which_password", "ルーターの方です", "connection_id"),
        ("which_password", "ネットにつなぐときの", "connection_id"),  # what it is used for, 「ときの」 around it
        ("which_password", "ログインするときのやつ", "ocn_id"),  # the page: the OCN ID is the one to log in with
        ("which_password", "ログイン用のパスワードです", "ocn_id"),
        ("which_password", "ログインするときのパスワード", "ocn_id"),
        ("which_password", "ネットにつなぐ時のパスワードです", "connection_id"),
        # the reset's own words at which procedure, not the OCN ID's look-up (a password tail only at which password)
        ("procedure", "OCN IDのパスワード", "reset_ocn_password"),
        ("procedure", "OCN IDのパスワードをお願いします", "reset_ocn_password"),
        ("procedure", "接続用IDのパスワードです", "send_connection_id"),
        ("which_password", "２番", "connection_id"),
        ("which_password", "3", "unknown"),
        ("procedure", "ログイン履歴", "login_history"),
        ("procedure", "OCN ID", "send_ocn_id"),  # the exact label beats a longer one containing it
        ("procedure", "3番目", "send_customer_number"),
        ("delivery_method", "sms", "sms"),
        ("delivery_method", "ＳＭＳでお願いします", "sms"),
        ("delivery_method", "ゆうそう", "post"),
        ("delivery_method", "まいぺーじ", "mypage"),
        ("delivery_method", "マイページで表示", "mypage"),  # part of the label
    ],
)
def test_a_label_in_full_or_part_any_width_or_kana_or_its_number_is_the_answer(
    question: str, typed: str, value: str
) -> None:
    assert [c.value for c in read_choice(question, typed)] == [value]


@pytest.mark.parametrize(
    "question, typed",
    [
        ("which_password", "お客さま番号は変更できますか"),
        ("which_password", "OCN IDの確認方法を教えてください"),
        ("which_password", "ログインできません"),  # a problem of its own, not which password
        ("which_password", "マイページにログインするとき"),  # the page does not say which ID My Page takes
        ("delivery_method", "マイページのパスワード？"),  # a password's question, no way chosen
        ("delivery_method", "画面のパスワード"),
        ("which_password", "7"),  # no such choice
        ("procedure", "今日はいい天気ですね"),
    ],
)
def test_anything_else_is_a_new_question(question: str, typed: str) -> None:
    assert read_choice(question, typed) == []


def test_every_button_label_is_read_back_as_its_own_choice() -> None:
    for question, choices in QUESTIONS.items():
        for number, choice in enumerate(choices, start=1):
            assert read_choice(question, choice.title) == [choice]
            assert read_choice(question, f"{number}番") == [choice]


def test_buttons_come_from_the_same_table() -> None:
    assert [b["title"] for b in buttons.which_password()] == [c.title for c in QUESTIONS["which_password"]]
    assert [b["payload"] for b in buttons.delivery_methods()] == [c.payload for c in QUESTIONS["delivery_method"]]
    assert [b["title"] for b in buttons.yes_no("offer_procedure")] == ["チャットで手続きする", "今はしない"]


@pytest.mark.parametrize(
    "question, typed, reading",
    [
        ("offer_procedure", "大丈夫です", "no"),
        ("offer_procedure", "結構です", "no"),
        ("offer_procedure", "いいです", "no"),
        ("offer_procedure", "いいですよ", "yes"),
        ("offer_procedure", "お願いします！", "yes"),
        ("offer_procedure", "今はしない", "no"),  # the button label, typed
        ("offer_procedure", "うーん", "unclear"),
        ("procedure_confirmed", "大丈夫です", "yes"),  # 「よろしいですか？」「大丈夫です」
        ("procedure_confirmed", "おう", "yes"),  # curt, but a yes
        ("procedure_confirmed", "結構です", "unclear"),  # could be either: asked back
        ("procedure_confirmed", "ん", "unclear"),  # a grunt does not confirm an account change
        ("procedure_confirmed", "ｎ", "unclear"),
        ("survey", "ん", None),  # elsewhere the classifier decides
        ("survey", "大丈夫です", "yes"),
        ("offer_resend", "大丈夫です", "no"),
        ("offer_procedure", "ログイン履歴を見たい", None),  # not a yes/no answer
        ("which_password", "はい", None),  # not a yes/no question
    ],
)
def test_yes_no_words_are_read_with_the_question_in_mind(question: str, typed: str, reading: str | None) -> None:
    assert read_yes_no(question, typed) == reading


def test_a_typed_easy_japanese_label_is_read_like_its_button() -> None:
    # In the easy mode the buttons carry the easy titles (easy_japanese/texts/buttons.yml); customers type them too.
    for question, choices in QUESTIONS.items():
        for choice in choices:
            easy = twins().button_title(choice.title)
            assert read_choice(question, easy) == [choice], (question, easy)
    for question, asked in YES_NO_QUESTIONS.items():
        assert read_yes_no(question, twins().button_title(asked.yes_title)) == "yes", question
        assert read_yes_no(question, twins().button_title(asked.no_title)) == "no", question


@pytest.mark.parametrize(
    "typed, procedure",
    [
        ("ここでお客さま番号を確認する手続きをしたい", "send_customer_number"),
        ("OCN IDのパスワードの再設定をチャットでお願いします", "reset_ocn_password"),
        ("ログイン履歴をチャットで見たい", "login_history"),
        ("チャットで手続きしたい", None),  # names none
    ],
)
def test_a_request_names_its_procedure(typed: str, procedure: str | None) -> None:
    assert named_procedure(typed) == procedure


def test_the_survey_words_answer_no_other_question() -> None:
    """「解決しない」 answers 「解決しましたか？」 only; at the final 「よろしいですか？」 a reply holding a survey word
    (「はい、違います」) is not a yes, and at the offer 「解決しない」 is no answer at all (the classifier and the
    change-of-mind reading decide)."""
    assert read_yes_no("survey", "いいえ、違います") == "no"
    assert read_yes_no("offer_procedure", "解決しない") is None
    for reply in ("はい、違います", "はい、だめ", "はい、できない", "ok、意味不明"):
        assert read_yes_no("procedure_confirmed", reply) is None
