"""Handing tasks to Celery's broker (Redis) from a request, bounded in time and never raising.

The database row is the truth (an outbox message, an invitation batch); the task only says
"work on it now". So when the broker cannot be reached the request answers as usual, the row
waits, and a periodic job (or a worker's start, forum.recovery) hands it over later.

What a plain ``task.apply_async(retry=False)`` did while Redis was down: ``retry=False``
only switches off kombu's retry of the *publish*; getting a connection first goes through
``Connection.default_channel``, which retries for ``broker_connection_timeout`` (4 s) with
2 s sleeps in between – about 6 s per task, 18 s for a request that queued three mails.
:func:`publish` instead makes one connection attempt (bounded by the transport's
``socket_connect_timeout``, settings.CELERY_BROKER_TRANSPORT_OPTIONS) and, when that fails,
remembers the outage in this process for :data:`OUTAGE_SECONDS`: the next publishes – the
rest of this request's and those of the next requests – give up at once instead of each
waiting again. After that the next publish tries again, so the process notices by itself that
the broker is back.

Not bounded here: resolving the broker's host name. A resolver that does not answer blocks
for its own timeout (``options timeout:`` in resolv.conf, 5 s by default, per attempt) once
per outage period per process; name the broker by address or in /etc/hosts where that matters
(README, Production).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

#: How long a process skips the broker after failing to reach it (seconds).
OUTAGE_SECONDS = 10.0

_lock = threading.Lock()
_down_until = 0.0  # time.monotonic() until which the broker counts as down in this process
_failed_since: float | None = None  # set while an outage lasts: the recovery is logged once


def available() -> bool:
    """False while this process remembers a failed attempt to reach the broker."""
    return time.monotonic() >= _down_until


def _record_failure(error: BaseException) -> None:
    global _down_until, _failed_since
    with _lock:
        first = _failed_since is None
        if first:
            _failed_since = time.monotonic()
        _down_until = time.monotonic() + OUTAGE_SECONDS
    # Once per outage at warning level (with the error), then quietly: a long outage must not
    # fill the log with one line per request.
    if first:
        logger.warning("Celery broker unreachable (%s: %s); tasks wait for the sweep. Retrying every %ss.",
                       type(error).__name__, error, OUTAGE_SECONDS)
    else:
        logger.info("Celery broker still unreachable (%s)", error)


def _record_success() -> bool:
    """Forget an outage. True if there was one (the caller may then ask for a sweep)."""
    global _down_until, _failed_since
    with _lock:
        had_outage = _failed_since is not None
        since = _failed_since
        _failed_since = None
        _down_until = 0.0
    if had_outage:
        logger.warning("Celery broker reachable again after %.0f s", time.monotonic() - since)
    return had_outage


def reset() -> None:
    """Forget any remembered outage (for tests and after a process forks)."""
    global _down_until, _failed_since
    with _lock:
        _down_until, _failed_since = 0.0, None


def publish(task: Any, args_list: Sequence[Sequence[Any]]) -> tuple[int, bool]:
    """Publish ``task`` once for each argument tuple, in order, over one pooled connection.

    Stops at the first failure. Returns ``(published, recovered)``: how many went out (the
    first ``published`` of ``args_list``; the rest have no task and must be left for the
    sweep) and whether this call found the broker back after an outage this process had
    remembered. Never raises; takes at most one connection attempt (or none while an outage
    is remembered).
    """
    if not args_list or not available():
        return 0, False
    app = task.app
    if app.conf.task_always_eager:  # the embedded mode: tasks run here and now
        for args in args_list:
            task.apply_async(args=list(args))
        return len(args_list), False
    published = 0
    try:
        with app.producer_or_acquire() as producer:
            # One attempt: max_retries=0 stops kombu's retry loop (see the module docstring).
            producer.connection.ensure_connection(max_retries=0)
            for args in args_list:
                task.apply_async(args=list(args), producer=producer, retry=False)
                published += 1
    except Exception as error:  # noqa: BLE001 - any broker trouble leaves the rest for the sweep
        _record_failure(error)
        return published, False
    return published, _record_success()
