"""The rate limiters against a real Redis: shared by every Rasa server, sliding, failing open."""

from __future__ import annotations

import asyncio

import redis
import redis.asyncio as aioredis

from bot_server.rate_limit import MemoryLimiter, RedisLimiter, make_limiter

WINDOW = 60.0
T0 = 1_800_000_000.0  # a window boundary (divisible by 60)


def limiter(port: int, limit: int = 3, prefix: str = "ratelimit:test:") -> RedisLimiter:
    return RedisLimiter(limit, aioredis.Redis(port=port, db=5, socket_timeout=1), WINDOW, prefix)


async def hits(lim: MemoryLimiter, key: str, times: list[float]) -> list[bool]:
    return [(await lim.hit(key, now=t))[0] for t in times]


def test_the_limit_is_shared_by_all_servers(redis_port: int, redis_client: redis.Redis) -> None:
    async def scenario() -> list[bool]:
        server_a, server_b = limiter(redis_port), limiter(redis_port)
        verdicts = []
        for i in range(5):
            verdicts += await hits(server_a if i % 2 else server_b, "web:abc", [T0 + i])
        return verdicts

    assert asyncio.run(scenario()) == [True, True, True, False, False]


def test_conversations_and_clients_are_counted_apart(redis_port: int, redis_client: redis.Redis) -> None:
    async def scenario() -> tuple[list[bool], list[bool]]:
        lim = limiter(redis_port, limit=2)
        first = await hits(lim, "rest:a", [T0, T0 + 1, T0 + 2])
        other = await hits(lim, "rest:b", [T0 + 3])
        return first, other

    first, other = asyncio.run(scenario())
    assert first == [True, True, False] and other == [True]


def test_the_window_slides(redis_port: int, redis_client: redis.Redis) -> None:
    """Three hits at the end of one window still weigh early in the next, and fade out."""

    async def scenario() -> tuple[bool, bool, bool]:
        lim = limiter(redis_port)
        await hits(lim, "line:U1", [T0 + 57, T0 + 58, T0 + 59])
        early = (await lim.hit("line:U1", now=T0 + WINDOW + 1))[0]  # 1 + 3 * 59/60 > 3
        late = (await lim.hit("line:U1", now=T0 + WINDOW + 50))[0]  # 2 + 3 * 10/60 = 2.5
        gone = (await lim.hit("line:U1", now=T0 + 3 * WINDOW))[0]
        return early, late, gone

    assert asyncio.run(scenario()) == (False, True, True)


def test_counters_expire_with_the_window(redis_port: int, redis_client: redis.Redis) -> None:
    asyncio.run(limiter(redis_port).hit("web:ttl", now=T0))
    [key] = redis_client.keys("ratelimit:test:web:ttl:*")
    assert 0 < redis_client.ttl(key) <= 2 * WINDOW + 1


def test_an_unreachable_redis_fails_open_but_still_limits_per_process(redis_port: int) -> None:
    async def scenario() -> list[bool]:
        with_socket_closed = RedisLimiter(
            2, aioredis.Redis(port=1, socket_connect_timeout=0.2, socket_timeout=0.2), WINDOW
        )
        return await hits(with_socket_closed, "web:x", [T0, T0 + 1, T0 + 2])

    assert asyncio.run(scenario()) == [True, True, False]


def test_settings_choose_redis_and_keep_the_limits_apart(redis_port: int, redis_client: redis.Redis) -> None:
    env = {"RATE_LIMIT_BACKEND": "redis", "LOCK_STORE_PORT": str(redis_port), "RATE_LIMIT_REDIS_DB": "5"}
    per_conversation = make_limiter({**env, "RATE_LIMIT_PER_MINUTE": "1"})
    per_client = make_limiter({**env, "RATE_LIMIT_PER_CLIENT_PER_MINUTE": "5"}, "RATE_LIMIT_PER_CLIENT_PER_MINUTE", 120)
    assert isinstance(per_conversation, RedisLimiter) and isinstance(per_client, RedisLimiter)

    async def scenario() -> tuple[list[bool], list[bool]]:
        return await hits(per_conversation, "k", [T0, T0 + 1]), await hits(per_client, "k", [T0, T0 + 1])

    assert asyncio.run(scenario()) == ([True, False], [True, True])
