"""Free loopback ports: the one place devstack, deploy, the tests and the benchmarks get them from."""

from __future__ import annotations

import socket
from collections.abc import Iterable

HOST = "127.0.0.1"


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            return True
        except OSError:
            return False


def accepts_connections(port: int, host: str = HOST, timeout: float = 1.0) -> bool:
    """True when something listens on the port (a health check for servers without an HTTP probe)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_ports(count: int, host: str = HOST) -> list[int]:
    """`count` distinct ports the system has just handed out (all bound at once, so never the same twice)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((host, 0))
            sockets.append(sock)
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port(host: str = HOST) -> int:
    return free_ports(1, host)[0]


def free_block(offsets: Iterable[int], start: int = 17000, stop: int = 30000, step: int = 50) -> int:
    """The first base port from `start` with every `base + offset` free (layouts like the scaled mode's)."""
    offsets = list(offsets)
    for base in range(start, stop, step):
        if all(port_is_free(base + offset) for offset in offsets):
            return base
    raise RuntimeError(f"no free block of ports between {start} and {stop}")
