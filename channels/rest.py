"""Rasa's REST channel with the client's `sender` checked and confined to the `rest:` namespace.

credentials.yml: `channels.rest.RestChannel:` (same URL as Rasa's: POST /webhooks/rest/webhook).

- `sender` must be a string of 1-128 characters from A-Z a-z 0-9 . _ - @ (channels/senders.py);
  anything else, including a missing or non-string sender, is answered 400
  `{"error": "invalid_sender", "message": ...}` before any NLU work (stock Rasa would use the shared
  conversation "default" or pass a number on as the sender id).
- `metadata.client_ref` is set by the channel from the client's address (channels/client_ref.py).
- `message_id` (optional): the client's id of the message, the same when it sends the message again
  (after a timeout or a crash): the copy is answered with the stored replies and runs nothing twice
  (channels/resends.py). A malformed one is answered 400.
- The conversation is `rest:<sender>`, so a REST client can never address a web or LINE customer's
  conversation, and `input_channel` in the body is ignored (it is always "rest").

REST is for tests and operators: the public face (deploy/nginx.py, deploy/kubernetes) does not route
it unless PUBLIC_REST is set.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic
from sanic.exceptions import InvalidUsage as BadRequest  # Sanic 21.12: 400
from sanic.request import Request

from bot_server.client_address import request_ip
from channels.client_ref import with_client_ref
from channels.resends import FIELD, InvalidMessageId, Resends, client_message_id
from channels.senders import InvalidSender, sender_of

# Carries the client's message id from the request to the handler; removed before Rasa sees the message.
_CLIENT_ID = "_client_message_id"


class RestChannel(RestInput):
    def __init__(self) -> None:
        self.resends = Resends()
        self.app: Sanic | None = None

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def deliver(message: UserMessage) -> None:
            client_id = message.metadata.pop(_CLIENT_ID, None) if isinstance(message.metadata, dict) else None
            agent = getattr(self.app.ctx, "agent", None) if self.app else None
            await self.resends.deliver(message, client_id, on_new_message, agent)

        blueprint = super().blueprint(deliver)

        @blueprint.listener("before_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            self.app = app  # its agent's tracker store holds the replies a resent message gets

        return blueprint

    async def _extract_sender(self, req: Request) -> str:
        try:
            return sender_of(req.json)
        except InvalidSender as error:
            # bot_server.rate_limit answers this case with a JSON 400 first; this guards a bare `rasa run`.
            raise BadRequest(str(error)) from error

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """The client's metadata with `client_ref` of the address this request came from."""
        body = request.json if isinstance(request.json, dict) else {}
        try:
            client_id = client_message_id(body.get(FIELD))
        except InvalidMessageId as error:
            raise BadRequest(str(error)) from error
        metadata = with_client_ref(body.get("metadata"), "address", request_ip(request))
        metadata.pop(_CLIENT_ID, None)  # only the channel sets it
        if client_id:
            metadata[_CLIENT_ID] = client_id
        return metadata
