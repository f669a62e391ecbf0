"""Web resume tokens with the registry in Redis (several Rasa servers): rotated once, revoked for all
(channels/session_tokens.py)."""

from __future__ import annotations

import asyncio

import redis

from channels.session_tokens import RedisRegistry, SessionTokens


def test_two_servers_share_rotation_and_revocation(redis_port: int, redis_client: redis.Redis) -> None:
    async def scenario() -> None:
        url = f"redis://127.0.0.1:{redis_port}/5"
        one, two = (SessionTokens(b"shared-secret", registry=RedisRegistry(url)) for _ in range(2))
        first = await one.issue("abc")
        # the same token used on two servers at once: one resume wins, the other gets nothing
        results = await asyncio.gather(one.resume("abc", first), two.resume("abc", first))
        assert sum(r is not None for r in results) == 1
        current = next(r for r in results if r)
        assert await one.resume("abc", first) is None
        await two.revoke("abc")
        assert await one.resume("abc", current) is None
        ttl = redis_client.ttl(RedisRegistry.PREFIX + "abc")
        assert ttl == -2  # gone
        other = await one.issue("def")
        assert 0 < redis_client.ttl(RedisRegistry.PREFIX + "def") <= one.ttl and other

    asyncio.run(scenario())


def test_an_unreachable_registry_gives_a_fresh_session_not_an_error() -> None:
    async def scenario() -> None:
        tokens = SessionTokens(b"s", registry=RedisRegistry("redis://127.0.0.1:9/0"))
        token = await tokens.issue("abc")
        assert await tokens.resume("abc", token) is None
        await tokens.revoke("abc")

    asyncio.run(scenario())


def test_the_registry_password_may_live_apart_from_the_url(redis_port: int) -> None:
    async def scenario() -> None:
        registry = RedisRegistry(f"redis://127.0.0.1:{redis_port}/5", password="not-needed-here")
        assert registry.client.connection_pool.connection_kwargs["password"] == "not-needed-here"

    asyncio.run(scenario())


def test_every_server_learns_which_socket_spoke_for_a_session(redis_port: int) -> None:
    """Review N3: a resume on one server names the socket that held the session on another, so that
    socket can be disconnected there (channels/socketio.py)."""

    async def scenario() -> None:
        url = f"redis://127.0.0.1:{redis_port}/5"
        one, two = (SessionTokens(b"shared-secret", registry=RedisRegistry(url)) for _ in range(2))
        assert await one.bind_socket("ghi", "sid-on-one") is None
        assert await two.bind_socket("ghi", "sid-on-two") == "sid-on-one"
        assert await two.bind_socket("ghi", "sid-on-two") is None  # the same socket again
        assert await one.bind_socket("ghi", None) == "sid-on-two"  # the session ended
        assert await two.bind_socket("ghi", None) is None

    asyncio.run(scenario())


def test_a_closed_socket_unbinds_only_itself(redis_port: int) -> None:
    """Review 3, N3 leftover: a socket that disconnects is unbound, but not the socket that resumed its
    session on another server meanwhile."""

    async def scenario() -> None:
        url = f"redis://127.0.0.1:{redis_port}/5"
        one, two = (SessionTokens(b"shared-secret", registry=RedisRegistry(url)) for _ in range(2))
        await one.bind_socket("jkl", "sid-on-one")
        await two.bind_socket("jkl", "sid-on-two")  # resumed on server two
        await one.unbind_socket("jkl", "sid-on-one")  # the old socket's disconnect: leaves two's binding
        assert await one.bind_socket("jkl", "sid-on-one") == "sid-on-two"
        await one.unbind_socket("jkl", "sid-on-one")
        assert await two.bind_socket("jkl", None) is None  # nothing was left bound

    asyncio.run(scenario())
