"""Django's PostgreSQL backend, with a health check that asks the server only when it has spoken.

With ``CONN_HEALTH_CHECKS`` (forum/settings.py) Django checks a persistent connection before the
first query of every request by sending ``SELECT 1`` – one more round trip per request, on every
page, and PostgreSQL's CPU for a registration is mostly the work of its round trips rather than
of its statements (bench/README.md, issue 14).

A connection the server has closed – PostgreSQL restarted, the backend terminated, an idle
timeout, a pooler's restart – is readable while the portal is not waiting for an answer: the
server's last message and the end of the stream are there to read. A connection with nothing
to read is as usable as a ``SELECT 1`` would show, short of a network that fails without a word
(then ``SELECT 1`` waits for the same timeouts as the request's own first query would). So
:meth:`DatabaseWrapper.is_usable` looks at the socket without waiting and asks the server only
when there is something to read; Django closes an unusable connection and opens a new one, as
before. ``tests/test_db_health.py`` terminates the portal's connections under gunicorn.
"""
from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """False for a closed or broken connection; for an open one, ``SELECT 1`` only if the
        server has sent something since the last answer (Django's check: always). No side
        effects besides that statement."""
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        # poll(), not select(): select() refuses descriptors above 1023, which would turn every
        # check into a reconnection in a process with many files open.
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            quiet = not poller.poll(0)  # hang-ups and errors are reported whatever was asked
        except (OSError, ValueError):  # the descriptor is gone
            return False
        return quiet or super().is_usable()
