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

A session is kept only while mail keeps coming: one left unused for ``IDLE_CLOSE_SECONDS``
is closed (QUIT) by a small background thread of the process, so an idle worker holds no
connection to the mail server and a burst (a newsletter) still goes out over a few.
"""
from __future__ import annotations

import logging
import os
import select
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
#: A session unused this long is closed (a burst keeps it busy; an idle worker holds none).
IDLE_CLOSE_SECONDS = 1.0

_local = threading.local()
# Every thread's session, for the thread that closes idle ones; guarded by _lock. A session
# is "busy" from connection() until sent() or discard(): never closed under its sender.
_sessions: dict[int, dict] = {}
_lock = threading.Lock()
_reaper: threading.Thread | None = None
_reaper_pid: int | None = None


def _forget_after_fork() -> None:
    """A forked child (a Celery pool process) starts with no session and a fresh lock: the
    parent's sockets are not its own, and a lock held by a parent thread would never open."""
    global _local, _lock, _sessions, _reaper
    _local = threading.local()
    _lock = threading.Lock()
    _sessions = {}
    _reaper = None


os.register_at_fork(after_in_child=_forget_after_fork)


def _reap_idle() -> None:
    """Close sessions unused for IDLE_CLOSE_SECONDS (the background thread's loop)."""
    while True:
        time.sleep(IDLE_CLOSE_SECONDS / 2)
        now = time.monotonic()
        with _lock:
            idle = [ident for ident, state in _sessions.items()
                    if not state["busy"] and now - state["used_at"] >= IDLE_CLOSE_SECONDS]
            closing = [_sessions.pop(ident) for ident in idle]
            for state in closing:
                state["closed"] = True
        for state in closing:
            _close(state)


def _ensure_reaper() -> None:
    """Start the closing thread once per process (again in a forked worker child)."""
    global _reaper, _reaper_pid
    with _lock:
        if _reaper is not None and _reaper_pid == os.getpid() and _reaper.is_alive():
            return
        _reaper_pid = os.getpid()
        _reaper = threading.Thread(target=_reap_idle, name="smtp-idle-close", daemon=True)
        _reaper.start()


def _close(state: dict) -> None:
    try:
        state["backend"].close()
    except Exception:  # noqa: BLE001 - closing a broken session may fail in many ways; it is gone either way
        logger.debug("closing the SMTP connection failed", exc_info=True)


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


def _ended_by_server(backend: Any) -> bool:
    """True when the server has ended the backend's SMTP session, found without a round trip.

    Between mails the server has nothing to say, so an idle session's socket is never readable
    while the session lives; after the server closed it (a restart, an idle timeout, a 421 on
    its way out) it is – the end of the connection or the last words before it. One poll()
    that does not wait. A false alarm only costs a fresh session. Backends without a session
    (console, memory) never are."""
    session = getattr(backend, "connection", None)
    if session is None:
        return False
    sock = getattr(session, "sock", None)
    if sock is None:
        return True
    try:
        poller = select.poll()  # not select(): a worker's descriptor may be above 1023
        poller.register(sock.fileno(), select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


def connection() -> Any:
    """The calling thread's open mail backend, reused when it can be (see the module); opens a
    new one otherwise. Raises what opening raises (the caller treats it as a failed attempt).
    Side effect: may open or close a network connection."""
    _ensure_reaper()
    key = _settings_key()
    with _lock:
        state = getattr(_local, "state", None)
        if state is not None and state.get("closed"):
            state = _local.state = None  # closed for idleness meanwhile
        if state is not None:
            state["busy"] = True  # from here on the closing thread leaves it alone
    if state is not None:
        stale = (
            state["key"] != key
            or state["count"] >= MAX_MESSAGES
            or _ended_by_server(state["backend"])
            or (time.monotonic() - state["used_at"] > IDLE_CHECK_SECONDS and not _alive(state["backend"]))
        )
        if stale:
            discard()
            state = None
    if state is None:
        backend = get_connection(fail_silently=False)
        backend.open()  # the backend keeps a session it opened itself until close()
        state = {"backend": backend, "key": key, "count": 0, "used_at": time.monotonic(), "busy": True,
                 "closed": False}
        _local.state = state
        with _lock:
            _sessions[threading.get_ident()] = state
    return state["backend"]


def sent() -> None:
    """The mail went out over this thread's connection: count it and note the time."""
    state = getattr(_local, "state", None)
    if state is not None:
        with _lock:
            state["count"] += 1
            state["used_at"] = time.monotonic()
            state["busy"] = False


def discard() -> None:
    """Close this thread's connection (after a failure, or when stale); never raises."""
    state = getattr(_local, "state", None)
    _local.state = None
    if state is None:
        return
    with _lock:
        if _sessions.get(threading.get_ident()) is state:
            del _sessions[threading.get_ident()]
        already = state.get("closed", False)
        state["closed"] = True
    if not already:
        _close(state)
