"""Network meetings: invitation with a calendar file, reminders (the shared machinery in
forum/reminders.py), attendance and notes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.calendar import event_ics
from forum import reminders
from forum.mail import site_url
from forum.services import Attachment, audit_record

from ..models import Attendance, Membership, Network, NetworkMeeting
from .common import NetworkError, active_members, language_of, mail_member

ICS_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


def meeting_ics(meeting: NetworkMeeting, *, cancelled: bool = False) -> bytes:
    """The meeting as a calendar file (stable UID, so a re-sent file updates the entry)."""
    url = site_url() + meeting.get_absolute_url()
    parts = [meeting.agenda.strip(), meeting.online_url, _("The meeting's page: %(url)s") % {"url": url}]
    return event_ics(
        uid=f"network-meeting-{meeting.pk}", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        summary=f"{meeting.title} – {meeting.network.title}", url=url, location=meeting.venue or meeting.online_url,
        description="\n\n".join(p for p in parts if p), organiser=meeting.network.forum.name, cancelled=cancelled,
    )


def _mail_with_ics(meeting: NetworkMeeting, membership: Membership, template: str, *, actor: Any = None,
                   cancelled: bool = False, **extra: Any) -> None:
    with translation.override(language_of(membership.person)):
        ics = meeting_ics(meeting, cancelled=cancelled)
    mail_member(membership, template, actor=actor, meeting=meeting,
                meeting_url=site_url() + meeting.get_absolute_url(),
                attachments=[Attachment("natverkstraff.ics", ICS_TYPE, ics)], **extra)


def meeting_create(
    *, actor: Any, network: Network, title: str, starts_at: dt.datetime, ends_at: dt.datetime, venue: str = "",
    online_url: str = "", agenda: str = "", now: dt.datetime | None = None,
) -> NetworkMeeting:
    """Plan a network meeting and invite every active member by mail with a calendar file.
    Process leaders of the network. Refused (NetworkError, naming the field) without a title,
    venue or link, when it ends before it starts, and when it starts at or before ``now`` (the
    clock, or the demo's own time): a meeting is planned ahead, and its invitations would
    otherwise ask members to a meeting that has passed."""
    if not title.strip():
        raise NetworkError(_("Write the meeting's title."), field="title")
    if starts_at <= (now or timezone.now()):
        raise NetworkError(_("The start has already passed. A network meeting is planned for a time later than "
                             "now."), field="starts_at")
    if ends_at <= starts_at:
        raise NetworkError(_("The meeting must end after it starts."), field="ends_at")
    if not (venue.strip() or online_url.strip()):
        raise NetworkError(_("Give the venue or the online link."), field="venue")
    if network.status == Network.Status.CLOSED:
        raise NetworkError(_("The network is closed."))
    with transaction.atomic():
        meeting = NetworkMeeting.objects.create(
            network=network, title=title.strip(), starts_at=starts_at, ends_at=ends_at, venue=venue.strip(),
            online_url=online_url.strip(), agenda=agenda.strip(), created_by=actor,
        )
        for membership in active_members(network).select_related("network__forum"):
            _mail_with_ics(meeting, membership, "networks/meeting_invitation", actor=actor)
        audit_record(actor=actor, action="network.meeting_create", target=meeting, forum=network.forum)
    return meeting


def meeting_cancel(*, actor: Any, meeting: NetworkMeeting, now: dt.datetime | None = None) -> NetworkMeeting:
    """Cancel a planned meeting; the members get mail with a calendar file that removes it.
    Refused once it has started (``now``: the clock): mail saying "cancelled" about a meeting
    that has taken place would be wrong. Process leaders of the network."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = NetworkMeeting.objects.select_for_update(of=("self",)).select_related(
            "network__forum").get(pk=meeting.pk)
        if meeting.status != NetworkMeeting.Status.PLANNED:
            raise NetworkError(_("Only a planned meeting can be cancelled."))
        if meeting.starts_at <= now:
            raise NetworkError(_("The meeting has already started, so it can no longer be cancelled. Record "
                                 "attendance and notes instead."))
        meeting.status = NetworkMeeting.Status.CANCELLED
        meeting.save(update_fields=["status"])
        for membership in active_members(meeting.network):
            _mail_with_ics(meeting, membership, "networks/meeting_cancelled", actor=actor, cancelled=True)
        audit_record(actor=actor, action="network.meeting_cancel", target=meeting, forum=meeting.network.forum)
    return meeting


def members_on_the_day(meeting: NetworkMeeting):
    """The memberships that can be marked present at ``meeting``: the network's periods that
    ran on the meeting's day (members now who had joined by then, and those who have left
    since). Someone who joined later was not a member, nor invited, that day."""
    day = timezone.localdate(meeting.starts_at)
    return meeting.network.memberships.filter(
        Q(status=Membership.Status.ACTIVE) | Q(status=Membership.Status.ENDED, ended_on__gte=day),
        started_on__lte=day)


def meeting_record(
    *, actor: Any, meeting: NetworkMeeting, notes: str, present: Iterable[Membership],
    now: dt.datetime | None = None,
) -> NetworkMeeting:
    """After the meeting: who came (from :func:`members_on_the_day`) and the notes; the
    meeting is held. Can be corrected later. Process leaders of the network."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = NetworkMeeting.objects.select_for_update(of=("self",)).select_related(
            "network__forum").get(pk=meeting.pk)
        if meeting.status == NetworkMeeting.Status.CANCELLED:
            raise NetworkError(_("The meeting was cancelled."))
        if meeting.starts_at > now:
            raise NetworkError(_("Attendance and notes are recorded after the meeting has started."))
        present_ids = {m.pk for m in present}
        if members_on_the_day(meeting).filter(pk__in=present_ids).count() != len(present_ids):
            raise NetworkError(_("Only those who were members of the network on the day of the meeting can be "
                                 "marked present."), field="present")
        meeting.notes = notes.strip()
        meeting.status = NetworkMeeting.Status.HELD
        meeting.save(update_fields=["notes", "status"])
        meeting.attendance.exclude(membership_id__in=present_ids).delete()
        for membership_id in present_ids:
            Attendance.objects.update_or_create(meeting=meeting, membership_id=membership_id,
                                                defaults={"present": True})
        audit_record(actor=actor, action="network.meeting_record", target=meeting, forum=meeting.network.forum,
                     data={"present": len(present_ids)})
    return meeting


def meeting_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Periodic: remind the active members a week and a day before each planned meeting,
    once per meeting and window (forum.reminders). Returns the meetings reminded about."""

    def send(meeting: NetworkMeeting, days_left: int, window: int) -> None:
        for membership in active_members(meeting.network).select_related("network__forum"):
            _mail_with_ics(meeting, membership, "networks/meeting_reminder", days_left=days_left)
        audit_record(actor=None, action="network.meeting_remind", target=meeting, forum=meeting.network.forum,
                     data={"days": window})

    queryset = NetworkMeeting.objects.filter(status=NetworkMeeting.Status.PLANNED).select_related("network__forum")
    return reminders.send_due(queryset=queryset, starts_path="starts_at", send=send, now=now)
