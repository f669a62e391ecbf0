"""Who is asking, as an opaque reference the account API limits one-time codes by (account_api/README.md
"Lockout": 3 codes an hour per identifier and client, wider caps per client group, account-wide
ceilings that never refuse a client which verified the account before).

Every channel puts `client_ref` into `UserMessage.metadata`; the action server reads it from
`tracker.latest_message["metadata"]` and passes it to the account API when it starts a verification.

- The reference is an HMAC of the channel's view of the client: the LINE user id, or the client address
  the web (socket.io) or REST channel saw (after the trusted-proxy rules of bot_server/rate_limit.py).
  An IPv6 address counts by its /64 (NIST SP 800-63B §5.2.2): one line or host gets a whole /64, so
  its 2^64 addresses are one client; an IPv4-mapped IPv6 address is its IPv4 address.
  Never the raw id or address: the metadata is stored in the tracker, and the API gets nothing it could
  give away.
- The reference ends in `.` and two levels of the client's **group**, `block:group`, each an HMAC:
  - the **group**, the unit that gets one share of an account's codes and wrong codes and the
    all-accounts group cap: an IPv6 address's /56 (one subscriber's delegated prefix on a home or office
    line), an IPv4 address itself, a LINE user itself;
  - the **block**, its /48, which holds at most a few groups' worth (account_api/README.md "Lockout"):
    a free tunnel broker routes a whole /48 to one person, so 25 /56s of one /48 counted apart locked a
    first-time customer out (security review 4, H1), while a mobile carrier's or an IPoE provider's /48
    holds hundreds of unrelated subscribers, so one /64 spending the whole /48's budgets refused all of
    them (review 5, N1). For an IPv4 address and a LINE user the block is the group.
  Before them, after a `.`, a shorter HMAC of the client's **network**: an IPv6 /48 (the block), an IPv4
  /24, a LINE user: the handoff queue's ceiling on unverified web/REST rows (console/README.md), where
  merging neighbours is harmless. The per-client budgets stay per /64 (account_api/README.md "Lockout").
- The key is derived from WEB_SESSION_SECRET (already one value for all Rasa servers, deploy/ sets it)
  with its own label, so the same client gets the same reference on every server. Without it each
  process draws a random key: references then differ between processes (limits still hold per process).
- The channel's value always replaces a `client_ref` the client put into its own metadata.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from functools import lru_cache
from typing import Any

METADATA_KEY = "client_ref"
_LABEL = b"ocn-bot client_ref v1"
CLIENT_PREFIX = 64  # an IPv6 client: one line or host
GROUP_PREFIX = 56  # an IPv6 group: one subscriber's delegated prefix (a /56 on most lines)
BLOCK_PREFIX = 48  # an IPv6 block: a tunnel broker's whole allocation, or a carrier's pool of subscribers
IPV4_NETWORK_PREFIX = 24  # an IPv4 network, for the handoff queue's unverified rows


@lru_cache(maxsize=1)
def _key() -> bytes:
    configured = os.environ.get("WEB_SESSION_SECRET", "")
    secret = configured.encode() if configured else secrets.token_bytes(32)
    return hmac.new(secret, _LABEL, hashlib.sha256).digest()


def client_ref(kind: str, value: str | None) -> str | None:
    """The opaque reference of a client (`kind` "line-user" or "address"); None when it is unknown."""
    if not value:
        return None
    if kind == "address":
        client, network = _address_group(value), _network(value)
        group, block = _address_group(value, GROUP_PREFIX), _address_group(value, BLOCK_PREFIX)
    else:
        client = group = block = network = value
    # 4 + 23 + 1 + 10 + 1 + 12 + 1 + 12 = 64 characters: the handoffs table's client_ref column.
    levels = f"{_digest(kind, block, 12)}:{_digest(kind, group, 12)}"
    return f"cr1_{_digest(kind, client, 23)}.{_digest(kind, network, 10)}.{levels}"


def address_client(address: str) -> str:
    """The client an address stands for (an IPv6 address: its /64), for every per-client budget keyed on
    addresses in the clear, such as bot_server/rate_limit.py's messages per minute."""
    return _address_group(address)


def block_and_group(ref: str) -> tuple[str, str]:
    """The block and group parts of a client reference: a reference without a block is its own block
    (older references carried one level, the /48), one without a group its own group."""
    levels = ref.rpartition(".")[2] or ref
    block, _, group = levels.partition(":")
    return block, group or block


def group_of(ref: str) -> str:
    """The group part of a client reference (an IPv6 /56, an IPv4 address, a LINE user)."""
    return block_and_group(ref)[1]


def block_of(ref: str) -> str:
    """The block part of a client reference (an IPv6 /48, else the group)."""
    return block_and_group(ref)[0]


def network_of(ref: str) -> str | None:
    """The network part of a client reference (None for a reference without one)."""
    parts = ref.split(".")
    return parts[1] if len(parts) == 3 and parts[1] else None


def _network(address: str) -> str:
    """An address's network: an IPv4 address's /24, otherwise its block (an IPv6 /48)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ipaddress.IPv4Network((ip, IPV4_NETWORK_PREFIX), strict=False))
    return _address_group(address, BLOCK_PREFIX)


def _digest(kind: str, value: str, chars: int) -> str:
    return hmac.new(_key(), f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()[:chars]


def _address_group(address: str, ipv6_prefix: int = CLIENT_PREFIX) -> str:
    """The client (or group, or block) an address stands for: an IPv4 address itself, an IPv6 address its
    /64 network (its /56 for the group, its /48 for the block)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # a zone index (fe80::1%eth0) names no client
    except ValueError:
        return address  # not an address (a test name, a proxy's label): taken as it is
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, ipv6_prefix), strict=False))
    return str(ip)


def with_client_ref(metadata: Any, kind: str, value: str | None) -> dict[str, Any]:
    """The message metadata with the channel's `client_ref` (a client-sent one is dropped)."""
    result = {k: v for k, v in metadata.items() if k != METADATA_KEY} if isinstance(metadata, dict) else {}
    ref = client_ref(kind, value)
    if ref:
        result[METADATA_KEY] = ref
    return result


def from_metadata(metadata: Any) -> str | None:
    """The `client_ref` of a message's metadata (the action server's side)."""
    value = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and value else None
