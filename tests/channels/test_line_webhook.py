"""LINE webhook → stub bot → fake LINE API, over real HTTP on loopback."""

import json
import logging
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from line_fakes import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    GROUP_ID,
    LONG_TEXT,
    USER_ID,
    ChannelServer,
    FakeLineApi,
    sign,
    text_event,
)

from channels.line import LineInput
from channels.line_events import BOT_ERROR_REPLY, NON_TEXT_REPLY
from channels.line_format import fixed_text, utf16_len


def event_of(kind: str, **fields: Any) -> dict[str, Any]:
    event = {
        "type": kind,
        "mode": "active",
        "timestamp": 1718000000000,
        "source": {"type": "user", "userId": USER_ID},
        "webhookEventId": f"01HZ{uuid.uuid4().hex[:22].upper()}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
    }
    event.update(fields)
    return event


def texts(call: dict[str, Any]) -> list:
    return [message.get("text") for message in call["body"]["messages"]]


# --- signature, size, configuration -------------------------------------------------------


def test_text_message_reaches_bot_and_is_answered_by_reply(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    event = text_event("パスワードを忘れました")
    response = channel.post_events(event)
    assert response.status_code == 200
    channel.wait_idle()

    [message] = channel.bot.received
    assert message.text == "パスワードを忘れました"
    assert message.sender_id == f"line:{USER_ID}"
    assert message.input_channel == "line"
    assert message.message_id == event["message"]["id"]
    assert message.metadata["line"]["webhook_event_id"] == event["webhookEventId"]
    assert message.metadata["line"]["source_type"] == "user"

    [reply] = fake_line.of("reply")
    assert reply["body"]["replyToken"] == event["replyToken"]
    assert texts(reply) == ["受け付けました: パスワードを忘れました"]
    assert reply["headers"]["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert "X-Line-Retry-Key" not in reply["headers"]
    assert fake_line.of("push") == []


@pytest.mark.parametrize("signature", [None, "", "not-base64", sign(b"other body"), sign(b"x", "wrong-secret")])
def test_bad_or_missing_signature_is_rejected_before_the_bot(
    channel: ChannelServer, fake_line: FakeLineApi, signature: Any
) -> None:
    response = channel.post({"events": [text_event("hello")]}, signature=signature)
    assert response.status_code == 401
    channel.wait_idle()
    assert channel.bot.received == []
    assert fake_line.calls == []


def test_signature_is_checked_before_json_parsing(channel: ChannelServer) -> None:
    # Not JSON at all: an unsigned request must still get 401, not 400.
    assert channel.post(None, signature="bogus", raw=b"{not json").status_code == 401
    # Signed but malformed: only now is the body parsed.
    assert channel.post(None, raw=b"{not json").status_code == 400
    assert channel.post({"no_events": []}).status_code == 400


def test_verification_request_with_empty_events_gets_200(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    response = channel.post({"destination": "Ubot", "events": []})
    assert response.status_code == 200
    channel.wait_idle()
    assert channel.bot.received == [] and fake_line.calls == []


def test_oversized_body_gets_413(start_channel: Callable[..., ChannelServer]) -> None:
    channel = start_channel(max_body_bytes=2048)
    payload = {"events": [text_event("あ" * 2000)]}
    assert channel.post(payload).status_code == 413
    # Chunked, without Content-Length: the limit applies while reading.
    chunks = iter([b"x" * 1024] * 4)
    url = channel.url + "/webhooks/line/webhook"
    assert requests.post(url, data=chunks, timeout=10).status_code == 413
    assert channel.bot.received == []


def test_unconfigured_channel_answers_503(start_channel: Callable[..., ChannelServer], fake_line: FakeLineApi) -> None:
    channel = start_channel(channel_secret="", access_token="")
    assert channel.post_events(text_event("hello")).status_code == 503
    status = requests.get(channel.url + "/webhooks/line/", timeout=5)
    assert status.status_code == 200 and status.json()["configured"] is False
    assert channel.bot.received == [] and fake_line.calls == []


def test_health_route(channel: ChannelServer) -> None:
    status = requests.get(channel.url + "/webhooks/line/", timeout=5)
    assert status.json() == {"status": "ok", "configured": True}


# --- event types --------------------------------------------------------------------------


def test_postback_data_is_sent_to_the_bot_as_text(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.post_events(
        event_of("postback", postback={"data": "/affirm"}),
        event_of("postback", postback={"data": '/start_procedure{"procedure":"x"}'}),
    )
    channel.wait_idle()
    assert [m.text for m in channel.bot.received] == [
        "/affirm",
        '/start_procedure{"procedure":"x"}',
    ]
    assert len(fake_line.of("reply")) == 2


def test_follow_sends_the_greeting(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.post_events(event_of("follow", follow={"isUnblocked": False}))
    channel.wait_idle()
    assert [m.text for m in channel.bot.received] == ["/greet"]
    assert texts(fake_line.of("reply")[0]) == ["OCNサポートです。ご用件をどうぞ。"]


def test_unfollow_is_only_logged(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    unfollow = event_of("unfollow")
    del unfollow["replyToken"]  # LINE sends none: the user has blocked the account
    assert channel.post_events(unfollow).status_code == 200
    channel.wait_idle()
    assert channel.bot.received == [] and fake_line.calls == []


@pytest.mark.parametrize("kind", ["join", "memberJoined", "beacon", "videoPlayComplete", "somethingNew"])
def test_unknown_event_types_are_ignored(channel: ChannelServer, fake_line: FakeLineApi, kind: str) -> None:
    assert channel.post_events(event_of(kind)).status_code == 200
    channel.wait_idle()
    assert channel.bot.received == [] and fake_line.calls == []


@pytest.mark.parametrize(
    "message",
    [
        {"id": "1", "type": "sticker", "packageId": "446", "stickerId": "1988"},
        {"id": "2", "type": "image", "contentProvider": {"type": "line"}},
        {"id": "3", "type": "location", "latitude": 35.6, "longitude": 139.7},
    ],
)
def test_non_text_message_gets_a_polite_text_only_notice(
    channel: ChannelServer, fake_line: FakeLineApi, message: dict[str, Any]
) -> None:
    channel.post_events(event_of("message", message=message))
    channel.wait_idle()
    assert channel.bot.received == []
    assert texts(fake_line.of("reply")[0]) == [NON_TEXT_REPLY]


def test_non_text_message_in_a_group_is_ignored(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    source = {"type": "group", "groupId": GROUP_ID, "userId": USER_ID}
    channel.post_events(event_of("message", source=source, message={"id": "1", "type": "sticker"}))
    channel.wait_idle()
    assert fake_line.calls == []


def test_standby_mode_events_are_ignored(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    event = text_event("hello")
    event["mode"] = "standby"
    channel.post_events(event)
    channel.wait_idle()
    assert channel.bot.received == [] and fake_line.calls == []


def test_redelivered_event_is_processed_once(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    event = text_event("hello")
    assert channel.post_events(event).status_code == 200
    redelivered = json.loads(json.dumps(event))
    redelivered["deliveryContext"]["isRedelivery"] = True
    assert channel.post_events(redelivered).status_code == 200
    channel.wait_idle()
    assert len(channel.bot.received) == 1
    assert len(fake_line.of("reply")) == 1


def test_messages_of_one_user_are_handled_in_order(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.bot.slow_seconds = 0.3
    channel.post_events(text_event("slow"))
    channel.post_events(text_event("second"))
    channel.wait_idle()
    assert [m.text for m in channel.bot.received] == ["slow", "second"]
    assert [texts(c)[0] for c in fake_line.of("reply")] == ["お待たせしました。", "受け付けました: second"]


def test_different_users_are_not_held_up_by_each_other(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.bot.slow_seconds = 0.5
    other = {"type": "user", "userId": "U_other_user"}
    channel.post_events(text_event("slow"), text_event("quick", source=other))
    channel.wait_idle()
    assert [texts(c)[0] for c in fake_line.of("reply")] == ["受け付けました: quick", "お待たせしました。"]


def test_group_chat_uses_the_group_id_and_no_loading_animation(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    source = {"type": "group", "groupId": GROUP_ID, "userId": USER_ID}
    channel.post_events(text_event("hello", source=source))
    channel.wait_idle()
    [message] = channel.bot.received
    assert message.sender_id == f"line:group:{GROUP_ID}"
    assert message.metadata["line"]["user_id"] == USER_ID
    assert fake_line.of("loading") == []
    assert len(fake_line.of("reply")) == 1


def test_a_room_is_its_own_shared_conversation(channel: ChannelServer) -> None:
    channel.post_events(text_event("hello", source={"type": "room", "roomId": "Rroom1", "userId": USER_ID}))
    channel.wait_idle()
    [message] = channel.bot.received
    assert message.sender_id == "line:room:Rroom1"


# --- loading animation ----------------------------------------------------------------------


def test_loading_animation_starts_before_the_answer_in_1_1_chats(
    channel: ChannelServer, fake_line: FakeLineApi
) -> None:
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    assert [call["kind"] for call in fake_line.calls] == ["loading", "reply"]
    loading = fake_line.of("loading")[0]["body"]
    assert loading["chatId"] == USER_ID
    assert loading["loadingSeconds"] % 5 == 0 and 5 <= loading["loadingSeconds"] <= 60


class PausedTrackers:
    """Rasa's tracker store as the channel reads it: every conversation has a person (paused)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def retrieve(self, sender_id: str) -> Any:
        self.asked.append(sender_id)
        return SimpleNamespace(is_paused=lambda: True)


class EasyTrackers:
    """Every conversation is in やさしい日本語 (slot easy_japanese), nobody has it."""

    async def retrieve(self, sender_id: str) -> Any:
        return SimpleNamespace(is_paused=lambda: False, get_slot=lambda name: name == "easy_japanese")


def test_lines_own_notices_follow_the_conversations_easy_japanese_mode(
    channel: ChannelServer, fake_line: FakeLineApi
) -> None:
    """Issue 26 leftover: a customer who chose やさしい日本語 got LINE's own notices (a sticker sent, the bot
    failing) in standard Japanese."""
    channel.bot.tracker_store = EasyTrackers()
    channel.post_events(event_of("message", message={"id": "1", "type": "sticker"}))
    channel.post_events(text_event("boom"))
    channel.wait_idle()
    sticker, failure = (texts(reply)[0] for reply in fake_line.of("reply"))
    assert sticker == fixed_text("line_non_text_reply", easy=True) != NON_TEXT_REPLY
    assert sticker.startswith("文字で送っ")
    assert failure == fixed_text("line_bot_error_reply", easy=True) != BOT_ERROR_REPLY


def test_no_loading_animation_while_a_person_has_the_conversation(
    channel: ChannelServer, fake_line: FakeLineApi
) -> None:
    channel.bot.tracker_store = PausedTrackers()
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    assert channel.bot.tracker_store.asked == [f"line:{USER_ID}"]
    assert [call["kind"] for call in fake_line.calls] == ["reply"]  # the answer still goes out


def test_loading_seconds_are_rounded_to_what_line_accepts(
    start_channel: Callable[..., ChannelServer], fake_line: FakeLineApi
) -> None:
    channel = start_channel(loading_seconds=7)
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    assert fake_line.of("loading")[0]["body"]["loadingSeconds"] == 10


def test_failed_loading_animation_does_not_cost_the_answer(
    start_channel: Callable[..., ChannelServer], fake_line: FakeLineApi
) -> None:
    channel = start_channel(request_timeout=0.3)
    fake_line.delays["loading"] = 0.5
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    assert texts(fake_line.of("reply")[0]) == ["受け付けました: hello"]


# --- reply / push -------------------------------------------------------------------------


def test_invalid_reply_token_falls_back_to_push(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    fake_line.reply_failures.append((400, {"message": "Invalid reply token"}))
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    assert len(fake_line.of("reply")) == 1
    [push] = fake_line.of("push")
    assert push["body"]["to"] == USER_ID
    assert texts(push) == ["受け付けました: hello"]
    uuid.UUID(push["headers"]["X-Line-Retry-Key"])  # a UUID


def test_other_reply_errors_are_not_retried_or_pushed(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    fake_line.reply_failures.append((500, {"message": "Internal error"}))
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    assert len(fake_line.of("reply")) == 1
    assert fake_line.of("push") == []


def test_slow_bot_answer_is_pushed(start_channel: Callable[..., ChannelServer], fake_line: FakeLineApi) -> None:
    channel = start_channel(reply_timeout=0.2)
    channel.bot.slow_seconds = 0.5
    channel.post_events(text_event("slow"))
    channel.wait_idle()
    assert fake_line.of("reply") == []
    assert texts(fake_line.of("push")[0]) == ["お待たせしました。"]


def test_more_than_five_messages_reply_five_and_push_the_rest(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.post_events(text_event("many"))
    channel.wait_idle()
    [reply] = fake_line.of("reply")
    [push] = fake_line.of("push")
    assert texts(reply) == [f"メッセージ{n}" for n in range(1, 6)]
    assert texts(push) == ["メッセージ6", "メッセージ7"]


def test_push_is_retried_with_the_same_retry_key_on_5xx(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    fake_line.reply_failures.append((400, {"message": "Invalid reply token"}))
    fake_line.push_failures.extend([500, 503])
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    pushes = fake_line.of("push")
    assert len(pushes) == 3
    assert len({call["headers"]["X-Line-Retry-Key"] for call in pushes}) == 1


def test_push_timeout_is_retried_and_a_409_counts_as_delivered(
    start_channel: Callable[..., ChannelServer], fake_line: FakeLineApi
) -> None:
    channel = start_channel(request_timeout=0.3)
    fake_line.reply_failures.append((400, {"message": "Invalid reply token"}))
    # The fake accepts the push but answers too late; the retry gets 409 "already accepted".
    fake_line.delays["push"] = 0.5
    channel.post_events(text_event("hello"))
    channel.wait_idle()
    pushes = fake_line.of("push")
    assert len(pushes) == 2
    assert len({call["headers"]["X-Line-Retry-Key"] for call in pushes}) == 1


def test_bot_failure_sends_an_apology(
    channel: ChannelServer, fake_line: FakeLineApi, caplog: pytest.LogCaptureFixture
) -> None:
    channel.post_events(text_event("boom"))
    channel.wait_idle()
    assert texts(fake_line.of("reply")[0]) == [BOT_ERROR_REPLY]
    assert "bot failed" in caplog.text


# --- output formatting end to end --------------------------------------------------------


def test_buttons_become_quick_replies(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.post_events(text_event("buttons"))
    channel.wait_idle()
    [message] = fake_line.of("reply")[0]["body"]["messages"]
    items = message["quickReply"]["items"]
    assert len(items) == 13
    actions = [item["action"] for item in items]
    assert actions[0] == {"type": "postback", "label": "はい", "data": "/affirm", "displayText": "はい"}
    assert actions[2]["data"] == '/start_procedure{"procedure":"password_reset"}'
    assert len(actions[2]["label"]) == 20 and actions[2]["label"].endswith("…")
    assert actions[2]["displayText"] == "パスワードの再設定をお願いしたいです(OCNメール)"
    assert actions[3] == {"type": "uri", "label": "マイページを開く", "uri": "https://mypage.example.jp/"}
    assert actions[4] == {"type": "uri", "label": "ヘルプ", "uri": "https://help.example.jp/line"}
    assert all(len(a["label"]) <= 20 for a in actions)


def test_long_text_is_split_at_5000_utf16_units(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.post_events(text_event("long"))
    channel.wait_idle()
    parts = texts(fake_line.of("reply")[0])
    assert len(parts) == 3
    assert all(utf16_len(part) <= 5000 for part in parts)
    assert "".join(parts) == LONG_TEXT
    assert parts[1].startswith("😀")  # the emoji at unit 5,000 moved whole to part 2


def test_images_and_custom_line_messages(channel: ChannelServer, fake_line: FakeLineApi) -> None:
    channel.post_events(text_event("rich"))
    channel.wait_idle()
    messages = fake_line.of("reply")[0]["body"]["messages"]
    assert messages == [
        {"type": "text", "text": "画像です。"},
        {
            "type": "image",
            "originalContentUrl": "https://example.com/a.png",
            "previewImageUrl": "https://example.com/a.png",
        },
        {"type": "sticker", "packageId": "446", "stickerId": "1988"},
    ]


# --- configuration and logging ------------------------------------------------------------


def test_from_credentials_falls_back_to_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "env-secret")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "env-token")
    monkeypatch.setenv("LINE_API_BASE_URL", "http://127.0.0.1:9/")
    channel = LineInput.from_credentials({"channel_secret": "", "access_token": None})
    assert channel.configured
    assert channel.api.base_url == "http://127.0.0.1:9"
    assert LineInput.from_credentials(None).configured

    configured = LineInput.from_credentials(
        {"channel_secret": "s", "access_token": "t", "api_base_url": "", "reply_timeout": 5}
    )
    assert configured.api.base_url == "http://127.0.0.1:9" and configured.reply_timeout == 5.0
    assert "env-token" not in repr(configured) and "env-secret" not in repr(configured)


def test_from_credentials_with_nothing_set_disables_the_webhook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    channel = LineInput.from_credentials({"channel_secret": "", "access_token": ""})
    assert not channel.configured
    assert channel.api.base_url == "https://api.line.me"


def test_secrets_and_texts_stay_out_of_info_logs(
    channel: ChannelServer, fake_line: FakeLineApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_line.reply_failures.append((400, {"message": "Invalid reply token"}))
    channel.post_events(text_event("私の電話番号は09012345678です"))
    channel.post({"events": [text_event("x")]}, signature="bad")
    channel.wait_idle()
    for secret in (ACCESS_TOKEN, CHANNEL_SECRET, "09012345678"):
        assert secret not in caplog.text
