"""Nominations: partner organisations propose companies for their pool; a coordinator decides."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from forum.models import Organisation
from forum.services import audit_record

from ..models import Meeting, Nomination, SeatPool
from .base import BookingError
from .invitations import invitation_create
from .seats import _check_eligible


# --- Nominations ------------------------------------------------------------------------
def nomination_create(
    *, actor: Any, pool: SeatPool, company: Organisation, contact_email: str, contact_name: str = "",
    motivation: str = "",
) -> Nomination:
    """A partner nominator proposes a company for their own pool, up to the pool's size.
    The caller has checked :func:`events.permissions.can_nominate`."""
    with transaction.atomic():
        pool = SeatPool.objects.select_for_update().select_related("meeting").get(pk=pool.pk)
        if not pool.meeting.is_public:
            raise BookingError(_("The meeting is not published."))
        if pool.meeting.status in (Meeting.Status.HELD, Meeting.Status.DOCUMENTED):
            raise BookingError(_("The meeting has already been held."))
        if pool.kind != SeatPool.Kind.PARTNER_PICK:
            raise BookingError(_("Companies are nominated only into partner pools."))
        if company.kind != Organisation.Kind.COMPANY:
            raise BookingError(_("Only companies can be nominated."))
        _check_eligible(pool, company)
        live = pool.nominations.exclude(status=Nomination.Status.REJECTED).count()
        if live >= pool.size:
            raise BookingError(
                _("The pool is full: %(size)d companies have already been nominated.") % {"size": pool.size}
            )
        if pool.nominations.filter(company=company).exists():
            raise BookingError(_("%(name)s has already been nominated to this pool.") % {"name": company.name})
        nomination = Nomination.objects.create(pool=pool, company=company, contact_email=contact_email,
                                               contact_name=contact_name, motivation=motivation, nominated_by=actor)
        audit_record(actor=actor, action="nomination.create", target=nomination, forum=pool.meeting.forum)
    return nomination


def nomination_decide(*, actor: Any, nomination: Nomination, approve: bool) -> Nomination:
    """A coordinator approves (which sends the invitation) or rejects a nomination."""
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status != Nomination.Status.PENDING:
            raise BookingError(_("The nomination has already been decided."))
        nomination.status = Nomination.Status.APPROVED if approve else Nomination.Status.REJECTED
        nomination.decided_by = actor
        nomination.save()
        if approve:
            invitation_create(actor=actor, pool=nomination.pool, organisation=nomination.company,
                              contact_email=nomination.contact_email, contact_name=nomination.contact_name)
        audit_record(actor=actor, action="nomination.decide", target=nomination, forum=nomination.pool.meeting.forum,
                     data={"approved": approve})
    return nomination
