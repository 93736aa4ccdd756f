"""Capture: raising an issue at a meeting and supporting one ("me too")."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from events.models import Meeting, Registration
from forum.services import audit_record

from ..models import Issue, IssueEvent, IssueSupport
from .base import IssueError

# --- Capture ----------------------------------------------------------------------------
# A participant raises at most this many issues at one meeting (per registration, whether
# logged in or by the personal link): plenty for a meeting, and no way to flood its issues.
# Issues keyed in by facilitators and coordinators from table notes are not counted.
ISSUES_PER_REGISTRATION = 20


def issue_create(
    *, actor: Any, meeting: Meeting, text: str, side: str, focus_area=None, anonymous: bool = False,
    registration: Registration | None = None, keyed_in: bool = False, organisation=None,
) -> Issue:
    """Raise an issue at a meeting: by a participant (logged in, or by ``registration`` from
    their personal link) or keyed in by a facilitator (``keyed_in``) from table notes.
    The caller has checked :func:`issues.permissions.can_raise` or ``can_key_in``. Refused
    (IssueError) once the registration has raised :data:`ISSUES_PER_REGISTRATION` issues at
    the meeting; keyed-in issues have no such limit."""
    text = text.strip()
    if not text:
        raise IssueError(_("Write the issue."))
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if registration is not None and not keyed_in:
            # The registration's row is locked so two posts at once cannot both pass the count.
            Registration.objects.select_for_update().filter(pk=registration.pk).first()
            raised = Issue.objects.filter(meeting=meeting, raised_by_registration=registration).count()
            if raised >= ISSUES_PER_REGISTRATION:
                raise IssueError(_("You have already raised %(count)d issues at this meeting, which is as many as "
                                   "one participant can raise. Support an issue that is already there, or ask "
                                   "the facilitator at your table to add yours.") % {"count": raised})
        issue = Issue.objects.create(
            forum=meeting.forum, meeting=meeting, text=text, side=side, focus_area=focus_area, anonymous=anonymous,
            raised_by=None if keyed_in else (user or (registration.attendee if registration else None)),
            raised_by_registration=None if keyed_in else registration,
            organisation=organisation or (registration.organisation if registration and not keyed_in else None),
            keyed_in_by=user if keyed_in else None,
        )
        IssueEvent.objects.create(issue=issue, kind=IssueEvent.Kind.CREATED, actor=user,
                                  changes={"text": [None, text]})
        audit_record(actor=user, action="issue.key_in" if keyed_in else "issue.create", target=issue,
                     forum=meeting.forum, data={"registration": registration.pk} if registration else None)
    return issue


def raised_by(issue: Issue, *, person: Any = None, registration: Registration | None = None) -> bool:
    """Whether ``person`` (an account) or ``registration`` (a personal link) raised ``issue``:
    then they count once, as its raiser, and not again as a supporter."""
    return bool((person is not None and issue.raised_by_id == person.pk)
                or (registration is not None and issue.raised_by_registration_id == registration.pk))


def issue_support(*, issue: Issue, person: Any = None, registration: Registration | None = None) -> bool:
    """ "Me too". Idempotent; returns True if this was new support (then with an audit event).
    Refused (IssueError) for the issue's own raiser: support counts the others."""
    person = person if getattr(person, "is_authenticated", False) else None
    if person is None and registration is None:
        raise IssueError(_("Log in or use the link in your invitation to support an issue."))
    if issue.status == Issue.Status.MERGED:
        issue = issue.merged_into
    if raised_by(issue, person=person, registration=registration):
        raise IssueError(_("You raised this issue yourself, so it already counts as yours."))
    with transaction.atomic():
        lookup = {"person": person} if person is not None else {"registration": registration}
        _support, created = IssueSupport.objects.get_or_create(issue=issue, **lookup)
        if created:
            # Support by the personal link has no account to name: the registration says who.
            audit_record(actor=person, action="issue.support", target=issue, forum=issue.forum,
                         data=None if person is not None else {"registration": registration.pk})
    return created
