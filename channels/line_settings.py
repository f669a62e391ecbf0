"""The LINE channel's settings: keys of `channels.line.LineInput:` in credentials.yml, with the
LINE_* environment variables as fallback and one-machine defaults (see docs/line.md)."""

import os
from dataclasses import dataclass
from typing import Any

from channels.line_api import DEFAULT_API_BASE_URL

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# The reply token is only valid for a short time after the event; past this the answer
# goes by push instead of risking an expired token.
DEFAULT_REPLY_TIMEOUT = 20.0
DEFAULT_LOADING_SECONDS = 20
DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_PUSH_ATTEMPTS = 3
DEFAULT_RETRY_BACKOFF = 0.5


@dataclass(frozen=True)
class LineSettings:
    """Everything the channel is configured with; `repr` hides the two secrets."""

    channel_secret: str = ""
    access_token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL
    reply_timeout: float = DEFAULT_REPLY_TIMEOUT
    loading_seconds: int = DEFAULT_LOADING_SECONDS
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    push_attempts: int = DEFAULT_PUSH_ATTEMPTS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    retry_backoff: float = DEFAULT_RETRY_BACKOFF

    def __repr__(self) -> str:
        return f"LineSettings(configured={self.configured}, api_base_url={self.api_base_url!r})"

    @property
    def configured(self) -> bool:
        """Without both secrets the webhook stays off (503) instead of failing the server start."""
        return bool(self.channel_secret and self.access_token)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "LineSettings":
        """Reads credentials.yml; an empty value (e.g. an unset `${LINE_CHANNEL_SECRET}`)
        falls back to the LINE_* environment variable, then to the default."""
        credentials = credentials or {}

        def text(key: str, env: str, default: str = "") -> str:
            value = credentials.get(key)
            value = str(value).strip() if value is not None else ""
            return value or os.environ.get(env, "").strip() or default

        def number(key: str, default: float) -> float:
            value = credentials.get(key)
            return float(value) if value not in (None, "") else default

        return cls(
            channel_secret=text("channel_secret", "LINE_CHANNEL_SECRET"),
            access_token=text("access_token", "LINE_CHANNEL_ACCESS_TOKEN"),
            api_base_url=text("api_base_url", "LINE_API_BASE_URL", DEFAULT_API_BASE_URL),
            reply_timeout=number("reply_timeout", DEFAULT_REPLY_TIMEOUT),
            loading_seconds=int(number("loading_seconds", DEFAULT_LOADING_SECONDS)),
            request_timeout=number("request_timeout", DEFAULT_REQUEST_TIMEOUT),
            push_attempts=int(number("push_attempts", DEFAULT_PUSH_ATTEMPTS)),
            max_body_bytes=int(number("max_body_bytes", DEFAULT_MAX_BODY_BYTES)),
        )
