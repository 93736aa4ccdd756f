"""The portal's session store: Django's database sessions, with the read that every signed-in
request makes compiled once (``SESSION_ENGINE = "forum.sessions"``).

Same table, same rows, same rules as ``django.contrib.sessions.backends.db`` (a session past
its expiry date is no session; writes, cycling and logout are Django's own code). Only
``_get_session_from_db`` differs: building and compiling that one query through the ORM took
about two thirds of its CPU on every request (1.0 ms against 0.4 ms on the benchmark machine,
issue 14), so it is a :class:`forum.statements.Statement`. Cached or signed-cookie sessions
would save more but were rejected: a logout must end the session on the server, even while
Redis is down.
"""
from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.base_session import AbstractBaseSession
from django.utils import timezone

from .statements import Param, Statement


class SessionStore(db.SessionStore):
    """Database sessions (see the module docstring). No side effects beyond Django's."""

    _data = Statement(lambda: SessionStore.get_model_class()._default_manager.filter(
        session_key=Param("key"), expire_date__gt=Param("now")).values_list("session_data"))

    def _validate_session_key(self, key: str | None) -> bool:
        """Django's rule (at least 8 characters) and only the characters Django makes keys of:
        a hostile cookie (say a NUL byte, which PostgreSQL refuses in text) is no session – a
        new one is started – instead of a server error on every page."""
        return bool(super()._validate_session_key(key)) and all(char in VALID_KEY_CHARS for char in key)

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        """The unexpired session row of this key (only its data is read), or None – and then,
        as Django's store does, the key is forgotten so that a new session gets a new one."""
        rows = self._data(key=self.session_key, now=timezone.now()) if self.session_key else []
        if not rows:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=rows[0][0])
