"""The issues app's part of a person's data (forum.personal_data): the issues they raised or
support, and the votes they took part in (that they voted, never how: ballots carry no link)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Registration
from forum.personal_data import PersonalData, Rows, local
from forum.services.people import by_address, person_addresses

from ..models import Issue, IssueSupport, VoterRecord


def _export(user: Any) -> Rows:
    addresses = person_addresses(user)
    rows: Rows = []
    for issue in Issue.objects.filter(raised_by=user).select_related("meeting").order_by("created_at", "pk"):
        rows.append({_("What"): _("An issue you raised"), _("Issue"): issue.text,
                     _("Meeting"): issue.meeting.title if issue.meeting else "", _("Status"): issue.status_label,
                     _("Show anonymously"): _("Yes") if issue.anonymous else _("No"),
                     _("Created"): local(issue.created_at)})
    for support in IssueSupport.objects.filter(person=user).select_related("issue").order_by("created_at", "pk"):
        rows.append({_("What"): _("An issue you support"), _("Issue"): support.issue.text,
                     _("Created"): local(support.created_at)})
    registrations = Registration.objects.filter(
        Q(attendee=user) | by_address("attendee_email", addresses) | by_address("contact_email", addresses))
    for record in (VoterRecord.objects.filter(registration__in=registrations).select_related("vote")
                   .order_by("vote__pk")):
        rows.append({_("What"): _("A vote you took part in (how you voted is not stored with your name)"),
                     _("Vote"): record.vote.title, _("Paper ballot"): _("Yes") if record.paper else _("No")})
    return rows


def _erase(user: Any, now: dt.datetime) -> int:
    """An issue stays with its text and history (the forum's record of what was raised and what
    became of it), no longer tied to the person. Every support they gave stays counted, without
    the person: one given through a registration keeps it (anonymised by the events app), one
    given by the person alone names nobody afterwards."""
    changed = Issue.objects.filter(raised_by=user).update(raised_by=None)
    changed += IssueSupport.objects.filter(person=user).update(person=None)
    return changed


PERSONAL_DATA = PersonalData(key="issues", title=gettext_lazy("Issues and votes"),
                             export=_export, erase=_erase, order=20)
