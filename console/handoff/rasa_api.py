"""The console's only way to change a conversation: Rasa's HTTP API (under Rasa's own lock).

Operator messages are appended as bot events with the operator in their metadata, with
`execute_side_effects`, so Rasa both stores them (complete transcript) and sends them through
the conversation's latest channel (socket.io room, LINE push).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp


class RasaApiError(Exception):
    pass


class RasaApi:
    """RASA_URL may list several Rasa servers (comma-separated, scaled mode): any of them can
    change any conversation (shared tracker and lock stores) and reach any web session (socket.io's
    Redis manager), so an unreachable one is skipped."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 5.0) -> None:
        self.base_urls = [url.strip().rstrip("/") for url in base_url.split(",") if url.strip()]
        self.token = token
        self.timeout = timeout

    def _path(self, conversation_id: str, what: str) -> str:
        return f"/conversations/{quote(conversation_id, safe=':')}/{what}"

    async def _post(self, path: str, body: Any, params: dict[str, str]) -> None:
        # The token in a header (bot_server/api_token.py), never in the URL that logs record.
        headers = {"X-Rasa-Token": self.token} if self.token else {}
        failure = "no Rasa server configured"
        for base_url in self.base_urls:
            try:
                async with (
                    aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session,
                    session.post(base_url + path, json=body, params=params, headers=headers) as response,
                ):
                    if response.status >= 300:
                        raise RasaApiError(f"Rasa answered {response.status}")
                    return
            except aiohttp.ClientConnectorError as error:
                failure = f"Rasa unreachable: {type(error).__name__}"  # never got the call: try the next one
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                # It may have been applied: not repeated elsewhere (the operator sees it failed).
                raise RasaApiError(f"Rasa call failed: {type(error).__name__}") from None
        raise RasaApiError(failure)

    async def append(self, conversation_id: str, events: list[dict[str, Any]], deliver: bool = False) -> None:
        params = {"output_channel": "latest", "execute_side_effects": "true"} if deliver else {}
        await self._post(self._path(conversation_id, "tracker/events"), events, params)

    async def execute(self, conversation_id: str, action: str) -> None:
        """Runs a custom action (its texts come from domain.yml) and sends what it says."""
        await self._post(self._path(conversation_id, "execute"), {"name": action}, {"output_channel": "latest"})

    async def say_as_operator(self, conversation_id: str, operator: str, text: str) -> None:
        await self.append(
            conversation_id, [{"event": "bot", "text": text, "metadata": {"operator": operator}}], deliver=True
        )

    async def resume(self, conversation_id: str, action: str) -> None:
        """Unpause, let the bot say so, and wait for the customer (rules expect action_listen)."""
        await self.append(conversation_id, [{"event": "resume"}])
        await self.execute(conversation_id, action)
        await self.append(conversation_id, [{"event": "action", "name": "action_listen"}])
