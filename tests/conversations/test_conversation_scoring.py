"""How a blind conversation's turn is scored (benchmarks/conversation_scoring.py) and how the runner reads
the tracker and types the codes (benchmarks/blind_conversations.py), without a running stack."""

from __future__ import annotations

import pytest

from benchmarks.blind_conversations import CodeReader, Run, bot_turns, compare, print_first_misses, report, stratified
from benchmarks.blind_conversations import main as blind_conversations_main
from benchmarks.conversation_scoring import (
    BotTurn,
    Conversation,
    ConversationResult,
    Turn,
    figures,
    judge,
    load_conversations,
    misses,
    wilson,
)


def bot(*responses: str, texts: tuple[str, ...] = ()) -> BotTurn:
    return BotTurn(list(responses), list(texts) or [""] * len(responses))


# --- one turn ------------------------------------------------------------------------------------------


def test_an_answer_followed_by_the_offer_is_the_answer() -> None:
    verdict = judge(
        Turn("…", "answer", "check_connection_id"), bot("utter_answer_check_connection_id", "utter_offer_procedure")
    )
    assert verdict.right and not verdict.confidently_wrong


def test_the_wrong_topic_is_confidently_wrong() -> None:
    verdict = judge(Turn("…", "answer", "check_ocn_id"), bot("utter_answer_change_ocn_id", "utter_ask_survey"))
    assert not verdict.right and verdict.confidently_wrong
    assert verdict.did == "answer:change_ocn_id"


def test_a_clarification_instead_of_the_answer_is_wrong_but_not_confident() -> None:
    verdict = judge(Turn("…", "answer", "check_ocn_id"), bot("utter_clarify"))
    assert not verdict.right and not verdict.confidently_wrong


def test_two_questions_in_one_expect_the_first_answer_present() -> None:
    answered = bot("utter_two_questions", "utter_answer_check_ocn_id", "utter_answer_register_mypage")
    assert judge(Turn("…", "answer", "check_ocn_id"), answered).right


def test_a_question_asked_with_a_wrong_answer_before_it_is_wrong() -> None:
    assert judge(Turn("はい", "asks", "account_ref"), bot("utter_ask_account_ref")).right
    wrong = judge(Turn("はい", "asks", "survey"), bot("utter_answer_check_ocn_id", "utter_ask_survey"))
    assert not wrong.right and wrong.confidently_wrong


def test_the_code_step_and_the_verified_turn() -> None:
    assert judge(Turn("N…", "asks", "otp_code"), bot("utter_code_sent", "utter_ask_otp_code")).right
    assert judge(Turn("<WRONG_CODE>", "asks", "otp_code"), bot("utter_wrong_code")).right
    assert judge(Turn("<CODE>", "does", "verified"), bot("utter_verified", "utter_confirm_ocn_id")).right
    assert not judge(Turn("<CODE>", "does", "verified"), bot("utter_wrong_code")).right


def test_the_login_history_written_as_text_is_the_procedure_done() -> None:
    assert judge(Turn("はい", "does", "procedure_done"), bot("text:action_run_procedure", "utter_ask_survey")).right


def test_the_login_history_shown_or_empty_is_the_procedure_done() -> None:
    for shown in ("utter_login_history", "utter_login_history_none"):
        assert judge(Turn("お願いします", "does", "procedure_done"), bot(shown, "utter_ask_survey")).right


def test_a_help_page_section_answers_the_topics_it_lists() -> None:
    section = "OCNのIDは3種類です。お客さま番号はご契約を識別するNから始まる10桁の番号、OCN ID（OCNメールアドレス）は各サービス共通"
    said = bot("utter_help_section", "utter_help_section_other", texts=(section + "…", "ご質問が違う場合は"))
    assert judge(Turn("…", "answer", "ask_id_types"), said).right
    assert not judge(Turn("…", "answer", "check_ocn_id"), said).right


def test_a_reply_that_ignores_the_message_is_confidently_wrong() -> None:
    verdict = judge(Turn("はい", "asks", "account_ref"), bot("utter_anything_else"))
    assert not verdict.right and verdict.confidently_wrong


def test_glad_it_helped_is_both_the_thanks_and_the_goodbye() -> None:
    """「お役に立てて何よりです。またのご利用をお待ちしております。」 after 「はい」 to the bot's close."""
    glad = bot("utter_glad_it_helped")
    assert judge(Turn("はい", "does", "thank"), glad).right
    assert judge(Turn("はい", "does", "goodbye"), glad).right
    assert not judge(Turn("はい", "does", "handoff"), glad).right
    assert not judge(Turn("はい", "does", "thank"), bot("utter_goodbye")).right


def test_the_password_warning_may_come_with_the_answer_to_the_question_asked() -> None:
    typed = Turn("メールのパスワード変えたい 今のは abcd1234", "does", "no_password_please")
    assert judge(typed, bot("utter_password_not_in_chat", "utter_answer_change_ocn_id_password")).right
    assert not judge(typed, bot("utter_answer_change_ocn_id_password")).right
    assert not judge(Turn("ありがとう", "does", "thank"), bot("utter_thank", "utter_answer_check_ocn_id")).right
    # A message that only states the password expects the warning alone.
    stated = Turn("念のため、パスワードは hanako0312 でございます。", "does", "no_password_please")
    assert not judge(stated, bot("utter_password_not_in_chat", "utter_answer_forgot_ocn_id_password")).right
    assert judge(stated, bot("utter_password_not_in_chat")).right
    for english in ("My login password is Sakura2024", "FYI my password is Showa1990"):  # statements, no question
        said = bot("utter_password_not_in_chat", "utter_answer_forgot_ocn_id_password")
        assert not judge(Turn(english, "does", "no_password_please"), said).right, english


def test_handoff_with_or_without_the_contact_link() -> None:
    assert judge(Turn("人と話したい", "does", "handoff"), bot("utter_handoff_no_operator_no_link")).right
    assert judge(Turn("人と話したい", "does", "handoff"), bot("utter_answer_request_human")).right


# --- figures -------------------------------------------------------------------------------------------


def test_wilson_interval_known_values() -> None:
    low, high = wilson(95, 100)
    assert low == pytest.approx(0.8882, abs=1e-4) and high == pytest.approx(0.9785, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(10, 10)[1] == 1.0


def test_figures_of_conversations() -> None:
    conversation = Conversation("x", "p", "web", "wa/p.yml", (Turn("a", "answer", "t"), Turn("b", "does", "thank")))
    right = judge(Turn("a", "answer", "check_ocn_id"), bot("utter_answer_check_ocn_id"))
    wrong = judge(Turn("b", "does", "thank"), bot("utter_answer_check_ocn_id"))
    hedged = judge(Turn("a", "answer", "check_ocn_id"), bot("utter_clarify"))
    results = [
        ConversationResult(conversation, (right, right)),
        ConversationResult(conversation, (right, wrong)),
        ConversationResult(conversation, (hedged, right)),
    ]
    got = figures(results)
    assert (got.conversations_right.count, got.conversations_right.total) == (1, 3)
    assert (got.turns_right.count, got.turns_right.total) == (4, 6)
    assert (got.first_messages_direct.count, got.first_messages_direct.total) == (2, 3)
    assert (got.confidently_wrong.count, got.confidently_wrong.total) == (1, 6)
    assert misses(results) == {"does:thank → answer:check_ocn_id": 1, "answer:t → does:clarify": 1}


# --- the runner's reading ------------------------------------------------------------------------------


def test_the_tracker_is_cut_at_each_customer_message() -> None:
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "a"},
        {"event": "action", "name": "action_answer"},
        {"event": "bot", "text": "答え", "metadata": {"utter_action": "utter_answer_check_ocn_id"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "b"},
        {"event": "action", "name": "action_run_procedure"},
        {"event": "bot", "text": "履歴", "metadata": {}},
    ]
    turns = bot_turns(events)
    assert [t.responses for t in turns] == [["utter_answer_check_ocn_id"], ["text:action_run_procedure"]]


class FakeOutbox:
    """The sandbox's /dev/outbox as the stack reads it: the newest `cap` messages of a destination, oldest first."""

    def __init__(self, cap: int = 500) -> None:
        self.sent: dict[str, list[dict]] = {}
        self.cap = cap
        self._next_id = 1

    def send(self, destination: str, code: str) -> None:
        self.sent.setdefault(destination, []).append({"id": self._next_id, "body": f"確認コード: {code} (10分有効)"})
        self._next_id += 1

    def outbox(self, destination: str) -> list[dict]:
        return list(self.sent.get(destination, []))[-self.cap :]


def test_the_code_typed_is_the_one_sent_in_this_conversation() -> None:
    outbox = FakeOutbox()
    outbox.send("090-1234-5678", "111111")
    reader = CodeReader(outbox)  # type: ignore[arg-type]
    reader.start_conversation()
    outbox.send("hanako.sato@example.jp", "654321")
    assert reader.fill("<CODE>です") == "654321です"
    wrong = reader.fill("<WRONG_CODE>")
    assert len(wrong) == 6 and wrong.isdigit() and wrong != "654321"
    assert reader.fill("こんにちは") == "こんにちは"


def test_a_code_is_found_after_the_outbox_has_more_than_it_returns() -> None:
    """The outbox answers with its newest messages only: past that many, a count of them stops growing, and the
    decision set's last conversations had typed 000000 for every code sent."""
    outbox = FakeOutbox(cap=3)
    reader = CodeReader(outbox)  # type: ignore[arg-type]
    for code in ("100001", "100002", "100003", "100004"):
        reader.start_conversation()
        outbox.send("090-1234-5678", code)
        assert reader.fill("<CODE>") == code
    reader.start_conversation()
    assert reader.fill("<CODE>") == "000000"  # none sent in this conversation


def test_the_blind_set_loads_and_the_subset_takes_every_file() -> None:
    conversations = load_conversations()
    assert len(conversations) == 320 and sum(len(c.turns) for c in conversations) == 1521
    subset = stratified(conversations, 5)
    assert len(subset) == 40 and len({c.source for c in subset}) == 8 and len({c.id for c in subset}) == 40


def test_a_follow_ups_fact_answers_its_topic() -> None:
    fact = bot("utter_fact_change_ocn_id_forwarding", "utter_ask_survey")
    assert judge(Turn("…", "answer", "change_ocn_id"), fact).right
    assert not judge(Turn("…", "answer", "check_ocn_id"), fact).right


def test_the_password_difference_answers_what_the_ids_are_and_asks_again() -> None:
    again = bot("utter_password_difference", "utter_ask_which_password")
    assert judge(Turn("違いは？", "answer", "ask_id_types"), again).right
    assert judge(Turn("わからない", "asks", "which_password"), again).right


def test_the_report_keeps_each_conversations_turns_for_a_paired_comparison() -> None:
    conversation = Conversation("c1", "p", "web", "wa/p.yml", (Turn("a", "answer", "check_ocn_id"),))
    right = judge(Turn("a", "answer", "check_ocn_id"), bot("utter_answer_check_ocn_id"))
    wrong = judge(Turn("a", "answer", "check_ocn_id"), bot("utter_answer_change_ocn_id"))
    before = report(Run([ConversationResult(conversation, (wrong,))], 1.0))
    after = report(Run([ConversationResult(conversation, (right,))], 1.0))
    assert before["per_conversation"] == {"c1": [[False, True]]}
    differences = compare(before, after, rounds=50)
    assert differences["conversations_right"] == [1.0, 1.0, 1.0]
    assert differences["confidently_wrong"] == [-1.0, -1.0, -1.0]


def test_confidently_wrong_until_the_first_mistake_leaves_out_the_turns_after_it() -> None:
    turns = (Turn("a", "answer", "t"), Turn("b", "does", "thank"), Turn("c", "does", "goodbye"))
    c1, c2, c3 = (Conversation(i, "p", "web", "wa/p.yml", turns) for i in ("c1", "c2", "c3"))
    right = judge(Turn("a", "answer", "check_ocn_id"), bot("utter_answer_check_ocn_id"))
    wrong = judge(Turn("b", "does", "thank"), bot("utter_answer_check_ocn_id"))
    hedged = judge(Turn("a", "answer", "check_ocn_id"), bot("utter_clarify"))
    results = [
        ConversationResult(c1, (right, wrong, wrong)),  # the third may follow from the second
        ConversationResult(c2, (hedged, wrong, wrong)),  # first mistake hedged: nothing after it counts
        ConversationResult(c3, (right, right, right)),
    ]
    got = figures(results)
    assert (got.confidently_wrong.count, got.confidently_wrong.total) == (4, 9)
    assert (got.confidently_wrong_until_first_mistake.count, got.confidently_wrong_until_first_mistake.total) == (
        1,
        6,
    )
    before = report(Run(results, 1.0))
    after = report(Run([ConversationResult(c, (right, right, right)) for c in (c1, c2, c3)], 1.0))
    assert compare(before, after, rounds=20)["confidently_wrong_until_first_mistake"][0] == pytest.approx(-1 / 6)


def test_the_survey_asked_with_the_answer_and_answered_by_thanks_is_the_survey_asked() -> None:
    assert judge(Turn("どうもありがとう", "asks", "survey"), bot("utter_survey_thanks")).right
    assert judge(Turn("うーん、まだです", "asks", "survey"), bot("utter_survey_unresolved")).right
    assert not judge(Turn("どうもありがとう", "asks", "survey"), bot("utter_thank")).right  # never asked


def test_the_first_wrong_turn_of_a_readable_set_is_shown_with_its_text(capsys) -> None:
    turns = (Turn("お客さま番号は？", "answer", "check_customer_number"), Turn("ありかとう", "does", "thank"))
    conversation = Conversation("dd-plain-001", "plain", "web", "dd/plain.yml", turns)
    right = judge(turns[0], bot("utter_answer_check_customer_number"))
    wrong = judge(turns[1], bot("utter_clarify"))
    did = [bot("utter_answer_check_customer_number"), bot("utter_clarify")]
    print_first_misses(Run([ConversationResult(conversation, (right, wrong))], 1.0, {"dd-plain-001": did}))
    shown = capsys.readouterr().out
    assert "dd-plain-001 turn 2: expected does:thank, did does:clarify" in shown
    assert "typed:   ありかとう" in shown and "bot:     utter_clarify" in shown


def test_the_blind_set_is_never_shown() -> None:
    with pytest.raises(SystemExit) as refused:
        blind_conversations_main(["--show-misses"])
    assert refused.value.code == 2
