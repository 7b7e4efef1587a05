"""The cache degrades when Redis is unreachable: reads miss, writes are dropped, nothing raises."""

from __future__ import annotations

from herning.core.cache import ResilientRedisCache


def unreachable_cache() -> ResilientRedisCache:
    # Port 9 (discard) is closed here: every command fails to connect.
    return ResilientRedisCache(
        "redis://127.0.0.1:9/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )


def test_reads_miss_and_writes_are_dropped_when_redis_is_down():
    cache = unreachable_cache()
    assert cache.get("x", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("x", 1) is None
    assert cache.add("x", 1) is False
    assert cache.delete("x") is False
    assert cache.has_key("x") is False


def test_the_configured_cache_works_on_the_real_redis():
    from django.core.cache import cache

    cache.set("herning-test-key", {"ok": True}, 10)
    assert cache.get("herning-test-key") == {"ok": True}
    cache.delete("herning-test-key")
