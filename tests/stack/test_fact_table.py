"""The help page's facts, one conversation each: ask the running bot, check the answer states the fact.

The page: ../shared/source/ocn-id-password-help.ja.txt (public at the verified help-page address).
A row fails when the bot stops saying a fact of the page, says it differently enough to lose it, or
links anywhere but the configured links (with no settings: only the verified help page).
"""

from __future__ import annotations

import re

import pytest

from actions.links import all_links
from tests.support.stack import RunningStack, new_sender, texts

# (fact of the page, what a customer asks, phrases the answer must contain)
FACTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("お客さま番号はNから始まる10桁", "お客さま番号を確認したいです", ("Nから始まる10桁", "N123456789")),
    ("お客さま番号は変更できない", "お客さま番号を変更したいです", ("お客さま番号は変更できません",)),
    ("お客さま番号は契約を識別する番号", "OCNのIDの種類を教えてください", ("ご契約を識別する",)),
    (
        "OCN IDのパスワードは確認できず、再設定が必要",
        "OCN IDのパスワードを忘れてしまいました",
        ("確認することはできません", "再設定が必要です"),
    ),
    (
        "再設定・変更後はメールソフトやアプリのパスワードも変更",
        "OCN IDのパスワードを変更したい",
        ("現在のパスワード", "メールソフトやアプリに設定したパスワードも変更する必要があります"),
    ),
    (
        "OCN IDの変更後はメールソフトやアプリのメールアドレスも変更",
        "OCN IDを変更したいです",
        ("メールソフトやアプリに設定したメールアドレスも変更する必要があります",),
    ),
    (
        "変更後約2日間は新しく取得したメールアドレスに転送",
        "OCN IDを変更したいです",
        ("約2日間", "新しく取得したメールアドレスに転送されます"),
    ),
    ("OCN以外のメールアドレスもOCN IDにできる", "OCN IDを変更したいです", ("OCN以外のメールアドレス",)),
    ("OCN IDは各サービス共通のログインID", "OCNのIDの種類を教えてください", ("OCNの各サービスに共通のログインID",)),
    (
        "接続用IDは@があるがメールアドレスではなく、光回線やADSLの接続設定に使う",
        "OCNのIDの種類を教えてください",
        ("メールアドレスではありません", "光回線やADSL"),
    ),
    ("接続用IDは変更できない", "接続用IDを変更したい", ("OCN接続用ID（認証ID）は変更できません",)),
    (
        "接続用IDのパスワードは現在のものがわかれば変更できる",
        "接続用IDのパスワードを変更したいです",
        ("現在のパスワードがわかっていれば", "変更できます"),
    ),
    (
        "接続用IDとパスワードはマイページ・郵送・SMSで確認",
        "接続用IDとパスワードを確認したい",
        ("OCN マイページに表示する", "郵送で受け取る", "SMSで受け取る"),
    ),
    ("dアカウント連携でdポイントがたまる", "dアカウントと連携したい", ("dポイントをためる",)),
    ("マイページを初めて使うには利用登録", "マイページを初めて使いたいです", ("初めて", "利用登録が必要です")),
    ("不正ログインはログイン履歴で確認", "不正ログインされていないか確認したい", ("不正ログイン", "ログイン履歴")),
    (
        "会員登録証がなくてもマイページで確認できる",
        "会員登録証をなくしてしまいました",
        ("お手元にない場合", "OCN マイページで確認できます"),
    ),
    (
        "会員登録証の再発行はページに記載がない（正直に、お問い合わせ窓口へ）",
        "会員登録証をなくしてしまいました",
        ("再発行", "記載がありません", "お問い合わせ窓口"),
    ),
    ("アンケート「疑問・問題は解決しましたか？」", "お客さま番号を変更したいです", ("疑問・問題は解決しましたか？",)),
]


IDS = [
    "customer-number-format",
    "customer-number-unchangeable",
    "customer-number-identifies-contract",
    "ocn-id-password-reset-only",
    "mail-app-password",
    "mail-app-address",
    "forwarding-2-days",
    "non-ocn-address",
    "ocn-id-common-login",
    "connection-id-not-mail",
    "connection-id-unchangeable",
    "connection-password-changeable",
    "connection-id-three-ways",
    "d-account-points",
    "mypage-registration",
    "login-history",
    "letter-lost-mypage",
    "letter-reissue-honest",
    "survey",
]


@pytest.mark.parametrize("fact, question, phrases", FACTS, ids=IDS)
def test_the_bot_states_the_fact_of_the_help_page(
    stack: RunningStack, fact: str, question: str, phrases: tuple[str, ...]
) -> None:
    answer = texts(stack.say(new_sender(), question))
    missing = [phrase for phrase in phrases if phrase not in answer]
    assert not missing, f"asked 「{question}」 for 「{fact}」; the answer lacks {missing}:\n{answer}"
    links = set(re.findall(r"https?://\S+", answer))
    assert links <= set(all_links(stack.env).values()), f"a link not from actions/links.py: {links}"


def test_no_answer_promises_an_immediate_result(stack: RunningStack) -> None:
    sender = new_sender()
    answer = texts(stack.say(sender, "接続用IDとパスワードを確認したい"))
    assert "すぐに" not in answer and "数日" not in answer
