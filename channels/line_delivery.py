"""Getting the bot's answer to LINE: `LineOutput` collects it (and shows the loading animation),
`deliver` sends it — reply first, push for the rest or when replying is not possible."""

import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel

from channels.easy_japanese_output import FLAG, line_text
from channels.line_api import MAX_MESSAGES_PER_REQUEST, LineApiClient, LineApiError
from channels.line_format import LineMessage
from channels.line_settings import DEFAULT_LOADING_SECONDS

logger = logging.getLogger(__name__)


class LineOutput(CollectingOutputChannel):
    """Collects the bot's answer to one LINE event; the input channel then sends it."""

    @classmethod
    def name(cls) -> str:
        return "line"

    def __init__(
        self,
        api: LineApiClient,
        chat_id: str,
        source_type: str,
        loading_seconds: int = DEFAULT_LOADING_SECONDS,
    ) -> None:
        super().__init__()
        self.api = api
        self.chat_id = chat_id
        self.source_type = source_type
        self.loading_seconds = loading_seconds

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # The base class splits at blank lines; on LINE each piece would be a separate
        # bubble and count against the 5 messages a reply may carry.
        await self._persist_message(mode_of(self._message(recipient_id, text=line_text(text.strip(), kwargs)), kwargs))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        message = self._message(recipient_id, text=line_text(text, kwargs), buttons=buttons)
        await self._persist_message(mode_of(message, kwargs))

    async def show_loading_animation(self, seconds: int | None = None) -> None:
        """Shows LINE's loading animation; it ends by itself when our next message arrives.

        LINE supports it only in 1:1 chats. Failures are logged, never raised: it is
        cosmetic and must not cost the customer the answer.
        """
        if self.source_type != "user":
            return
        try:
            await self.api.start_loading(self.chat_id, seconds or self.loading_seconds)
        except LineApiError as error:
            logger.warning("Could not show the LINE loading animation: %s", error)


def mode_of(message: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The collected message, marked when it is in やさしい日本語 (LINE's own texts follow it: line_format.py)."""
    if kwargs.get(FLAG):
        message[FLAG] = True
    return message


async def deliver(
    api: LineApiClient,
    messages: list[LineMessage],
    *,
    reply_token: str | None,
    chat_id: str | None,
    can_reply: bool,
) -> None:
    """Reply (first 5 messages), then push the rest; push everything if replying is not possible.

    A reply is never retried: a failed one other than an invalid token may still have been
    delivered, and pushing it again would duplicate it."""
    if not messages:
        return
    batches = [messages[i : i + MAX_MESSAGES_PER_REQUEST] for i in range(0, len(messages), MAX_MESSAGES_PER_REQUEST)]
    if can_reply and reply_token:
        try:
            await api.reply(reply_token, batches[0])
            batches = batches[1:]
        except LineApiError as error:
            if not error.invalid_reply_token:
                logger.error("LINE reply failed; not pushed to avoid duplicates: %s", error)
                return
            logger.info("LINE reply token no longer valid; pushing instead.")

    if batches and not chat_id:
        logger.error("Cannot push a LINE answer: the event has no source id.")
        return
    for batch in batches:
        try:
            await api.push(chat_id, batch)
        except LineApiError as error:
            # Later batches are not sent: the answer would arrive with a hole in it.
            logger.error("LINE push failed: %s", error)
            return
