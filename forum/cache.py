"""The cache: Redis, and the database while Redis cannot be reached.

The portal's cache holds rate-limit counters (allauth's log-in limits, forum.antispam's form
limits) and short locks (forum.recovery). With plain RedisCache every one of those raised a
connection error while Redis was down, so log-in and password reset answered 500 although
everything they need is in PostgreSQL. :class:`RedisWithFallbackCache` catches Redis's
connection errors and timeouts and serves the operation from another cache instead
(``FALLBACK``: an alias in ``CACHES``, a DatabaseCache in forum/settings.py), so the limits
keep counting, in one shared place, through the outage.

The decision (README, "Redis down"): rate limiting keeps working rather than failing open
(brute force unlimited while Redis is away) or closed (nobody can log in). The price: the
counters start again from nothing at the switch, both ways – at most one extra allowance of
each limit per outage. The failure is remembered in this process for
:data:`OUTAGE_SECONDS`, so requests in that time go straight to the database instead of each
waiting for Redis (the socket timeouts in OPTIONS bound the one that finds out), and it is
logged once when it starts, at most once a minute while it lasts, and once when it ends.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

#: How long a process serves from the fallback before trying Redis again (seconds).
OUTAGE_SECONDS = 5.0
#: At most one "still unreachable" line per this many seconds.
LOG_INTERVAL = 60.0


class _Outage:
    """Process-wide state of one Redis server (caches are per thread in Django)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.since: float | None = None
        self.logged_at = 0.0


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class _Client(RedisCacheClient):
    """Django's Redis cache client, with one ``redis.Redis`` object per connection pool.

    Django's builds a new ``redis.Redis`` around the pool for every operation; the object
    holds no connection of its own (each command borrows one from the pool), so the same one
    serves every operation and only the cost of building it (some 0.1 ms) goes away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}  # by pool (Django keeps its pools for good)

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisWithFallbackCache(RedisCache):
    """Django's RedisCache that falls back to the cache named by ``FALLBACK`` while Redis is
    unreachable. Only connection errors and timeouts switch; anything else Redis answers
    (a wrong type, a full memory) is raised as before."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._fallback_alias = params.get("FALLBACK")
        if not self._fallback_alias:
            raise ValueError("RedisWithFallbackCache needs FALLBACK: the alias of another cache")
        self._outage = _outage_of(",".join(self._servers))
        self._class = _Client

    @property
    def fallback(self):
        return caches[self._fallback_alias]

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        import redis

        outage = self._outage
        if time.monotonic() < outage.down_until:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            self._record_failure(error)
            return getattr(self.fallback, name)(*args, **kwargs)
        if outage.since is not None:
            self._record_recovery()
        return result

    def _record_failure(self, error: Exception) -> None:
        outage, now = self._outage, time.monotonic()
        with outage.lock:
            first = outage.since is None
            if first:
                outage.since = now
            outage.down_until = now + OUTAGE_SECONDS
            log = first or now - outage.logged_at >= LOG_INTERVAL
            if log:
                outage.logged_at = now
        if first:
            logger.warning("Redis cache unreachable (%s: %s): rate limits and locks are kept in the database "
                           "until it answers again", type(error).__name__, error)
        elif log:
            logger.warning("Redis cache still unreachable after %.0f s (%s)", now - outage.since, error)

    def _record_recovery(self) -> None:
        outage = self._outage
        with outage.lock:
            since, outage.since = outage.since, None
        if since is not None:
            logger.warning("Redis cache reachable again after %.0f s", time.monotonic() - since)

    # The public methods of Django's cache API (get_or_set, decr and the rest build on these).
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def bump(self, key: str, version: int | None = None) -> int:
        """Add one to the number at ``key``, which starts at 1 when it is missing; returns it.

        One round trip to Redis (INCR), where ``incr`` takes two (it first asks whether the
        key exists, to raise ValueError) and a missing key a third. No expiry is set. While
        Redis is unreachable, the fallback cache does the same in its own way."""
        import redis

        outage = self._outage
        if time.monotonic() >= outage.down_until:
            made = self.make_and_validate_key(key, version=version)
            try:
                value = self._cache.get_client(made, write=True).incr(made)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                self._record_failure(error)
            else:
                if outage.since is not None:
                    self._record_recovery()
                return int(value)
        return bump(self.fallback, key, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")


def bump(cache: Any, key: str, version: int | None = None) -> int:
    """Add one to the number at ``key`` in ``cache``, starting at 1 when it is missing (no
    expiry); returns it. One round trip on :class:`RedisWithFallbackCache`; on any other
    Django cache an increment, and an add when the key is missing (a lost race between two
    adds is retried as an increment)."""
    own = getattr(cache, "bump", None)
    if own is not None:
        return own(key, version=version)
    try:
        return cache.incr(key, version=version)
    except ValueError:
        if cache.add(key, 1, timeout=None, version=version):
            return 1
        return cache.incr(key, version=version)
