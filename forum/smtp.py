"""One mail server connection per worker thread, reused from one outbox row to the next.

Opening an SMTP session (TCP, greeting, EHLO, maybe STARTTLS and AUTH) costs more than sending
a short mail over it, so a worker sending a newsletter to thousands would spend most of its
time shaking hands. :func:`connection` hands the calling thread the connection it used last
(Django's mail backend, already open) as long as the mail settings are the same; a connection
idle for a while is checked with NOOP first, since mail servers close idle sessions, and one
that has carried ``MAX_MESSAGES`` mails is replaced (servers limit mails per session).

Whoever sends over it reports the outcome: :func:`sent` after success, :func:`discard` after
any failure (the session may be half-way through a transaction; the next mail gets a fresh
one). The connection never decides whether a row is sent: that stays with the outbox
(forum.services.outbox_deliver), which locks the row and sends it at most once.
"""
from __future__ import annotations

import logging
import smtplib
import threading
import time
from typing import Any

from django.conf import settings
from django.core.mail import get_connection

logger = logging.getLogger(__name__)

#: A connection unused for longer than this is checked with NOOP before it carries a mail.
IDLE_CHECK_SECONDS = 5.0
#: Mails per session before a fresh one (Postfix's default limit is 100 recipients per
#: message, and many servers cap messages per session at a few hundred).
MAX_MESSAGES = 200

_local = threading.local()


def _settings_key() -> tuple:
    """What the connection was opened with: a change (tests, a reconfigured worker) means a new one."""
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
             "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "EMAIL_SSL_CERTFILE", "EMAIL_SSL_KEYFILE")
    return tuple(getattr(settings, name, None) for name in names)


def _alive(backend: Any) -> bool:
    """True when the backend's SMTP session still answers (backends without one always are)."""
    session = getattr(backend, "connection", None)
    if session is None:
        return not hasattr(backend, "connection")  # an SMTP backend that has no session: not usable
    try:
        return session.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


def connection() -> Any:
    """The calling thread's open mail backend, reused when it can be (see the module); opens a
    new one otherwise. Raises what opening raises (the caller treats it as a failed attempt).
    Side effect: may open or close a network connection."""
    state = getattr(_local, "state", None)
    key = _settings_key()
    if state is not None:
        stale = (
            state["key"] != key
            or state["count"] >= MAX_MESSAGES
            or (time.monotonic() - state["used_at"] > IDLE_CHECK_SECONDS and not _alive(state["backend"]))
        )
        if stale:
            discard()
            state = None
    if state is None:
        backend = get_connection(fail_silently=False)
        backend.open()  # the backend keeps a session it opened itself until close()
        state = {"backend": backend, "key": key, "count": 0, "used_at": time.monotonic()}
        _local.state = state
    return state["backend"]


def sent() -> None:
    """The mail went out over this thread's connection: count it and note the time."""
    state = getattr(_local, "state", None)
    if state is not None:
        state["count"] += 1
        state["used_at"] = time.monotonic()


def discard() -> None:
    """Close this thread's connection (after a failure, or when stale); never raises."""
    state = getattr(_local, "state", None)
    _local.state = None
    if state is None:
        return
    try:
        state["backend"].close()
    except Exception:  # noqa: BLE001 - closing a broken session may fail in many ways; it is gone either way
        logger.debug("closing the SMTP connection failed", exc_info=True)
