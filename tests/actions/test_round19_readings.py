"""Readings added after the third decision batch (issue 23, nineteenth round): two questions whose second part names
only an operation or whose IDs are joined by や, another operation of the same ID asked bare, a change of mind
after 「いや」, a forgotten password's reset switched to by name, and an apology then a question after the
password warning."""

from __future__ import annotations

import pytest

from actions.choices import asks_to_go_ahead, read_yes_no
from actions.faq_actions import ActionAnswer, ActionClarify
from actions.follow_ups import asked_operation, bare_follow_up, topics_clause_by_clause
from actions.procedure_switch import resumed_procedure, switched_procedure, turns_to_another_id
from ocn_ids.answers import GO_AHEAD, fold, speaks_of_other_matters
from tests.actions.trackers import responses, run, slot_events, tracker


@pytest.mark.parametrize(
    ("typed", "topics"),
    [("お客さま番号ってどこで見れる？あと変更ってできる？", ["check_customer_number", "change_customer_number"]),
     ("お客さま番号って変更できんの？あと確認方法も", ["change_customer_number", "check_customer_number"]),
     ("OCN IDや接続用IDって、あとから自分の好きなものに変えられるんでしょうか？", ["change_ocn_id", "change_connection_id"]),
     ("OCN IDと接続用IDの違いは？", []),
     ("お客さま番号ってどこで見れる？あとマイページって登録いるの", ["check_customer_number", "register_mypage"]),
     ("OCN IDのパスワードをあとから変えたい", [])],
)  # fmt: skip
def test_each_part_of_two_questions_is_read_with_the_id_it_is_of(typed: str, topics: list[str]) -> None:
    assert topics_clause_by_clause(typed) == topics


def test_another_operation_of_the_same_id_asked_bare_is_that_topic() -> None:
    said = ["utter_answer_change_customer_number"]
    assert bare_follow_up("change_customer_number", said, "で確認は？", []) == "check_customer_number"
    assert bare_follow_up("change_customer_number", said, "どうやる？", []) == "change_customer_number"


def test_the_same_ids_other_topic_is_introduced_by_the_id_not_as_the_answer_again() -> None:
    events = [
        {"event": "user", "text": "お客さま番号変えたい"},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_change_customer_number"}},
        {"event": "user", "text": "で確認は？"},
    ]
    ranking = [("nlu_fallback", 0.5), ("deny", 0.2)]
    t = tracker(
        "nlu_fallback", text="で確認は？", slots={"topic": "change_customer_number"}, ranking=ranking, events=events
    )
    assert responses(run(ActionClarify(), t)[0])[:2] == ["utter_about_the_id", "utter_answer_check_customer_number"]


def _after_the_offer_declined(text: str):
    events = [
        {"event": "user", "text": "せつそくID どこ"},
        {"event": "slot", "name": "offered_procedure", "value": "send_connection_id"},
        {"event": "bot", "metadata": {"utter_action": "utter_offer_procedure"}},
        {"event": "user", "text": "今はしない"},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": text},
    ]
    return tracker("deny", text=text, slots={"pending_question": "survey"}, events=events)


@pytest.mark.parametrize(("typed", "resumed"), [("いや やっぱやる🙏", "send_connection_id"), ("いや、いいです", None)])
def test_a_no_before_a_change_of_mind_takes_the_offer_back(typed: str, resumed: str | None) -> None:
    assert resumed_procedure(_after_the_offer_declined(typed)) == resumed


def test_the_reset_named_while_another_procedure_is_confirmed_switches_to_it() -> None:
    slots = {"procedure": "send_ocn_id", "requested_slot": "procedure_confirmed", "verified_until": 9e9}
    ranking = [("nlu_fallback", 0.5), ("forgot_password", 0.4), ("check_ocn_id", 0.2)]
    text = "あーやっぱパスワードの再設定のほうにして"
    t = tracker("nlu_fallback", text=text, slots=slots, active_loop="procedure_form", ranking=ranking)
    assert switched_procedure(t, "nlu_fallback") == "reset_ocn_password"


@pytest.mark.parametrize(
    ("typed", "again"),
    [("ごめん😅 で どうやる？", True), ("失礼しました。変更の方法を教えてください。", True),
     ("あすいませんじゃあ偏向のやり方だけ教えて", True), ("すみません、接続用IDのほうはどうですか", False),
     ("すみません", False)],
)  # fmt: skip
def test_an_apology_then_a_question_after_the_warning_gets_the_answer_again(typed: str, again: bool) -> None:
    events = [
        {"event": "user", "text": "メールのパス変えたい 今の taro1234"},
        {"event": "bot", "metadata": {"utter_action": "utter_password_not_in_chat"}},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_change_ocn_id_password"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": typed},
    ]
    slots = {"topic": "change_ocn_id_password", "pending_question": "survey"}
    said = responses(run(ActionAnswer(), tracker("greet", text=typed, slots=slots, events=events))[0])
    assert (said[:2] == ["utter_topic_again", "utter_answer_change_ocn_id_password"]) is again, said


def test_an_unknown_login_is_nothing_forgotten() -> None:
    typed = "知らないログインあったらパスワード変えたほうがいい？今のパスはわかるんだけど変え方おしえて"
    assert asked_operation(typed, "check_login_history") == "password_change"
    assert asked_operation("パスワード知らないです", "") == "password_forgotten"


def test_a_question_whether_another_id_can_be_changed_is_no_turn_to_it() -> None:
    slots = {"procedure": "send_customer_number", "requested_slot": "otp_code", "account_ref": "N123456789"}
    asked = tracker("change_ocn_id", text="ちなみにOCN IDって別のアドレスに変えられますか？", slots=slots)
    assert not turns_to_another_id(asked)
    turned = tracker("check_ocn_id", text="やっぱりOCN IDのほうにしてください", slots=slots)
    assert turns_to_another_id(turned)


@pytest.mark.parametrize(
    ("typed", "first"),
    [("昨日からメールを開こうとするとパスワードを入れてくださいと出て、先に進めません", "utter_answer_forgot_ocn_id_password"),
     ("ネットにつなぐパスワードを忘れました", "utter_answer_check_connection_id"),
     ("パスワードを忘れました", "utter_ask_which_password")],
)  # fmt: skip
def test_a_forgotten_password_said_with_its_use_is_that_ids(typed: str, first: str) -> None:
    said = responses(run(ActionAnswer(), tracker("forgot_password", text=typed))[0])
    assert said[0] == first


def test_the_not_now_buttons_words_typed_last_decline_the_offer() -> None:
    assert read_yes_no("offer_procedure", "やっぱりいいです今はしない") == "no"
    assert read_yes_no("offer_procedure", "チャットで手続きする") == "yes"


def test_hurry_alone_goes_ahead_at_the_final_question_but_a_good_morning_does_not() -> None:
    assert asks_to_go_ahead("はよ", "send_connection_id")
    assert not asks_to_go_ahead("おはようございます", "send_connection_id")


def test_hurry_read_as_a_hello_at_the_final_question_is_left_to_the_form() -> None:
    slots = {"procedure": "send_connection_id", "requested_slot": "procedure_confirmed", "delivery_method": "post"}
    t = tracker("greet", text="はよ", slots=slots, active_loop="procedure_form")
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == [] and events == []


def test_the_words_correct_a_look_up_read_for_a_change_of_the_same_id() -> None:
    said = responses(run(ActionAnswer(), tracker("check_ocn_id", text="OCN IDを別のアドレスに変えたい"))[0])
    assert said[0] == "utter_answer_change_ocn_id"


def _bot(name: str) -> dict:
    return {"event": "bot", "metadata": {"utter_action": name}}


def test_which_id_the_link_uses_asked_right_after_its_answer_gets_it_again() -> None:
    typed = "連携にはどのIDを使うんでしょう？お客さま番号？"
    events = [
        {"event": "user", "text": "dポイントをためたい"},
        _bot("utter_answer_link_d_account"),
        _bot("utter_ask_survey"),
        {"event": "user", "text": typed},
    ]
    slots = {"topic": "link_d_account", "pending_question": "survey"}
    said = responses(run(ActionAnswer(), tracker("ask_id_types", text=typed, slots=slots, events=events))[0])
    assert said[:2] == ["utter_topic_again", "utter_answer_link_d_account"]


@pytest.mark.parametrize(
    ("typed", "again"),
    [("で、さっきのdアカウントのやつもう一回", True), ("さっきのマイページの登録のやつ、もう一度お願い", False),
     ("dアカウントの連携をもう一回したい", False)],
)  # fmt: skip
def test_an_earlier_answer_asked_for_once_more_by_its_words_is_given_again(typed: str, again: bool) -> None:
    """Only an answer given earlier in this chat (My Page's registration was not), pointed back to."""
    events = [
        {"event": "user", "text": "dポイントためたい"},
        _bot("utter_answer_link_d_account"),
        {"event": "user", "text": "マイページ入れない"},
        _bot("utter_answer_check_ocn_id"),
        {"event": "user", "text": typed},
    ]
    slots = {"topic": "check_ocn_id", "pending_question": "offer_procedure"}
    said = responses(run(ActionAnswer(), tracker("out_of_scope", text=typed, slots=slots, events=events))[0])
    assert (said[:2] == ["utter_topic_again", "utter_answer_link_d_account"]) is again, said


def test_another_providers_id_found_in_a_section_is_out_of_scope() -> None:
    ranking = [("nlu_fallback", 0.5), ("check_connection_id", 0.3), ("forgot_password", 0.2)]
    t = tracker("nlu_fallback", text="ソフトバンク光のID忘れた", ranking=ranking)
    said = responses(run(ActionClarify(), t)[0])
    assert said[0].startswith("utter_answer_out_of_scope")


def test_dpoints_found_in_a_section_are_the_pages_not_another_service() -> None:
    ranking = [("nlu_fallback", 0.5), ("link_d_account", 0.3), ("out_of_scope", 0.2)]
    t = tracker("nlu_fallback", text="dポイント貯まるとか宣伝してたくせにやり方わかんねーよ", ranking=ranking)
    said = responses(run(ActionClarify(), t)[0])
    assert not said[0].startswith("utter_answer_out_of_scope")


@pytest.mark.parametrize(
    ("typed", "topic", "told_apart"),
    [("それは、メールを見るときのパスワードとは別のものなのですか。", "change_connection_id_password", True),
     ("「認証ID」 と 「接続用ID」 は same thing?", "change_connection_id_password", True),
     ("お客さま番号とOCN IDって同じですか？", None, True),
     ("接続用IDのパスワードもメールのと同じにしたい", "change_connection_id_password", False),
     ("それって同じ手順ですか？", "change_connection_id_password", False)],
)  # fmt: skip
def test_whether_two_ids_are_the_same_gets_the_answer_that_tells_them_apart(
    typed: str, topic: str | None, told_apart: bool
) -> None:
    events = [{"event": "user", "text": "…"}, _bot(f"utter_answer_{topic}"), {"event": "user", "text": typed}]
    t = tracker("nlu_fallback", text=typed, slots={"topic": topic}, events=events if topic else [])
    said = responses(run(ActionClarify(), t)[0])
    assert (said[0] == "utter_answer_ask_id_types") is told_apart, said


@pytest.mark.parametrize(
    ("typed", "first"),
    [("お客さま番号ってどういう形の番号なんでしょうか？請求書に載ってる番号と同じものですか？", "utter_answer_check_customer_number"),
     ("お客さま番号というのはどれでしょうか。", "utter_answer_check_customer_number"),
     ("お客さま番号とOCN IDの違いは？", "utter_answer_ask_id_types")],
)  # fmt: skip
def test_what_one_id_looks_like_is_its_look_up(typed: str, first: str) -> None:
    assert responses(run(ActionAnswer(), tracker("ask_id_types", text=typed))[0])[0] == first


def test_thanks_as_the_last_clause_answers_the_survey() -> None:
    typed = "メールソフトも設定しなおしとかめんどくさ…まあわかったよ、どーも"
    events = [{"event": "user", "text": "…"}, _bot("utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker(
        "nlu_fallback", text=typed, slots={"pending_question": "survey", "topic": "change_ocn_id"}, events=events
    )
    messages, events = run(ActionClarify(), t)
    assert responses(messages) == ["utter_survey_thanks"]
    assert slot_events(events)["survey_answer"] == "resolved"


def _asked(question: str, typed: str, intent: str = "nlu_fallback", **slots: object):
    events = [{"event": "user", "text": "…"}, _bot(f"utter_ask_{question}"), {"event": "user", "text": typed}]
    return tracker(intent, text=typed, slots={"pending_question": question, **slots}, events=events)


def test_which_password_said_by_its_use_inside_thanks_is_the_answer() -> None:
    typed = "お返事ありがとうございます。どちらと申されましても…。毎朝メールを読むときに入れるほうでございます。"
    said = responses(run(ActionAnswer(), _asked("which_password", typed, "thank"))[0])
    assert said[0] == "utter_answer_forgot_ocn_id_password"


def test_no_idea_which_in_a_sentence_read_as_a_hello_is_the_dont_know_choice() -> None:
    said = responses(
        run(ActionAnswer(), _asked("which_password", "どちらなのか、私には見当もつきません。", "greet"))[0]
    )
    assert "utter_greet" not in said and said[0] in ("utter_password_difference", "utter_answer_ask_id_types")


def test_understood_well_after_an_apology_answers_the_survey() -> None:
    typed = "そうでございますか、承知いたしました。何度もお尋ねしてしまい申し訳ございません。大変よく分かりました。"
    messages, events = run(ActionClarify(), _asked("survey", typed, topic="change_customer_number"))
    assert slot_events(events)["survey_answer"] == "resolved"


def test_a_request_to_look_it_up_takes_the_offer() -> None:
    t = _asked("offer_procedure", "ぜひ調べていただきたく存じます。", offered_procedure="login_history")
    messages, events = run(ActionClarify(), t)
    assert slot_events(events).get("procedure") == "login_history"


def test_not_now_inside_a_sentence_declines_the_offer() -> None:
    assert read_yes_no("offer_procedure", "今日はもう目が疲れてしまいましたので、今はしないことにいたします。") == "no"
    assert read_yes_no("offer_procedure", "今はしないとだめですか") is None


def test_checking_one_id_read_as_the_three_ids_is_its_look_up() -> None:
    typed = "接続用IDというものを確かめたいのですが、どのようにすればよろしいでしょうか。"
    assert (
        responses(run(ActionAnswer(), tracker("ask_id_types", text=typed))[0])[0] == "utter_answer_check_connection_id"
    )


@pytest.mark.parametrize(
    ("typed", "other"),
    [("来月、娘の家の近くに引っ越すことになりました。今のインターネットを、そのまま新しい家に持っていけるものでしょうか。", True),
     ("昨年主人が亡くなりまして、インターネットの契約を主人の名前から私の名前に変えたいのですが", True),
     ("引っ越し前にメールアドレスを控えたい", False), ("引っ越したので接続用IDを確認したい", False)],
)  # fmt: skip
def test_moving_house_and_the_contracts_holder_are_other_matters(typed: str, other: bool) -> None:
    assert speaks_of_other_matters(typed) is other


def test_short_replies_of_line_users_at_the_offer_and_the_final_question() -> None:
    assert asks_to_go_ahead("よろ", "send_connection_id")
    assert read_yes_no("offer_procedure", "いまはいい") == "no"
    assert read_yes_no("offer_procedure", "今はしないですまた後でやりますさようなら") is None  # the goodbye answers it
    assert GO_AHEAD.search(fold("ついでにOCN IDのパスワードも再設定しといて"))


def test_understood_thanks_to_the_answer_answers_the_survey() -> None:
    messages, events = run(ActionClarify(), _asked("survey", "おかげさまでわかりました", topic="link_d_account"))
    assert slot_events(events)["survey_answer"] == "resolved"


@pytest.mark.parametrize(
    ("typed", "procedure"),
    [("あーやっぱ待って、SMSで送ってもらえる？", "send_connection_id"), ("いや自分でマイページで見る", None),
     ("もう郵送で受け取りました", None)],
)  # fmt: skip
def test_a_way_asked_for_after_the_offer_was_declined_starts_it_but_not_my_page_or_done(
    typed: str, procedure: str | None
) -> None:
    t = _asked("survey", typed, topic="check_connection_id")
    _, events = run(ActionClarify(), t)
    assert slot_events(events).get("procedure") == procedure


def test_a_way_asked_for_as_a_question_is_kept_when_the_offer_is_taken() -> None:
    t = _asked("offer_procedure", "郵送で送ってもらうことはできますか", offered_procedure="send_connection_id")
    _, events = run(ActionClarify(), t)
    assert slot_events(events).get("delivery_method") == "post"


def test_one_side_named_alone_answers_which_password_asked_before_another_question() -> None:
    events = [
        {"event": "user", "text": "パスワード忘れた"},
        _bot("utter_ask_which_password"),
        {"event": "user", "text": "てかIDが3つもあるのなんなの？"},
        _bot("utter_answer_ask_id_types"),
        {"event": "user", "text": "じゃあメールのほう"},
    ]
    t = tracker("nlu_fallback", text="じゃあメールのほう", slots={"topic": "ask_id_types"}, events=events)
    assert responses(run(ActionClarify(), t)[0])[0] == "utter_answer_forgot_ocn_id_password"


def test_an_id_beside_moving_house_is_the_pages() -> None:
    assert not speaks_of_other_matters("じゃあ引っ越し先でネットつなぐときのIDってどこでわかる")
