"""Rasa's REST channel with the client's `sender` checked and confined to the `rest:` namespace.

credentials.yml: `channels.rest.RestChannel:` (same URL as Rasa's: POST /webhooks/rest/webhook).

- `sender` must be a string of 1-128 characters from A-Z a-z 0-9 . _ - @ (channels/senders.py);
  anything else, including a missing or non-string sender, is answered 400
  `{"error": "invalid_sender", "message": ...}` before any NLU work (stock Rasa would use the shared
  conversation "default" or pass a number on as the sender id).
- `metadata.client_ref` is set by the channel from the client's address (channels/client_ref.py).
- The conversation is `rest:<sender>`, so a REST client can never address a web or LINE customer's
  conversation, and `input_channel` in the body is ignored (it is always "rest").

REST is for tests and operators: the public face (deploy/nginx.py, deploy/kubernetes) does not route
it unless PUBLIC_REST is set.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage as BadRequest  # Sanic 21.12: 400
from sanic.request import Request

from bot_server.rate_limit import request_ip
from channels.client_ref import with_client_ref
from channels.senders import InvalidSender, rest_sender


def sender_of(body: Any) -> str:
    """The conversation of a REST request body; raises InvalidSender."""
    return rest_sender(body.get("sender") if isinstance(body, dict) else None)


class RestChannel(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

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
        return with_client_ref(body.get("metadata"), "address", request_ip(request))
