"""The client's address behind trusted proxies: one rule for the Rasa server's rate limits
(bot_server/rate_limit.py) and the console's sign-in throttle (console/auth.py). Standard library only,
so the console can use it without importing Rasa.

The rule, for a request whose peer is a trusted proxy: read X-Forwarded-For (every header line, in
order: a proxy that adds its own line instead of appending must not let the client's line win) from
the right. Each hop was written by the proxy to its right; while that hop is itself a trusted proxy,
step left. The first hop that is not a trusted proxy is the client. A hop no proxy can have seen (not
an IP address, loopback, unspecified, multicast, link-local) is the client's own writing: the client
is then the trusted hop to its right. When every hop is a trusted proxy, the leftmost is the client
(an internal client: trusted proxies wrote every hop). A peer that is not a trusted proxy is the client,
whatever it wrote.

Hops may carry a port ("203.0.113.5:4711", "[2001:db8::1]:4711") and IPv4-mapped IPv6 addresses are
read as IPv4, so neither gives one client many addresses (and many rate-limit buckets).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable, Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK = "127.0.0.1,::1"


def networks(setting: str) -> tuple[Network, ...]:
    """Comma-separated addresses or networks; entries that are neither are ignored."""
    found = []
    for entry in setting.split(","):
        with contextlib.suppress(ValueError):
            if entry.strip():
                found.append(ipaddress.ip_network(entry.strip(), strict=False))
    return tuple(found)


def address(text: str | None) -> Address | None:
    """An IP address from a peer or a forwarded hop (port and brackets removed), or None."""
    text = (text or "").strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_in(ip: Address | None, nets: Iterable[Network]) -> bool:
    return ip is not None and any(ip.version == net.version and ip in net for net in nets)


def _seen_by_a_proxy(ip: Address | None) -> bool:
    return ip is not None and not (ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip.is_link_local)


def _hops(forwarded_for: str | Sequence[str] | None) -> list[str]:
    lines = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for or [])
    return [hop for line in lines for hop in line.split(",") if hop.strip()]


def client_address(peer: str, forwarded_for: str | Sequence[str] | None, trusted: Sequence[Network]) -> str:
    """The client's address by the rule of the module docstring ("unknown" without a peer)."""
    peer_ip = address(peer)
    if peer_ip is None:
        return peer or "unknown"
    if not is_in(peer_ip, trusted):
        return str(peer_ip)
    closest_trusted = peer_ip
    for hop in reversed(_hops(forwarded_for)):
        ip = address(hop)
        if not is_in(ip, trusted) and not _seen_by_a_proxy(ip):
            break  # forged from here leftwards
        if not is_in(ip, trusted):
            return str(ip)
        closest_trusted = ip  # type: ignore[assignment]
    return str(closest_trusted)
