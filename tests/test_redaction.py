"""The tracker store never receives one-time codes or phone numbers in clear text."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.redaction import (
    CODE_MASK,
    PASSWORD_MASK,
    PHONE_MASK,
    install_log_redaction,
    redact_events,
    redact_message,
    redact_text,
)
from bot_server.tracker_stores import RedactingSQLTrackerStore
from ocn_ids.passwords import contains_password


def test_redact_text() -> None:
    assert redact_text("コードは４８２９１３です") == f"コードは{CODE_MASK}です"
    assert redact_text("電話 090-1234-5678 まで") == f"電話 {PHONE_MASK} まで"
    assert redact_text("09012345678") == PHONE_MASK
    assert redact_text("お客さま番号 N123456789") == "お客さま番号 N123456789"  # not a secret


@pytest.mark.parametrize(
    "typed",
    ["12 34 56", "123ー456", "123－456", "１２３ ４５６", "482 913", "123—456", "１２　３４　５６"],
)
def test_codes_as_people_type_them(typed: str) -> None:
    assert redact_text(f"コードは{typed}です") == f"コードは{CODE_MASK}です"


@pytest.mark.parametrize(
    "typed",
    [
        "+81 90-1234-5678",
        "＋８１　９０－１２３４－５６７８",
        "+81 (0)90 1234 5678",
        "090ー1234ー5678",
        "０９０ー１２３４ー５６７８",
        "(090)1234-5678",
        "（０９０）１２３４－５６７８",
        "090.1234.5678",
        "090 1234 5678",
        "03-1234-5678",
        "0120-123-456",
    ],
)
def test_phone_numbers_as_people_type_them(typed: str) -> None:
    assert redact_text(f"電話は{typed}です") == f"電話は{PHONE_MASK}です"


@pytest.mark.parametrize(
    "kept",
    [
        "N123456789",
        "user702870045@ocn.ne.jp",
        "t702870045@one.ocn.ne.jp",
        "2024/11/26 10:30",
        "〒100-0001",
        "1234567",
        "123,456円",
        # what log lines are made of
        "http://127.0.0.1:5055",
        "2026-11-26 15:32:38",
        "took 0.123456 s",
        "rasa 3.6.21",
    ],
)
def test_ids_dates_and_other_numbers_stay(kept: str) -> None:
    assert redact_text(kept) == kept


def test_a_code_next_to_a_phone_number() -> None:
    assert redact_text("123456 09012345678") == f"{CODE_MASK} {PHONE_MASK}"


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    install_log_redaction()  # idempotent
    logger = logging.getLogger("rasa.core.processor")
    with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
        logger.debug("Received user message '%s' with intent '%s'", "コードは12 34 56、電話+81 90-1234-5678", "inform")
        logger.debug("structlog renders first: {'text': '090ー1234ー5678'}")
    assert "12 34 56" not in caplog.text and "1234-5678" not in caplog.text and "1234ー5678" not in caplog.text
    assert caplog.text.count(PHONE_MASK) == 2 and CODE_MASK in caplog.text


def test_log_records_rendered_as_escaped_json_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """Rasa's structlog renders parse data as JSON with ASCII escapes: a full-width code typed by the
    customer reaches the log as \\uff11\\uff11… and must be found there too (it was not, before)."""
    install_log_redaction()
    logger = logging.getLogger("rasa.core.processor")
    full_width = json.dumps({"parse_data_text": "１１７　３３８", "phone": "０９０ー１２３４ー５６７８", "emoji": "😀"})
    assert "\\uff11" in full_width
    with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
        logger.debug(full_width)
    assert "uff11" not in caplog.text and "１１７" not in caplog.text and "５６７８" not in caplog.text
    assert CODE_MASK in caplog.text and PHONE_MASK in caplog.text and "😀" in caplog.text


def test_sql_store_keeps_no_code(tmp_path) -> None:
    domain = Domain.from_yaml("version: '3.1'\nslots:\n  otp_code:\n    type: text\n    mappings: [{type: custom}]\n")
    store = RedactingSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events(
        "c1",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "コードは 482913 です",
                {"name": "inform", "confidence": 1.0},
                [{"entity": "otp_code", "value": "482913", "start": 5, "end": 11}],
            ),
            SlotSet("otp_code", "482913"),
            SlotSet("otp_code", None),
        ],
        domain.slots,
    )
    asyncio.run(store.save(tracker))
    plain = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    with plain.session_scope() as session:
        stored = [json.loads(row.data) for row in session.query(plain.SQLEvent).all()]
    dump = json.dumps(stored, ensure_ascii=False)
    assert "482913" not in dump
    assert CODE_MASK in dump
    # The live tracker is untouched (the form still needs the value during the turn).
    assert tracker.latest_message.text == "コードは 482913 です"


@pytest.mark.parametrize("typed", ["1234 56", "1 23456", "123-4-56", "12 3456", "コードは 1234-56 です"])
def test_a_code_the_bot_accepts_is_never_stored(tmp_path, typed: str) -> None:
    """Whatever grouping the bot takes as the code (ocn_ids.parse.one_time_code: any split), the stored
    customer message has none of its digits, even though log lines keep 4+2 groups (dates) as they are."""
    from ocn_ids.parse import one_time_code

    assert one_time_code(typed) == "123456"  # the bot sends this to the account API as the code
    domain = Domain.from_yaml("version: '3.1'\n")
    store = RedactingSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events(
        "web:c1", [ActionExecuted("action_listen"), UserUttered(typed, {"name": "inform", "confidence": 1.0})]
    )
    asyncio.run(store.save(tracker))
    plain = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    with plain.session_scope() as session:
        stored = [json.loads(row.data) for row in session.query(plain.SQLEvent).all()]
    (user,) = [event for event in stored if event["event"] == "user"]
    for text in (user["text"], user["parse_data"]["text"]):
        assert CODE_MASK in text and not any(ch.isdigit() for ch in text), text


# --- passwords typed into the chat anyway ------------------------------------------------------------

TYPED_PASSWORDS = [
    ("パスワードは Abc12345 です", "Abc12345"),
    ("PW：abc123", "abc123"),
    ("pass=hunter22", "hunter22"),
    ("パスワード abcd1234 でログインできません", "abcd1234"),
    ("パスワードはabc123です", "abc123"),
    ("ＰＡＳＳＷＯＲＤ：ｘｙｚ７８９", "ｘｙｚ７８９"),
    ("パスワードは「Abc!2345」で合っていますか", "Abc!2345"),
    ("パスワードは、Abc!2345です", "Abc!2345"),
    ("password: hunter", "hunter"),
    ("パス:qwer1234", "qwer1234"),
    ("暗証番号は 19850312", "19850312"),
    ("OCN IDのパスワードはtaro1234なのに入れません", "taro1234"),
    ("pw=Secret!", "Secret!"),
    ("my mail password is Sakura2024 but I can't login", "Sakura2024"),
    ("メールのパスワード変えたい 今のは abcd1234 なんだけど", "abcd1234"),
    ("メールのパス変えたい 今の taro1234", "taro1234"),
    ("My password is: sakura", "sakura"),
    ("my password was abc12345", "abc12345"),
    # パスワード with a flick slip (dakuten or handakuten dropped)
    ("OCN IDのはすわーど変えたい。今のはabc12345てす", "abc12345"),
    ("はすわーとはqwer1234です", "qwer1234"),
    # half-width kana with a half-width (han)dakuten: one character each, as NFKC of the whole text
    ("ﾊﾟｽﾜｰﾄﾞは abc12345", "abc12345"),
    ("ﾊﾟｽは abc12345 です", "abc12345"),
    ("\u30cf\u309a\u30b9\u30ef\u30fc\u30c8\u3099\u306f abc12345", "abc12345"),  # パスワード with combining marks (NFD)
    # a sentence of its own that ends the message, after a question about a password
    ("パスワードも要りますか？Taro1234です", "Taro1234"),
    ("パスワードもいりますか?Sakura2024", "Sakura2024"),
    ("パスワードは必要でしょうか。「Hanako0312」でございます。", "Hanako0312"),
    ("パスワードを変えたいです abc12345", "abc12345"),
    ("パスワード変えたいんですけど今使ってるのがhanako0312で", "hanako0312"),
    ("パスワードはたぶんSakura2024だったと思う", "Sakura2024"),
]
ORDINARY_QUESTIONS = [
    "パスワードを忘れました",
    "パスワードはどこで確認できますか",
    "パスワードを変更したい",
    "パスワードが違うと言われる",
    "OCN IDのパスワードを再設定したい",
    "接続用パスワードがわかりません",
    "パスワードは何文字ですか",
    "I forgot my password is it possible to reset",
    "パスワードを変えたい。今のはわかっています",
    "今のは N123456789 です、パスワードを忘れました",
    "パスワードを変えたら今の iPhone13 のメール設定も変えますか",
    "パスワードを4回間違えました",
    "パスワードは8文字以上ですか",
    "パスワードはOCN IDと同じですか",
    "パスワードをSMSで受け取りたい",
    "パスポートの番号を変えたい",
    "password reset",
    "パスワードを N123456789 で確認したい",
    "はすわーどをわすれました",
    "パスワードを忘れました。Windows11です",
    "パスワードが通りません。iPhone15です",
    "パスワードを忘れました。接続用IDはabc12345です",  # an ID with its label
    "パスワードがわかりません。E401",  # an error code: no letters with 6+ characters
    "PW忘れました。ID:abc123",
    "ルーターのパスワードがわかりません。PR-500KIです",  # a model number
    "Setting slot password_warned for conversation 3f2b8c1e9a7d4c3b",  # a log line
    "utter_password_not_in_chat sent to U4af4980629",
    "パスワードを忘れました see https://support.ocn.ne.jp/personal/purpose/detail/pid29000019q5",
    "パスワードがわかりません ERR-0012",
    "OCN IDはtaro1234です、パスワード忘れました",  # before the password word
    "パスワード？契約IDはCAF12345678です",  # labelled
    "パスワード忘れた。お客さま番号はN12345678です",  # a mistyped customer number, labelled
    "パスワードの入力画面でChrome120とOffice365を使っています",
    "パスワードを変えたら、PCのWG2600HP4が繋がらない",  # a model number in capitals
    "パスワード変えたらiPhone15ProMaxで受信できない",
    "パスワードの件で、ご担当のA12345さんに",
    "PWを変えたい。アカウントはtaro2024",  # labelled
    "パスタ好き abc123",  # パス in another word
    "Received user message 'パスワードを忘れました' sender Ua1b2c3d4e5f60718293a4b5c6d7e8f90",  # a LINE user ID
    "パスワードの再設定が必要です。手順はこちらをご覧ください。\nhttps://support.ocn.ne.jp/personal/purpose/detail/pid29000019q5",
    "パスワードを忘れました。お客さま番号はN123456789です",
    "パスワードがわかりません。OCN IDはtaro.yamada@ocn.ne.jpです",
    "パスワードは何桁ですか。10桁ですか",
    # voice input that speaks of a password without saying one
    "パスワードは大文字と小文字を区別しますか",
    "今のパスワードはえすえむえすで届いたやつです",
    "パスワードがしごく難しい",
    "パスワードはにさん日前に変えました",
    "パスワードは大文字も使えるんですね",  # 「える」 ends a verb
    "パスワードは大文字が見えるようにしてください",
    "パスワードは変えるべきなんですね",
]


@pytest.mark.parametrize("typed, secret", TYPED_PASSWORDS)
def test_a_password_after_a_password_word_is_masked(typed: str, secret: str) -> None:
    redacted = redact_text(typed)
    assert secret not in redacted and PASSWORD_MASK in redacted
    assert redacted.replace(PASSWORD_MASK, secret) == typed  # only the password goes


@pytest.mark.parametrize(
    "said, spelled",
    [
        ("今のパスワードはえーとたろうのてぃーが大文字でいちにさんよんです", "たろうのてぃーが大文字でいちにさんよん"),
        ("パスワードはいちにさんよんごろくです", "いちにさんよんごろく"),
        (
            "パスワードは、はなこのえいちが大文字で、ぜろさんいちにです。よろしく",
            "はなこのえいちが大文字で、ぜろさんいちに",
        ),
        ("パスワードはイチニサンヨンです", "イチニサンヨン"),  # katakana
        ("今のパスワードはタロウのティーが大文字でイチニサンヨン", "タロウのティーが大文字でイチニサンヨン"),
        ("パスワードはいちにーさんしーです", "いちにーさんしー"),  # long vowels
        ("パスワード は いちにさんよん です", "いちにさんよん"),
        ("パスワードはいち、に、さん、よんです", "いち、に、さん、よん"),
        ("パスワード、いちにさんよん", "いちにさんよん"),
        ("パスワードはいちにさんよんで合ってますか？", "いちにさんよん"),  # in a question too
        ("パスワードはたろういちにさんです", "たろういちにさん"),  # three numbers that end the statement
        # what follows the spelling stays readable (the handoff transcript)
        ("パスワードはいちにさんよんなんですけどログインできません", "いちにさんよん"),
    ],
)
def test_a_password_said_aloud_is_masked_and_warned_about(said: str, spelled: str) -> None:
    """Voice input types a spoken password in kana: kept out of the tracker store and the logs like a typed one."""
    redacted = redact_text(said)
    assert spelled not in redacted and redacted.replace(PASSWORD_MASK, spelled) == said
    assert contains_password(said)


@pytest.mark.parametrize("question", ORDINARY_QUESTIONS)
def test_ordinary_questions_about_passwords_stay(question: str) -> None:
    assert redact_text(question) == question
    assert redact_message(question, at_id_prompt=True) == question


ASKED_FOR_ID = [SlotSet("requested_slot", "account_ref"), ActionExecuted("action_listen")]


def _said(text: str) -> UserUttered:
    return UserUttered(text, {"name": "inform", "confidence": 0.4}, [], {"text": text})


@pytest.mark.parametrize("typed", ["Abc123!x", "abc12345", "Ｐａｓｓ１２３！", "Pass!word", " hunter2$ "])
def test_a_password_typed_where_the_bot_asked_for_an_id_is_masked(typed: str) -> None:
    *_, stored = redact_events([*ASKED_FOR_ID, _said(typed)])
    assert stored.text == PASSWORD_MASK and stored.parse_data["text"] == PASSWORD_MASK
    # The same text elsewhere in the conversation is no password (nothing asked for an ID).
    assert redact_events([ActionExecuted("action_listen"), _said(typed)])[-1].text == typed


@pytest.mark.parametrize("typed", ["N123456789", "N12345678", "taro.yamada@ocn.ne.jp", "はい", "OCN-ID", "やめます"])
def test_ids_and_answers_at_the_id_prompt_stay(typed: str) -> None:
    assert redact_events([*ASKED_FOR_ID, _said(typed)])[-1].text == typed


@pytest.mark.parametrize("typed", ["Ab9xQ2wErT7y", "hunter2$x"])
def test_a_password_pasted_after_the_which_password_question_is_masked(typed: str) -> None:
    """Security review N6: 「どちらのパスワードでしょうか？」 invites the password itself."""
    asked = [SlotSet("pending_question", "which_password"), ActionExecuted("action_listen")]
    assert redact_events([*asked, _said(typed)])[-1].text == PASSWORD_MASK
    assert redact_events([*asked, _said("OCN IDのほうです")])[-1].text == "OCN IDのほうです"


@pytest.mark.parametrize("topic", ["change_ocn_id_password", "forgot_ocn_id_password", "change_connection_id_password"])
def test_a_password_typed_alone_after_a_passwords_answer_is_masked(topic: str) -> None:
    """「abc12345」 alone right after the answer on changing or resetting a password: the password itself."""
    answered = [SlotSet("topic", topic), SlotSet("pending_question", "survey"), ActionExecuted("action_listen")]
    for typed in (
        "abc12345",
        "abc12345。",
        "「abc12345」",
        "abc12345です",
        "abc12345 です",
        "“abc12345”",
        "abc12345です😊",
    ):
        assert redact_events([*answered, _said(typed)])[-1].text == PASSWORD_MASK
    for typed in ("N123456789", "Yes!", "Wi-Fi", "iPhone15", "Thanks!"):  # IDs and words stay what they are
        assert redact_events([*answered, _said(typed)])[-1].text == typed
    # The current one in a sentence, the password word said in the turn before: masked as the warning says.
    for typed, stored in (
        ("今のはyamada1948なのですが、変えられますか", "今のは[パスワード]なのですが、変えられますか"),
        ("今のabc12345 これ弱い？", "今の[パスワード] これ弱い？"),
        ("今のはiPhone15なんですが", "今のはiPhone15なんですが"),
        ("今のはWG1200HS4なんですが", "今のはWG1200HS4なんですが"),  # a router's model, in capitals
        ("いま の は sakura1234 です", "いま の は [パスワード] です"),
        ("今のやつ ocn2024abc だけど", "今のやつ [パスワード] だけど"),
    ):
        assert redact_events([*answered, _said(typed)])[-1].text == stored
    other = [SlotSet("topic", "check_customer_number"), SlotSet("pending_question", "survey")]
    assert redact_events([*other, _said("abc12345")])[-1].text == "abc12345"
    # Only right after the answer: once its question is answered, or in a new session, a token is a token.
    later = [*answered, _said("はい"), SlotSet("pending_question", None), ActionExecuted("action_listen")]
    assert redact_events([*later, _said("abc12345")])[-1].text == "abc12345"
    new_session = [*answered, SessionStarted(), ActionExecuted("action_listen")]
    assert redact_events([*new_session, _said("abc12345")])[-1].text == "abc12345"


def test_after_the_form_the_id_prompt_is_over() -> None:
    events = [*ASKED_FOR_ID, ActiveLoop(None), ActionExecuted("action_listen"), _said("abc12345")]
    assert redact_events(events)[-1].text == "abc12345"


def test_sql_store_keeps_no_typed_password(tmp_path) -> None:
    domain = Domain.from_yaml("version: '3.1'\n")
    store = RedactingSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events(
        "web:c1",
        [ActionExecuted("action_listen"), _said("パスワードは Qz81kk!x です"), *ASKED_FOR_ID, _said("Wx93!pp7")],
    )
    asyncio.run(store.save(tracker))
    plain = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    with plain.session_scope() as session:
        stored = [json.loads(row.data) for row in session.query(plain.SQLEvent).all()]
    dump = json.dumps(stored, ensure_ascii=False)
    assert "Qz81kk!x" not in dump and "Wx93!pp7" not in dump
    assert dump.count(PASSWORD_MASK) == 4  # text and parse_data of both messages
    assert tracker.latest_message.text == "Wx93!pp7"  # the live turn still sees what was typed


def test_debug_logs_hold_no_typed_password(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa logs each message as it parses it (processor.message.parse, DEBUG). A password after a
    password word is recognized in the line itself; one typed at an ID prompt is noted by the parse
    wrapper (which has the tracker) and hidden from every later record of that message's handling."""
    from bot_server import handoff_pause

    install_log_redaction()
    processor_log = logging.getLogger("rasa.core.processor")

    async def parse_and_log(_self, message, _tracker, _only_output_properties):  # Rasa's, as far as logs go
        processor_log.debug("processor.message.parse parse_data_text=%r", message.text)
        return {"text": message.text}

    monkeypatch.setattr(handoff_pause, "_original_parse_message", parse_and_log)

    class Message:
        def __init__(self, text: str) -> None:
            self.text = text

    def requested_slot() -> list[TextSlot]:
        return [TextSlot("requested_slot", mappings=[{"type": "custom"}])]

    asked = DialogueStateTracker.from_events("web:c1", ASKED_FOR_ID, slots=requested_slot())  # as the form left it
    not_asked = DialogueStateTracker.from_events("web:c2", [ActionExecuted("action_listen")], slots=requested_slot())

    async def turn(text: str, tracker: DialogueStateTracker) -> None:
        await handoff_pause._parse_unless_paused(None, Message(text), tracker)
        processor_log.debug("processor.actions.log rasa_events=[UserUttered(text: %s)]", text)

    answered_slots = [
        TextSlot(name, mappings=[{"type": "custom"}]) for name in ("requested_slot", "pending_question", "topic")
    ]
    answered = DialogueStateTracker.from_events(
        "web:c3",
        [SlotSet("topic", "change_ocn_id_password"), SlotSet("pending_question", "survey")],
        slots=answered_slots,
    )

    with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
        asyncio.run(turn("Wx93!pp7", asked))
        asyncio.run(turn("パスワードは Qz81kk!x です", not_asked))
        asyncio.run(turn("abc12345", not_asked))  # no ID prompt: an ordinary word, logged as it is
        # the current one, right after a password's answer: the part is hidden, as the tracker store masks it
        asyncio.run(turn("今のはyamada1948なのですが", answered))
    assert "Wx93!pp7" not in caplog.text and "Qz81kk!x" not in caplog.text and "yamada1948" not in caplog.text
    assert caplog.text.count(PASSWORD_MASK) == 6 and "abc12345" in caplog.text
