"""Invitations: personal links by mail, bulk invitations (a Celery task works through them),
answering, and expiry at the answer-by date."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import broker
from forum.models import Forum, Organisation, OutboxMessage
from forum.services import audit_record, outbox_requeue

# events.tasks imports this package at its top: import the module (not a name from it), so
# whichever of the two is imported first, the task is looked up when a batch is queued.
from .. import tasks
from ..models import InvitationBatch, Meeting, Registration, SeatPool
from .base import BookingError, _mail
from .deadlines import invitation_deadline
from .seats import _check_eligible, _confirm, _has_claim, _lock, _lock_for, _offer_free_seats, _take, _wait


# --- Invitations ------------------------------------------------------------------------
def invitation_create(
    *, actor: Any, pool: SeatPool, organisation: Organisation, contact_email: str, contact_name: str = "",
    now: dt.datetime | None = None, send_group: str = "",
) -> Registration:
    """Invite a company (or a department's participant) through a pool: a personal link by
    mail that works without a password, valid until the answer-by date. Coordinators only
    (partner pools: through an approved nomination). ``send_group``: the bulk invitation the
    mail is part of (:func:`invitation_batch_step`)."""
    now = now or timezone.now()
    with transaction.atomic():
        seats = _lock(pool.meeting_id)
        meeting = seats.meeting
        if meeting.status in (Meeting.Status.HELD, Meeting.Status.DOCUMENTED):
            raise BookingError(_("The meeting has already been held."))
        if pool.meeting_id != meeting.pk:
            raise BookingError(_("The pool belongs to another meeting."))
        if not meeting.is_public:
            # The mail would show a meeting that only its managers may see yet.
            raise BookingError(_("Publish the meeting before you invite anyone to it."))
        _check_eligible(pool, organisation)
        if _has_claim(meeting, organisation, contact_email):
            raise BookingError(
                _("%(name)s is already invited or registered for this meeting.") % {"name": organisation.name}
            )
        expires_at = invitation_deadline(meeting, now)
        registration = Registration.objects.create(
            meeting=meeting, pool=pool, organisation=organisation, source=Registration.Source.INVITATION,
            status=Registration.Status.INVITED, contact_email=contact_email, contact_name=contact_name,
            expires_at=expires_at, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="registration.invite", target=registration, forum=meeting.forum)
        _mail(registration, "events/invitation", actor=actor, send_group=send_group)
    return registration


def invitation_batch_create(*, actor: Any, pool: SeatPool, items: list[dict]) -> InvitationBatch:
    """Queue a bulk invitation; a Celery task works through it after commit."""
    if not pool.meeting.is_public:
        raise BookingError(_("Publish the meeting before you invite anyone to it."))
    with transaction.atomic():
        batch = InvitationBatch.objects.create(meeting=pool.meeting, pool=pool, items=items, total=len(items),
                                               created_by=actor)
        audit_record(actor=actor, action="registration.invite_bulk", target=batch, forum=pool.meeting.forum,
                     data={"count": len(items)})
        # Bounded and never raising (forum.broker): if Redis is down the request still answers
        # at once, and a worker's recovery or invitation_batches_resume picks the batch up.
        transaction.on_commit(lambda: broker.publish(tasks.invitation_batch_run, [(batch.pk,)]), robust=True)
    return batch


def invitation_batches_resume(*, now: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Periodic: enqueue unfinished bulk invitations whose task was lost (older than
    ``grace``; a worker that has just connected passes 0, events.tasks). Running a batch
    twice at once is safe: each step locks the batch row and takes the next item by index."""
    now = now or timezone.now()
    stale = list(InvitationBatch.objects.exclude(status=InvitationBatch.Status.DONE).filter(
        created_at__lt=now - grace
    ).values_list("pk", flat=True))
    for batch_id in stale:
        tasks.invitation_batch_run.delay(batch_id)
    return len(stale)


def invitation_batch_step(batch_id: int) -> bool:
    """Invite the next company of a batch; returns False when the batch is done. Each step
    is its own transaction, so progress is visible while it runs and a re-run continues
    where it stopped."""
    with transaction.atomic():
        batch = InvitationBatch.objects.select_for_update().get(pk=batch_id)
        if batch.done >= batch.total:
            if batch.status != InvitationBatch.Status.DONE:
                batch.status = InvitationBatch.Status.DONE
                batch.save(update_fields=["status"])
            return False
        item = batch.items[batch.done]
        organisation = Organisation.objects.get(pk=item["organisation"])
        try:
            with transaction.atomic():
                invitation_create(actor=batch.created_by, pool=batch.pool, organisation=organisation,
                                  contact_email=item["email"], contact_name=item.get("name", ""),
                                  send_group=batch.send_group)
        except BookingError as error:
            batch.skipped = [*batch.skipped, {"organisation": organisation.name, "reason": str(error)}]
        batch.done += 1
        batch.status = InvitationBatch.Status.RUNNING if batch.done < batch.total else InvitationBatch.Status.DONE
        batch.save(update_fields=["done", "status", "skipped"])
        if batch.status == InvitationBatch.Status.DONE:
            # Each invitation has its own audit row; this one says the batch is through, with what it skipped.
            audit_record(actor=batch.created_by, action="registration.invite_bulk_done", target=batch,
                         forum=batch.pool.meeting.forum, data={"count": batch.total, "skipped": len(batch.skipped)})
        return batch.done < batch.total


def invitation_batch_retry_failed(*, actor: Any, batch: InvitationBatch) -> int:
    """Put the batch's invitation mails that failed (the mail server refused them, or every
    attempt failed) back in the queue. Mail whose delivery is unknown is left for staff to
    check in the administration first: it may have arrived. The caller has checked that the
    actor manages the meeting. Side effects: see :func:`forum.services.outbox_requeue`, and
    an audit row for the batch. Returns how many."""
    failed = OutboxMessage.objects.filter(send_group=batch.send_group, status=OutboxMessage.Status.FAILED)
    with transaction.atomic():
        count = outbox_requeue(actor=actor, messages=list(failed))
        if count:
            audit_record(actor=actor, action="registration.invite_bulk_retry", target=batch,
                         forum=batch.meeting.forum, data={"requeued": count})
    return count


def _expire_invitation(registration: Registration, now: dt.datetime) -> bool:
    """Under the meeting lock: record an unanswered invitation past its answer-by date as
    expired (with an audit row). True if it was. The caller lets its transaction commit
    before refusing the answer, so the expiry is kept, not rolled back with the error."""
    if registration.effective_status(now) != Registration.Status.EXPIRED or \
            registration.status == Registration.Status.EXPIRED:
        return False
    registration.status = Registration.Status.EXPIRED
    registration.save(update_fields=["status", "updated_at"])
    audit_record(actor=None, action="registration.expire", target=registration, forum=registration.meeting.forum)
    return True


def invitation_expire(*, registration_id: int, now: dt.datetime | None = None) -> bool:
    """Record an unanswered invitation past its answer-by date as expired, now rather than
    when the periodic task comes round (an answer arrived late: the personal link page calls
    this before refusing it). Idempotent; True if it expired the invitation just now."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_for(registration_id)
        registration = Registration.objects.select_for_update().select_related("meeting__forum").get(pk=registration_id)
        return _expire_invitation(registration, now)


def _check_answerable(registration: Registration) -> None:
    if registration.status == Registration.Status.EXPIRED:
        raise BookingError(_("The invitation has expired."))
    if registration.status != Registration.Status.INVITED:
        raise BookingError(_("The invitation has already been answered."))


def invitation_accept(
    *, registration_id: int, attendee_name: str, attendee_email: str, dietary_needs: str = "",
    accessibility_needs: str = "", consent: bool, user: Any = None, now: dt.datetime | None = None,
) -> Registration:
    """Accept an invitation from its personal link. Gets a seat in the invitation's pool (or
    a released one); if none is free the company joins the waiting list. The caller has
    checked the token. Side effects: confirmation mail with a calendar file, or a waiting-list mail."""
    now = now or timezone.now()
    if not consent:
        raise BookingError(_("You must consent to the handling of your details to attend."))
    with transaction.atomic():
        seats = _lock_for(registration_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        # Decided from the clock: a late answer finds the invitation expired, and that is
        # recorded (this transaction commits) before the answer is refused below.
        expired = _expire_invitation(registration, now)
        if not expired:
            _check_answerable(registration)
            registration.attendee_name = attendee_name
            registration.attendee_email = attendee_email
            registration.dietary_needs = dietary_needs
            registration.accessibility_needs = accessibility_needs
            registration.consent_at = now
            if getattr(user, "is_authenticated", False):
                registration.attendee = user
            # Those already waiting get first pick of what is free; then the invitee.
            _offer_free_seats(seats, now)
            seat = seats.seat_for(registration.pool, now)
            if seat is None:
                _wait(registration, now, user)
            else:
                _take(seats, registration, seat)
                _confirm(registration, now, user)
            audit_record(actor=user, action="registration.accept", target=registration, forum=seats.meeting.forum,
                         data={"status": registration.status})
    if expired:
        raise BookingError(_("The invitation has expired."))
    return registration


def invitation_decline(*, registration_id: int, user: Any = None, now: dt.datetime | None = None) -> Registration:
    """Decline an invitation from its personal link."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_for(registration_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        expired = _expire_invitation(registration, now)
        if not expired:
            _check_answerable(registration)
            registration.status = Registration.Status.DECLINED
            registration.save()
            audit_record(actor=user, action="registration.decline", target=registration,
                         forum=registration.meeting.forum)
    if expired:
        raise BookingError(_("The invitation has expired."))
    return registration


def invitations_expire(*, now: dt.datetime | None = None) -> int:
    """Mark unanswered invitations past their answer-by date as expired (periodic). Side
    effect: one audit event per forum naming the registrations expired."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(Registration.objects.select_for_update().filter(
            Registration.expired_invitation_q(now)
        ).values_list("pk", "meeting__forum_id"))
        if not due:
            return 0
        Registration.objects.filter(pk__in=[pk for pk, _forum in due]).update(
            status=Registration.Status.EXPIRED, updated_at=now
        )
        # One audit row per forum for the bulk write, naming the registrations it expired
        # (by the clock: no actor).
        by_forum: dict[int, list[int]] = {}
        for pk, forum_id in due:
            by_forum.setdefault(forum_id, []).append(pk)
        forums = Forum.objects.in_bulk(list(by_forum))
        for forum_id, ids in by_forum.items():
            audit_record(actor=None, action="registration.expire_bulk", forum=forums[forum_id],
                         data={"registrations": ids, "count": len(ids)})
    return len(due)
