"""Reminders before something happens, sent once per row: the machinery shared by theme
meetings and network meetings.

A row to remind about carries one timestamp per reminder window (``reminded_7_at``,
``reminded_1_at``). :func:`send_due` finds the rows whose start falls inside a window and
whose stamp is empty, locks each row, stamps it and lets the caller queue its mail in the same
transaction: a second run (or a late one) sends nothing twice, and a row rolled back sends
nothing at all.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import models, transaction
from django.utils import timezone

# (days before, the row's stamp): a week before and the day before.
WINDOWS: tuple[tuple[int, str], ...] = ((7, "reminded_7_at"), (1, "reminded_1_at"))


def send_due(
    *,
    queryset: models.QuerySet,
    starts_path: str,
    send: Callable[[models.Model, int, int], None],
    now: dt.datetime | None = None,
) -> int:
    """For each window, queue the reminders due: rows of ``queryset`` whose start (the field
    path ``starts_path``, e.g. ``"meeting__starts_at"``) lies in the window, not yet stamped.
    ``send(row, days_left, window)`` queues the mail (days left by the calendar in the portal's
    time zone, as the reader counts them; ``window`` the reminder's days before, 7 or 1) and
    records it in the audit. A row due for the one-day reminder skips the seven-day
    one. Returns how many reminders were queued. Side effects: the stamps and whatever
    ``send`` writes, one transaction per row."""
    now = now or timezone.now()
    sent = 0
    for days, field in WINDOWS:
        due = queryset.filter(**{
            f"{starts_path}__gt": now, f"{starts_path}__lte": now + dt.timedelta(days=days), f"{field}__isnull": True,
        }).values_list("pk", flat=True)
        for pk in list(due):
            with transaction.atomic():
                row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
                if row is None or getattr(row, field) is not None:
                    continue  # no longer due (cancelled meanwhile) or stamped by another run
                starts_at = _follow(row, starts_path)
                if days == 7 and starts_at <= now + dt.timedelta(days=1):
                    # A one-day reminder makes the seven-day one pointless if both are due.
                    setattr(row, field, now)
                    row.save(update_fields=[field])
                    continue
                setattr(row, field, now)
                row.save(update_fields=[field])
                send(row, (timezone.localdate(starts_at) - timezone.localdate(now)).days, days)
                sent += 1
    return sent


def _follow(row: models.Model, path: str):
    value = row
    for hop in path.split("__"):
        value = getattr(value, hop)
    return value
