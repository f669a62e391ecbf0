"""What customers type, normalized: full-width, lower-case, hyphens and spaces."""

from __future__ import annotations

import pytest

from ocn_ids.answers import (
    THE_SAME_OF_IT,
    asks_for_chat_procedure,
    fold,
    forgets_the_current_password,
    greets_and_asks_nothing,
    names_an_id_and_nothing_more,
    names_another_service,
)
from ocn_ids.normalize import has_meaningful_content
from ocn_ids.parse import (
    canonical_customer_number,
    canonical_mail,
    find_choices,
    find_values,
    one_time_code,
)
from ocn_ids.spoken_mail import spelled_mail, spoken_mail
from ocn_ids.spoken_numbers import spoken_number


@pytest.mark.parametrize(
    "typed",
    [
        "N123456789",
        "n123456789",
        "Ｎ１２３４５６７８９",
        "ｎ１２３－４５６－７８９",
        "N-123-456-789",
        "N 1234 56789",
        "お客さま番号はN123456789です",
        "N１２３ ４５６ ７８９",
    ],
)
def test_customer_number_variants_normalize(typed: str) -> None:
    assert canonical_customer_number(typed) == "N123456789"


@pytest.mark.parametrize("typed", ["N12345678", "N1234567890", "123456789", "AN123456789", "N12345678a"])
def test_not_a_customer_number(typed: str) -> None:
    assert canonical_customer_number(typed) is None


def test_entity_offsets_point_at_what_was_typed() -> None:
    text = "番号はＮ１２３－４５６－７８９です"
    (found,) = [f for f in find_values(text) if f.entity == "customer_number"]
    assert text[found.start : found.end] == "Ｎ１２３－４５６－７８９"


def test_mail_and_connection_id() -> None:
    assert canonical_mail("ＴＡＲＯ@ＯＣＮ.ＮＥ.ＪＰ です") == "taro@ocn.ne.jp"
    kinds = {f.entity for f in find_values("接続用IDは abc12345@one.ocn.ne.jp です")}
    assert kinds == {"connection_id"}
    assert {f.entity for f in find_values("メールは hanako@gmail.com")} == {"ocn_id"}


@pytest.mark.parametrize(
    "typed, code",
    [
        ("482913", "482913"),
        ("４８２９１３", "482913"),
        ("コードは482 913です", "482913"),
        ("12345", None),
        ("1234567", None),
        ("N123456789", None),
    ],
)
def test_one_time_code(typed: str, code: str | None) -> None:
    assert one_time_code(typed) == code


def test_choices() -> None:
    values = {(f.entity, f.value) for f in find_choices("接続用IDのパスワードをSMSで")}
    assert values == {("id_type", "connection_id"), ("delivery_method", "sms")}
    assert {f.value for f in find_choices("郵送でお願いします")} == {"post"}
    assert {f.value for f in find_choices("お客様番号")} == {"customer_number"}


@pytest.mark.parametrize(
    "typed, id_type",
    [
        ("せつそくようIDはどこでわかりますか", "connection_id"),  # flick-typed: no dakuten
        ("にんしようIDのこと", "connection_id"),  # ょ typed full size
        ("おきやくさまはんこうがわからない", "customer_number"),
        ("OCNあいでぃーは？", "ocn_id"),
        ("オーシーエヌIDは", "ocn_id"),
        ("インターネットのIDはどこで見ますか", "connection_id"),  # the ID for the internet is the connection ID
        ("ネットのIDとパスワード", "connection_id"),
    ],
)
def test_an_id_named_with_slips_or_in_other_words_is_that_id(typed: str, id_type: str) -> None:
    assert {f.value for f in find_choices(typed) if f.entity == "id_type"} == {id_type}


@pytest.mark.parametrize("typed", ["かくにんしようとしたらエラーになりました", "ちょくせつそくたつで"])
def test_a_slipped_id_name_inside_another_word_is_none(typed: str) -> None:
    assert not [f for f in find_choices(typed) if f.entity == "id_type"]


def test_an_address_given_as_the_internets_id_is_a_connection_id() -> None:
    assert [f.entity for f in find_values("インターネットのIDは abc@xyz.ocn.ne.jp")] == ["connection_id"]
    assert [f.entity for f in find_values("せつそくようIDは abc@ocn.ne.jp")] == ["connection_id"]


def test_meaningful_content() -> None:
    assert not has_meaningful_content(" 😀 \u3000!!")
    assert has_meaningful_content("ﾊﾟｽ")


@pytest.mark.parametrize(
    ("said", "entity", "value"),
    [
        ("えぬいちにさんよんごーろくななはちきゅう", "customer_number", "N123456789"),
        ("えーと、エヌ いち に さん よん ご ろく なな はち きゅう です", "customer_number", "N123456789"),
        ("いちにさんよんごーろく", "otp_code", "123456"),
        ("しちはちきゅうぜろいちに", "otp_code", "789012"),
        ("エヌ123456789", "customer_number", "N123456789"),  # 「エヌ」 in words, the digits written
        ("えぬ１２３４５６７８９です", "customer_number", "N123456789"),
        ("N一二三四五六七八九", "customer_number", "N123456789"),  # kanji numerals
        ("えぬいちにいさんしごろくしちはちく", "customer_number", "N123456789"),  # other readings: にい, し, しち, く
        ("お客様晩号はえぬいちにさんよんごろくななはちきゅうです", "customer_number", "N123456789"),  # a label
        ("えーとエヌいちにいさんよんごうろくななはちきゅう", "customer_number", "N123456789"),  # ごう
        ("お客様番号でいいですかエヌいちにさんよんごろくななはちきゅう", "customer_number", "N123456789"),
        ("あーじゃあお客様晩号で言いますね えぬ いちにさん よんごろく ななはちきゅう", "customer_number", "N123456789"),
        ("お客様晩号は えぬ いち に さん の よん ご ろく の なな はち きゅう", "customer_number", "N123456789"),
        ("お客様番号 N いちにさんよんごろくななはちきゅう", "customer_number", "N123456789"),
    ],
)
def test_a_number_said_aloud_by_voice_input_is_read_as_its_digits(said: str, entity: str, value: str) -> None:
    assert [(found.entity, found.value) for found in find_values(said)] == [(entity, value)]


@pytest.mark.parametrize(
    "text",
    ["にし", "いちにさん", "パスワードを忘れました", "ごごにでんわします", "えぬ12345", "N12345678", "2024年12月"],
)
def test_words_that_happen_to_sound_like_digits_are_not_numbers(text: str) -> None:
    assert spoken_number(text) is None
    assert find_values(text) == []


@pytest.mark.parametrize("text", ["しくしくしく", "ごくごくごく", "まるまるまるまるまるまる"])
def test_a_sound_said_again_and_again_is_no_number(text: str) -> None:
    assert spoken_number(text) is None


@pytest.mark.parametrize(
    ("said", "entity", "value"),
    [
        ("たろうどっとやまだあっとおーしーえぬどっとねどっとじぇーぴー", "ocn_id", "taro.yamada@ocn.ne.jp"),
        ("えーと たろう どっと やまだ あっと おーしーえぬ どっと ね どっと じぇいぴー です", "ocn_id", "taro.yamada@ocn.ne.jp"),
        ("メールアドレスはいちろうどっとすずきあっとおーしーえぬどっとねどっとじぇーぴーです", "ocn_id", "ichiro.suzuki@ocn.ne.jp"),
        ("はなこどっとさとうアットマークおーしーえぬどっとねどっとじぇーぴー", "ocn_id", "hanako.sato@ocn.ne.jp"),
        ("ひょうどうどっとなかにしあっとおーしーえぬどっとねどっとじぇーぴー", "ocn_id", "hyodo.nakanishi@ocn.ne.jp"),
        ("たかしいちにさんあっとおーしーえぬどっとねどっとじぇーぴー", "ocn_id", "takashi123@ocn.ne.jp"),
        ("メアドは けいご あっと おーしーえぬ どっと ね どっと じぇーぴー", "ocn_id", "keigo@ocn.ne.jp"),
        ("えーびーしーいちにさんよんごーあっとわんどっとおーしーえぬどっとねどっとじぇーぴー", "connection_id", "abc12345@one.ocn.ne.jp"),
        ("しょうこはいふんまっちゃあっとおーしーえぬどっとねどっとじぇーぴー", "ocn_id", "shoko-matcha@ocn.ne.jp"),
        ("あいこあっとおーしーえぬどっとねどっとじぇーぴー", "ocn_id", "aiko@ocn.ne.jp"),
    ],
)  # fmt: skip
def test_an_address_said_aloud_by_voice_input_is_read_as_written(said: str, entity: str, value: str) -> None:
    """Voice input writes the marks as words (あっと, どっと), the domain as its sounds, letters and digits spelled
    out, and a name as its kana: romaji without long vowels (たろう -> taro), as addresses are mostly written.
    The reading is only offered to confirm (actions/verification_slots.py), never found as a value."""
    assert [(found.entity, found.value) for found in find_values(spoken_mail(said) or "")] == [(entity, value)]
    assert find_values(said) == []


@pytest.mark.parametrize(
    "text",
    [
        "たろうやまだ",
        "あしたあっとでんわします",
        "たろうあっと",
        "メールのあどれすを忘れました",
        "あっと驚く",
        "やまだどっとこむ",
        "たろうあっとじーめーるどっとこむ",  # only OCN's domains are read
        "めーるがとどかないんですあっとまーくのあとはおーしーえぬどっとねどっとじぇーぴーです",  # a sentence
        "た" + "いち" * 1000 + "あっとおーしーえぬどっとねどっとじぇーぴー",  # too long to be one
    ],
)
def test_words_that_are_no_whole_address_are_not_read_as_one(text: str) -> None:
    assert spoken_mail(text) is None
    assert find_values(text) == []


# --- another service's account (ocn_ids/answers.py names_another_service) --------------------------------


@pytest.mark.parametrize(
    "text, another",
    [
        ("楽天のパスワードを再設定したい", True),
        ("dアカウントのIDがわからない", True),
        ("I forgot my LINE password", True),
        ("インスタのパスワードを忘れた", True),
        ("楽天の認証コードが届かない", True),
        ("無線LANのパスワードを忘れた", True),
        # About OCN's own account, whatever else it names; words that merely contain a service's name.
        ("ドコモ光の認証IDとパスワードを忘れた", False),
        ("Wi-Fiルーターに入れる接続IDがわからない", False),
        ("GmailでOCNメールを受信したい パスワードは？", False),
        ("LINEでパスワードの再設定はできますか", False),
        ("ガイドラインはどこですか", False),
        ("お客さま番号がどこも書いてない", False),
        ("I forgot my online password", False),
    ],
)
def test_another_services_account_is_told_from_ocns(text: str, another: bool) -> None:
    assert names_another_service(text) is another


def test_other_matters_are_told_apart_from_the_pages_things() -> None:
    from ocn_ids.answers import speaks_of_other_matters

    assert speaks_of_other_matters("引っ越しの手続きはすぐにできますか")  # は+す is not a password
    assert speaks_of_other_matters("来月のしはらいはいつになりますか")
    assert not speaks_of_other_matters("郵送で受け取ると料金はかかりますか")  # the chat's own way of sending
    assert not speaks_of_other_matters("引っ越してもお客さま番号はそのままですか")
    assert not speaks_of_other_matters("メアドを別のものにへんこうしたい")  # こうじ without slips is in へんこうし


# --- an ID named and nothing more (ocn_ids/answers.py names_an_id_and_nothing_more) ------------------------
@pytest.mark.parametrize(
    "text, vague",
    [
        ("IDのことで", True),
        ("あの、接続用IDの件なんですが", True),
        ("ちょっとIDの件！どうなってんの！", True),
        ("お客さま番号のことで質問があります", True),
        ("ID", False),  # the name alone: the classifier's (a short one read unsurely is asked back anyway)
        ("OCN ID", False),
        ("IDは？", False),  # a question mark asks something
        ("IDについて教えて", False),
        ("OCN IDがわからない", False),
        ("IDの種類", False),
        ("パスワードのことで", False),  # no ID named
        ("OCNです", False),
        ("OCN IDの件" + "なんですが" * 15, False),  # longer than a start (and read without backtracking)
    ],
)
def test_an_id_named_with_nothing_of_what_about_it(text: str, vague: bool) -> None:
    assert names_an_id_and_nothing_more(text) is vague


@pytest.mark.parametrize(
    "text, forgotten",
    [
        ("メールのパスワードを変えたいんだけど今のパスワードがなんだったか忘れちゃって", True),
        ("接続用IDのパスワードを新しくしたいのですが、今のパスワードがわかりません", True),
        ("OCN IDのパスワードを変更したいのですが、やり方がわかりません", False),  # the way, not the password
        ("メールのパスワードを変えたいけど、変更方法が分からない", False),
        ("OCN IDのパスワードを変えたい、理由は不明なログインがあったから", False),
        ("今のパスワードはわかりますが、新しいパスワードの決め方がわかりません", False),
        ("パスワードは忘れてませんが、変更したいです", False),
        ("今のパスワードを忘れています", True),
        ("パスワードを忘れないように変えたい", False),
        ("今のパスワードを忘れる前に変えたい", False),
        ("パスワードを忘れたわけではないが変えたい", False),
        ("パスワード変更で今のパスワードを入力する欄がわからない", False),
    ],
)
def test_the_current_password_forgotten_only_when_said_of_it(text: str, forgotten: bool) -> None:
    assert forgets_the_current_password(text) is forgotten


@pytest.mark.parametrize(
    "text, same",
    [("接続のほう", True), ("OCN IDは", True), ("お客さま番号も", True), ("接続の方です", True),
     ("接続の仕方", False), ("接続IDの入れ方", False), ("接続用IDとは", False)],
)  # fmt: skip
def test_a_bare_reply_asking_the_same_of_an_id(text: str, same: bool) -> None:
    assert bool(THE_SAME_OF_IT.search(fold(text))) is same


@pytest.mark.parametrize(
    "text, greets",
    [
        ("はじめまして。七十を過ぎた者でございます。どうぞ宜しくお願い申し上げます。", True),
        ("こんばんは、スマホで受信できなくなりました", False),  # trouble, told after the greeting
        ("よろしくお願いします。先月から使えません", False),
        ("こんにちは、iPhoneで見られなくなった", False),
        ("はじめまして。プロバイダを変えました", False),
        ("はじめまして。スマホを機種変更しました", False),
        ("こんにちは、乗っ取られたかも", False),
    ],
)
def test_a_greeting_that_asks_nothing(text: str, greets: bool) -> None:
    assert greets_and_asks_nothing(text) is greets


@pytest.mark.parametrize(
    "text, asks",
    [("なにか手続きできますか", True), ("本人確認をお願いします", True), ("手続きできる？", True),
     ("マイページで手続きができない", False), ("手続きはできませんでした", False), ("本人確認ができません", False)],
)  # fmt: skip
def test_a_procedure_asked_for_without_naming_one(text: str, asks: bool) -> None:
    assert asks_for_chat_procedure(text) is asks


def test_an_address_spelled_letter_by_letter_has_one_spelling_a_name_in_kana_has_more() -> None:
    spelled = (
        "ティーエーアールオードットワイエーエムエーディーエーアットマークオーシーエヌドットエヌイードットジェイピー"
    )
    assert spelled_mail(spelled) == "taro.yamada@ocn.ne.jp"
    assert spelled_mail("たろうどっとやまだあっとおーしーえぬどっとねどっとじぇーぴー") is None
    assert spoken_mail("たろうどっとやまだあっとおーしーえぬどっとねどっとじぇーぴー") == "taro.yamada@ocn.ne.jp"
