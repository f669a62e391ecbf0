"""Minimal asynchronous client for the LINE Messaging API calls the channel needs.

Why not line-bot-sdk 2.3.0's LineBotApi / AsyncLineBotApi: their `push_message(retry_key=...)`
stores `X-Line-Retry-Key` in the client's shared headers, so the key sticks to every later
request (pushes to other customers would be refused as "already accepted" retries, and
replies would carry a header LINE rejects); 2.3.0 also predates the loading-animation
endpoint. aiohttp is already installed with Rasa, is non-blocking, and takes per-request
headers and timeouts. See docs/line.md.
"""

import asyncio
import logging
import uuid
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.line.me"
MAX_MESSAGES_PER_REQUEST = 5

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
LOADING_PATH = "/v2/bot/chat/loading/start"


class LineApiError(Exception):
    """A failed call; `status` is None when no HTTP response arrived (timeout, network)."""

    def __init__(self, path: str, status: int | None, message: str) -> None:
        super().__init__(f"LINE API {path} failed ({status or 'no response'}): {message}")
        self.path = path
        self.status = status
        self.message = message

    @property
    def invalid_reply_token(self) -> bool:
        """Token expired, already used or unknown: LINE answers 400 "Invalid reply token"."""
        return self.status == 400 and "reply token" in self.message.lower()

    @property
    def retryable(self) -> bool:
        # A 5xx or a timeout may or may not have been delivered; only safe with a retry key.
        return self.status is None or self.status >= 500


class LineApiClient:
    """reply / push / loading animation, each with a timeout; push retries with a retry key."""

    def __init__(
        self,
        access_token: str,
        base_url: str = DEFAULT_API_BASE_URL,
        timeout: float = 10.0,
        push_attempts: int = 3,
        retry_backoff: float = 0.5,
    ) -> None:
        self._access_token = access_token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.push_attempts = max(1, push_attempts)
        self.retry_backoff = retry_backoff
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        # Never show the token, even in tracebacks or debug dumps.
        return f"LineApiClient(base_url={self.base_url!r})"

    def _get_session(self) -> aiohttp.ClientSession:
        # Created lazily: a ClientSession must be made inside the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        request_headers = {"Authorization": f"Bearer {self._access_token}"}
        request_headers.update(headers or {})
        try:
            async with self._get_session().post(self.base_url + path, json=body, headers=request_headers) as response:
                if response.status < 300:
                    return
                raise LineApiError(path, response.status, await _error_message(response))
        except asyncio.TimeoutError:
            raise LineApiError(path, None, f"timed out after {self.timeout} s") from None
        except aiohttp.ClientError as error:
            raise LineApiError(path, None, type(error).__name__) from None

    async def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> None:
        """Sends up to 5 messages with a reply token. Never retried: a token works once."""
        _check_batch(messages)
        await self._post(REPLY_PATH, {"replyToken": reply_token, "messages": messages})

    async def push(self, to: str, messages: list[dict[str, Any]]) -> None:
        """Pushes up to 5 messages; retries 5xx/timeouts with one X-Line-Retry-Key.

        LINE executes a request with a given retry key once; a retry of an accepted
        request gets 409, which therefore means "delivered".
        """
        _check_batch(messages)
        headers = {"X-Line-Retry-Key": str(uuid.uuid4())}
        body = {"to": to, "messages": messages}
        for attempt in range(1, self.push_attempts + 1):
            try:
                await self._post(PUSH_PATH, body, headers)
                return
            except LineApiError as error:
                if error.status == 409 and attempt > 1:
                    logger.info("LINE push already accepted on an earlier attempt.")
                    return
                if not error.retryable or attempt == self.push_attempts:
                    raise
                logger.warning("%s; retrying (attempt %d)", error, attempt + 1)
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))

    async def start_loading(self, chat_id: str, seconds: int) -> None:
        """Shows the loading animation in a 1:1 chat (5-60 s, multiple of 5)."""
        seconds = min(60, max(5, -(-int(seconds) // 5) * 5))
        await self._post(LOADING_PATH, {"chatId": chat_id, "loadingSeconds": seconds})


def _check_batch(messages: list[dict[str, Any]]) -> None:
    if not 1 <= len(messages) <= MAX_MESSAGES_PER_REQUEST:
        raise ValueError(f"LINE takes 1 to 5 messages per request, got {len(messages)}")


async def _error_message(response: aiohttp.ClientResponse) -> str:
    """LINE errors are JSON {"message": ..., "details": [...]}; they never echo our texts."""
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return response.reason or ""
    if not isinstance(body, dict):
        return response.reason or ""
    message = str(body.get("message") or response.reason or "")
    details = body.get("details")
    if isinstance(details, list) and details:
        message += " " + "; ".join(
            f"{d.get('property', '')}: {d.get('message', '')}" for d in details if isinstance(d, dict)
        )
    return message
