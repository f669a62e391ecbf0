"""The address of the client behind a request to the Rasa server: the one answer the rate limits
(rate_limit.py), the channels' `client_ref` (channels/rest.py, channels/socketio.py) and the logs use.

RATE_LIMIT_TRUSTED_PROXIES (addresses or networks, default loopback: our nginx) says whose
X-Forwarded-For is believed; the rule for reading it is bot_server/forwarded.py.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sanic.request import Request

from bot_server import forwarded


def client_ip(peer: str, forwarded_for: str | Sequence[str] | None) -> str:
    """The client's address: the peer's, or from X-Forwarded-For when the peer is a trusted proxy."""
    trusted = forwarded.networks(os.environ.get("RATE_LIMIT_TRUSTED_PROXIES", forwarded.LOOPBACK))
    return forwarded.client_address(peer, forwarded_for, trusted)


def request_ip(request: Request) -> str:
    return client_ip(request.ip or "", request.headers.getall("x-forwarded-for", []))
