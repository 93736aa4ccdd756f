"""Outbox rows that did not go out as planned: the periodic sweep (rows whose task was lost,
rows interrupted mid-send) and staff putting failed or interrupted rows back in the queue.
Queueing and delivering are in :mod:`forum.services.outbox`."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import OutboxMessage
from .audit import audit_record
from .outbox import _hand_over

OUTBOX_SWEEP_GRACE = timedelta(minutes=2)
OUTBOX_SENDING_TIMEOUT = timedelta(minutes=15)
INTERRUPTED_NOTE = (
    "Interrupted while sending: the mail server may have accepted it. Not resent automatically, to avoid a "
    "duplicate; look up its Message-ID in the mail server's log before requeueing it."
)


def outbox_sweep(*, now=None, limit: int = 500, grace: timedelta = OUTBOX_SWEEP_GRACE) -> int:
    """Hand queued rows that have no task to the worker, and report rows stuck in ``sending``.

    A queued row is due when the broker never took it (``handover_failed``: at once), or when
    it has waited past its next attempt (or its creation) by ``grace``: its task may have been
    lost (Redis restarted without its data, a worker was killed holding it). The grace spares
    rows whose task is merely waiting in a long queue; a worker that has just (re)connected
    passes ``grace=0`` (forum.tasks.outbox_recover), since a second task for a row is harmless
    (it is skipped). A row still ``sending`` long after its attempt began was interrupted
    mid-send: it becomes ``interrupted`` rather than being resent, because it may already have
    been delivered. Returns the number of rows handed over.
    """
    now = now or timezone.now()
    cutoff = now - grace
    with transaction.atomic():
        stuck = list(OutboxMessage.objects.select_for_update().filter(
            status=OutboxMessage.Status.SENDING, sending_since__lt=now - OUTBOX_SENDING_TIMEOUT
        ).values_list("pk", flat=True))
        if stuck:
            OutboxMessage.objects.filter(pk__in=stuck).update(
                status=OutboxMessage.Status.INTERRUPTED, sending_since=None, last_error=INTERRUPTED_NOTE
            )
            # A bulk write by the clock (no actor): one audit row naming the rows it marked.
            audit_record(actor=None, action="outbox.interrupt_bulk", data={"messages": stuck, "count": len(stuck)})
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED)
        .filter(
            Q(handover_failed=True)
            | Q(next_attempt_at__lt=cutoff)
            | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    handed_over = _hand_over(due)
    if handed_over:
        OutboxMessage.objects.filter(pk__in=due[:handed_over], handover_failed=True).update(handover_failed=False)
    return handed_over


#: The statuses staff may put back in the queue; "interrupted" only after a warning (forum/admin.py).
REQUEUEABLE = (OutboxMessage.Status.FAILED, OutboxMessage.Status.INTERRUPTED)


def outbox_requeue(*, actor: Any, messages: Iterable[OutboxMessage], status: str = OutboxMessage.Status.FAILED) -> int:
    """Put rows of ``status`` (failed, or interrupted: delivery unknown) back in the queue;
    other rows among ``messages`` are left alone. A staff action from the admin, which has
    narrowed ``messages`` to what the actor may see, checked their permission and, for
    interrupted rows, warned that they may already have arrived. Side effects: the rows, an
    audit row each (with the status they had), a task each after commit. Returns how many."""
    if status not in REQUEUEABLE:
        raise ValueError(f"{status!r} rows cannot be requeued")
    chosen = [m for m in messages if m.status == status]
    ids = [m.pk for m in chosen]
    with transaction.atomic():
        count = OutboxMessage.objects.filter(pk__in=ids, status=status).update(
            status=OutboxMessage.Status.QUEUED, next_attempt_at=None, last_error="", handover_failed=False
        )
        for message in chosen:
            # Audited under the mail's forum, so its coordinators see who requeued it.
            audit_record(actor=actor, action="outbox.requeue", forum=message.forum,
                         data={"message": message.pk, "status": status, "message_id": message.message_id})
            transaction.on_commit(lambda mid=message.pk: _hand_over([mid]), robust=True)
    return count
