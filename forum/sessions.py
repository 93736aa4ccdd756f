"""The portal's session store: Django's database sessions, with the read that every signed-in
request makes written out as SQL once per process (``SESSION_ENGINE = "forum.sessions"``).

Same table, same rows, same rules as ``django.contrib.sessions.backends.db`` (a session past
its expiry date is no session; writes, cycling and logout are Django's own code). Only
``_get_session_from_db`` differs: building and compiling that one query through the ORM took
about two thirds of its CPU on every request (1.0 ms against 0.4 ms on the benchmark machine,
issue 14). Cached or signed-cookie sessions would save more but were rejected: a logout must
end the session even while Redis is down, and must end it on the server.
"""
from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connections, router
from django.utils import timezone


@cache
def _load_statement(model: type[AbstractBaseSession], alias: str) -> str:
    """The read, from the session model's own table and column names, quoted by the backend."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    return (
        f"SELECT {quote(meta.get_field('session_data').column)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('expire_date').column)} > %s"
    )


class SessionStore(db.SessionStore):
    """Database sessions (see the module docstring). No side effects beyond Django's."""

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        """The unexpired session row of this key (only its data is read), or None – and then,
        as Django's store does, the key is forgotten so that a new session gets a new one."""
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(
                _load_statement(model, alias),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
