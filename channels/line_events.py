"""What the LINE channel does with one webhook event: which events reach the bot and as what
text, the metadata they carry, and the race between the bot's answer and the reply token."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from channels.client_ref import METADATA_KEY, client_ref
from channels.line_api import LineApiClient
from channels.line_delivery import LineOutput, deliver
from channels.line_format import LineMessage, fixed_text, to_line_messages
from channels.line_ids import chat_id_of, sender_id_of

logger = logging.getLogger(__name__)

NON_TEXT_REPLY = fixed_text("line_non_text_reply")
BOT_ERROR_REPLY = fixed_text("line_bot_error_reply")
# Sent as the customer's message when they add the account as a friend.
FOLLOW_MESSAGE = "/greet"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
# Whether a person has the conversation of a sender id (bot_server/handoff_pause.py): then no bot
# answer follows, and the loading animation would spin for nothing.
IsPaused = Callable[[str], Awaitable[bool]]


async def never_paused(_: str) -> bool:
    return False


async def never_easy(_: str) -> bool:
    return False


def line_metadata(event: dict[str, Any]) -> dict[str, Any]:
    """`UserMessage.metadata` for a LINE event (ids and flags only, never the text)."""
    source = event.get("source") or {}
    return {
        # Who is asking (the member, also in a group): the account API limits codes by it.
        METADATA_KEY: client_ref("line-user", source.get("userId")),
        "line": {
            "event_type": event.get("type"),
            "webhook_event_id": event.get("webhookEventId"),
            "is_redelivery": bool((event.get("deliveryContext") or {}).get("isRedelivery")),
            "timestamp": event.get("timestamp"),
            "source_type": source.get("type"),
            "user_id": source.get("userId"),
            "group_id": source.get("groupId"),
            "room_id": source.get("roomId"),
            "message_id": (event.get("message") or {}).get("id"),
        },
    }


class LineEventHandler:
    """Turns one LINE event into a bot turn (or a notice, or nothing) and sends the answer."""

    def __init__(
        self,
        api: LineApiClient,
        reply_timeout: float,
        loading_seconds: int,
        channel_name: str,
        is_paused: IsPaused = never_paused,
        is_easy: IsPaused = never_easy,
    ) -> None:
        self.api = api
        self.is_paused = is_paused
        self.is_easy = is_easy  # the conversation is in やさしい日本語: LINE's own texts follow it
        self.reply_timeout = reply_timeout
        self.loading_seconds = loading_seconds
        self.channel_name = channel_name

    async def handle(
        self,
        event: dict[str, Any],
        on_new_message: OnNewMessage,
        received_at: float | None = None,
    ) -> None:
        """Handles one event; `received_at` (loop time) starts the reply-token clock."""
        if received_at is None:
            received_at = asyncio.get_running_loop().time()
        event_type = event.get("type")
        source = event.get("source") or {}
        if event.get("mode") == "standby":
            # Another channel (module) has the chat; LINE expects us to stay silent.
            logger.debug("Ignoring LINE %s event in standby mode.", event_type)
            return

        if event_type == "message":
            message = event.get("message") or {}
            if message.get("type") == "text":
                await self._run_bot(event, str(message.get("text") or ""), on_new_message, received_at)
            elif source.get("type") == "user":
                # Only in 1:1 chats: in a group every sticker would draw a notice.
                logger.info("LINE %s message answered with the text-only notice.", message.get("type"))
                text = fixed_text("line_non_text_reply", await self._easy(sender_id_of(source)))
                await self._send(event, [{"type": "text", "text": text}], can_reply=True)
        elif event_type == "postback":
            # Quick replies carry the Rasa payload (e.g. "/affirm") as postback data.
            data = (event.get("postback") or {}).get("data")
            if data:
                await self._run_bot(event, str(data), on_new_message, received_at)
        elif event_type == "follow":
            await self._run_bot(event, FOLLOW_MESSAGE, on_new_message, received_at)
        elif event_type == "unfollow":
            logger.info("LINE user unfollowed (source type %s).", source.get("type"))
        else:
            logger.debug("Ignoring LINE event of type %s.", event_type)

    async def _run_bot(
        self,
        event: dict[str, Any],
        text: str,
        on_new_message: OnNewMessage,
        received_at: float,
    ) -> None:
        source = event.get("source") or {}
        chat_id = chat_id_of(source)
        sender_id = sender_id_of(source)
        if not chat_id or not sender_id:
            logger.warning("LINE %s event without a source id; ignored.", event.get("type"))
            return
        output = LineOutput(self.api, chat_id, str(source.get("type")), self.loading_seconds)
        # Concurrent with the bot, but finished before we answer: a late loading request
        # would otherwise start the animation after the answer is already shown. Not while a
        # person has the conversation: the bot will not answer (a cancel's answer comes without it).
        loading = asyncio.ensure_future(self._show_loading_unless_paused(output, sender_id))

        message_id = (event.get("message") or {}).get("id") or event.get("webhookEventId")
        user_message = UserMessage(
            text,
            output,
            sender_id=sender_id,
            input_channel=self.channel_name,
            message_id=message_id,
            metadata=line_metadata(event),
        )
        bot = asyncio.ensure_future(on_new_message(user_message))
        loop = asyncio.get_running_loop()
        reply_deadline = received_at + self.reply_timeout
        await asyncio.wait({bot}, timeout=max(0.0, reply_deadline - loop.time()))
        can_reply = bot.done()
        if not can_reply:
            logger.info("Bot answer is later than %.0f s; it will be pushed.", self.reply_timeout)
        try:
            await bot
            messages = to_line_messages(output.messages)
        except Exception:
            logger.exception("The bot failed on a LINE %s event.", event.get("type"))
            messages = [{"type": "text", "text": fixed_text("line_bot_error_reply", await self._easy(sender_id))}]
        await loading
        await self._send(event, messages, can_reply=can_reply)

    async def _easy(self, sender_id: str | None) -> bool:
        """Whether the conversation is in やさしい日本語; standard when it cannot be told."""
        try:
            return bool(sender_id) and await self.is_easy(str(sender_id))
        except Exception:
            logger.exception("Could not tell the conversation's reading mode; standard Japanese.")
            return False

    async def _show_loading_unless_paused(self, output: LineOutput, sender_id: str) -> None:
        try:
            paused = await self.is_paused(sender_id)
        except Exception:
            logger.exception("Could not tell whether the conversation is paused; showing the animation.")
            paused = False
        if not paused:
            await output.show_loading_animation()

    async def _send(self, event: dict[str, Any], messages: list[LineMessage], can_reply: bool) -> None:
        chat_id = chat_id_of(event.get("source") or {})
        await deliver(self.api, messages, reply_token=event.get("replyToken"), chat_id=chat_id, can_reply=can_reply)
