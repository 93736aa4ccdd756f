"""kombu's Redis transport, with one client object per channel for its short commands.

kombu's Redis channel wraps every short command – the LPUSH of each published task among
them – in ``conn_or_acquire()``, which builds a new ``redis.Redis`` object around the
channel's connection pool each time. The pool, and so the TCP connection, is reused; only the
client object is new, and redis-py's ``Redis.__init__`` (its response callbacks, its
options) cost about as much as the LPUSH itself: some 4 % of a registration's CPU in the
portal's workers (bench/README.md, issue 14).

:class:`Channel` keeps the client object it built and hands it out again for as long as the
channel keeps the same pool. A ``redis.Redis`` object holds no connection of its own (each
command takes one from the pool and returns it), so sharing it changes nothing else: a lost
connection is replaced by the pool as before, and a channel that drops its pool (closing,
reconnecting) gets a new client with the new pool.

forum/settings.py names :class:`Transport` as Celery's ``broker_transport`` for plain
``redis://`` broker URLs only; other schemes (``rediss://``, sockets, sentinel) keep kombu's
own transport, which reads its options from the scheme.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    """kombu's Redis channel, reusing one client object for the commands it runs itself."""

    _short_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        """The given client, else this channel's own, built once per connection pool."""
        if client:
            yield client
            return
        own = self._short_client
        if own is None or own.connection_pool is not self.pool:
            own = self._short_client = self._create_client()
        yield own


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with :class:`Channel`."""

    Channel = Channel
