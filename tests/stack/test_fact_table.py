"""The help page's facts, one row each: ask the running bot over REST, check the answer states the fact.

The page: ../shared/source/ocn-id-password-help.ja.txt (public at the verified help-page address). Each
row quotes what the page says (`fact`) and asks as a customer would (none of the questions is a training
or test example). A row fails when the bot stops saying a fact of the page, says it differently enough
to lose it, or links anywhere but the configured links (with no settings: only the verified help page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.support.stack import RunningStack, new_sender, texts

HELP_PAGE = "https://support.ocn.ne.jp/personal/purpose/detail/pid29000019q5"  # the page's own public address

IDS_QUESTION = "OCNのIDにはどんな種類があるのでしょうか"
MAIL_ADDRESS_CHANGE = "OCNのメールアドレスを別のに変えたい"
LETTER_LOST = "会員登録証が見当たりません"
FORGOT_MAIL_PASSWORD = "OCNメールのパスワードを忘れて思い出せません"
CHANGE_MAIL_PASSWORD = "メールのパスワードを新しいものにしたいです"


@dataclass(frozen=True)
class Fact:
    id: str
    fact: str  # what the help page says
    question: str  # what a customer asks
    phrases: tuple[str, ...]  # what the answer must contain


FACTS: list[Fact] = [
    # お客さま番号: 「サービスのお申し込み時に発行される、Nから始まる10桁の番号です。例:N123456789
    # 変更することはできません。」「お客さまのご契約を識別するための[お客さま番号]」
    Fact("customer-number-format", "Nから始まる10桁の番号", "お客さま番号ってどんな番号ですか", ("Nから始まる10桁",)),
    Fact("customer-number-example", "例:N123456789", "お客さま番号の確認方法を知りたいです", ("N123456789",)),
    Fact(
        "customer-number-issued",
        "サービスのお申し込み時に発行される",
        "私のお客さま番号を調べる方法を教えてください",
        ("お申し込み時に発行される",),
    ),
    Fact(
        "customer-number-unchangeable",
        "変更することはできません",
        "お客さま番号を別の番号に変えることはできますか",
        ("お客さま番号は変更できません",),
    ),
    Fact("customer-number-identifies-contract", "ご契約を識別するための番号", IDS_QUESTION, ("ご契約を識別する",)),
    Fact("customer-number-in-ids-overview", "Nから始まる10桁（IDの表）", IDS_QUESTION, ("Nから始まる10桁",)),
    Fact("three-ids", "お客さま番号、OCN ID、OCN接続用IDがあります", IDS_QUESTION, ("3種類",)),
    Fact(
        "ocn-id-common-login",
        "さまざまなOCNサービスにログインするための共通ID",
        IDS_QUESTION,
        ("OCNの各サービスに共通のログインID",),
    ),
    Fact("connection-id-line-setup", "光回線やADSLのインターネット接続を設定する時", IDS_QUESTION, ("光回線やADSL",)),
    Fact(
        "connection-id-not-mail",
        "@マークがついていますが、メールアドレスではありません",
        IDS_QUESTION,
        ("メールアドレスではありません",),
    ),
    Fact(
        "connection-id-rarely-used",
        "インターネット接続を設定する時以外、ほぼ使用しません",
        IDS_QUESTION,
        ("とき以外は、ほとんど使いません",),
    ),
    Fact(
        "letter-lists-every-id",
        "すべてOCN会員登録証(お申込内容のご案内)に記載",
        IDS_QUESTION,
        ("どのIDとパスワードも", "OCN会員登録証"),
    ),
    # OCN ID (OCNメールアドレス)
    Fact(
        "ocn-id-password-reset-only",
        "パスワードがわからなくなってしまった場合、確認することはできません。再設定が必要",
        FORGOT_MAIL_PASSWORD,
        ("確認できません", "再設定が必要です"),
    ),
    Fact(
        "mail-app-password-after-reset",
        "再設定手続き後にメールソフトやアプリに設定したパスワードも変更する必要",
        FORGOT_MAIL_PASSWORD,
        ("メールソフトやアプリに設定したパスワードも変更する必要があります",),
    ),
    Fact(
        "ocn-id-password-change-needs-current",
        "現在のパスワードがわかっていて、別のパスワードに変更したい場合",
        CHANGE_MAIL_PASSWORD,
        ("現在のパスワード", "別のパスワード"),
    ),
    Fact(
        "mail-app-password-after-change",
        "変更手続き後にメールソフトやアプリに設定したパスワードも変更する必要",
        CHANGE_MAIL_PASSWORD,
        ("メールソフトやアプリに設定したパスワードも変更する必要があります",),
    ),
    Fact(
        "mail-app-address",
        "変更手続き後にメールソフトやアプリに設定したメールアドレスも変更する必要",
        MAIL_ADDRESS_CHANGE,
        ("メールソフトやアプリに設定したメールアドレスも変更する必要があります",),
    ),
    Fact(
        "forwarding-2-days",
        "約2日間は、変更前のメールアドレス宛てのメールが新しく取得したメールアドレスに転送",
        MAIL_ADDRESS_CHANGE,
        ("約2日間", "新しく取得したメールアドレスに転送されます"),
    ),
    Fact(
        "non-ocn-address",
        "OCN以外のメールアドレスをOCN IDとして設定することも可能",
        MAIL_ADDRESS_CHANGE,
        ("OCN以外のメールアドレス",),
    ),
    Fact(
        "ocn-id-on-mypage",
        "OCN IDに設定しているメールアドレスを確認（OCN マイページでのお手続き）",
        "自分のOCNのメールアドレスがわからない",
        ("OCN マイページでご確認いただけます",),
    ),
    Fact(
        "login-history",
        "不正ログイン等を確認したい場合は、OCN IDのログイン履歴",
        "誰かに勝手にログインされてるかもしれない",
        ("不正ログイン", "ログイン履歴"),
    ),
    Fact("d-account-points", "dアカウントと連携してdポイントをためる", "dアカウントとOCNをつなげたい", ("dポイント",)),
    Fact(
        "mypage-registration",
        "OCN マイページを初めてご利用になる場合は利用登録が必要",
        "OCNのマイページを使ったことがないのですが",
        ("初めて", "利用登録が必要です"),
    ),
    Fact(
        "mypage-registration-where-to-look",
        "OCN マイページを初めてご利用になる場合は利用登録が必要（マイページを案内するとき）",
        "お客さま番号はどこで見られますか",
        ("初めてご利用になる場合は、利用登録が必要です",),
    ),
    # OCN接続用ID (認証ID)
    Fact(
        "connection-id-three-ways",
        "マイページに表示する方法・郵送で受け取る方法・携帯電話のSMSで受け取る方法",
        "プロバイダの接続IDとパスワードがわからなくなった",
        ("OCN マイページに表示する", "郵送で受け取る", "SMSで受け取る"),
    ),
    Fact(
        "connection-id-unchangeable",
        "OCN接続用ID(認証ID)は変更できません",
        "認証IDを違うものにできますか",
        ("OCN接続用ID（認証ID）は変更できません",),
    ),
    Fact(
        "connection-password-changeable",
        "現在のパスワードがわかっていて、別のパスワードに変更したい場合",
        "接続用のパスワードを自分で変更したい",
        ("現在のパスワードがおわかりであれば", "ご変更いただけます"),
    ),
    # OCN会員登録証: 「すべてOCNへのご入会時にお送りしているOCN会員登録証(お申込内容のご案内)に記載して
    # おりますが、お手元にない場合はOCN マイページからの確認が可能です。」
    Fact("letter-sent-at-signup", "OCNへのご入会時にお送りしている", LETTER_LOST, ("ご入会時にお送りしている",)),
    Fact("letter-has-passwords", "IDとパスワードがすべて記載", LETTER_LOST, ("IDとパスワードが記載されています",)),
    Fact(
        "letter-lost-mypage",
        "お手元にない場合はOCN マイページからの確認が可能",
        LETTER_LOST,
        ("お手元にない場合", "OCN マイページでご確認いただけます"),
    ),
    Fact(
        "letter-ocn-id-password-not-on-mypage",
        "OCN IDのパスワードは確認することはできません。再設定が必要",
        LETTER_LOST,
        ("パスワードはOCN マイページでも確認できない", "再設定が必要です"),
    ),
    Fact(
        "letter-reissue-honest",
        "再発行はページに記載がない（正直にそう言い、お問い合わせ窓口へ）",
        LETTER_LOST,
        ("再発行", "記載がありません", "お問い合わせ窓口"),
    ),
    Fact(
        "survey",
        "アンケート「疑問・問題は解決しましたか?」",
        "お客さま番号は変えられますか",
        ("疑問・問題は解決しましたか？",),
    ),
]


@pytest.fixture(scope="module")
def answers(stack: RunningStack) -> dict[str, str]:
    """Each question asked once, in a conversation of its own (several facts share a question)."""
    return {question: texts(stack.say(new_sender(), question)) for question in dict.fromkeys(f.question for f in FACTS)}


def test_the_table_covers_the_page() -> None:
    assert len(FACTS) >= 30 and len({f.id for f in FACTS}) == len(FACTS)


@pytest.mark.parametrize("row", FACTS, ids=[f.id for f in FACTS])
def test_the_bot_states_the_fact_of_the_help_page(stack: RunningStack, answers: dict[str, str], row: Fact) -> None:
    answer = answers[row.question]
    missing = [phrase for phrase in row.phrases if phrase not in answer]
    assert not missing, f"asked 「{row.question}」 for 「{row.fact}」; the answer lacks {missing}:\n{answer}"
    links = set(re.findall(r"https?://\S+", answer))
    # The test stack sets no deep link, so the one verified address is the only link there may be (written
    # here, not read from actions/links.py: a wrong address there must fail this test).
    assert not [name for name in stack.env if name.startswith("OCN_LINK_")]
    assert links <= {HELP_PAGE}, f"a link other than the verified help page: {links}"


def test_no_answer_promises_an_immediate_result(stack: RunningStack) -> None:
    sender = new_sender()
    answer = texts(stack.say(sender, "接続用IDとパスワードを確認したい"))
    assert "すぐに" not in answer and "数日" not in answer


def test_without_a_contact_page_no_link_is_called_the_contact_page(stack: RunningStack) -> None:
    """Issue 20: with OCN_LINK_CONTACT unset, 「お問い合わせ窓口」 is named without a link (a link there
    would only lead back to the help page)."""
    assert "OCN_LINK_CONTACT" not in stack.env
    for question in ("来月の料金の支払い方法を知りたい", LETTER_LOST):
        lines = texts(stack.say(new_sender(), question)).split("\n")
        named = [i for i, line in enumerate(lines) if "お問い合わせ窓口" in line]
        assert named, f"asked 「{question}」: the contact page is not named"
        for i in named:
            assert i + 1 == len(lines) or not lines[i + 1].startswith("http"), (
                f"「{question}」: a link after {lines[i]}"
            )
