"""The events app's part of a person's data (forum.personal_data): their registrations."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum.personal_data import PersonalData, Rows, local
from forum.services.people import by_address, person_addresses

from ..models import Registration
from .base import BookingError
from .retention import registration_anonymise
from .seats import registration_cancel


def _theirs(user: Any, addresses: list[str]) -> Q:
    """Registrations the person attends, or that were made or sent to one of their addresses."""
    return Q(attendee=user) | by_address("attendee_email", addresses) | by_address("contact_email", addresses)


def _attends(registration: Registration, user: Any, addresses: list[str]) -> bool:
    """Whether the person is the one who attends on ``registration``: the attendee's address is
    theirs, or no attendee is named and they are the contact or the account that answered. (The
    account that answered is ``attendee`` even when it named a colleague to attend.)"""
    if registration.attendee_email:
        return registration.attendee_email.lower() in addresses
    return registration.attendee_id == user.pk or registration.contact_email.lower() in addresses


def _export(user: Any) -> Rows:
    """Their registrations; a colleague's place they only registered or answered for is listed
    without the colleague's name, address and needs (the colleague's data, not theirs)."""
    addresses = person_addresses(user)
    registrations = (Registration.objects.filter(_theirs(user, addresses))
                     .select_related("meeting", "organisation", "pool").order_by("meeting__starts_at", "pk"))
    rows: Rows = []
    for registration in registrations:
        row = {
            _("Meeting"): registration.meeting.title, _("Starts"): local(registration.meeting.starts_at),
            _("Organisation"): registration.organisation.name, _("Pool"): registration.pool.name,
            _("Status"): registration.get_status_display(), _("Contact"): registration.contact_name,
            _("Contact's email address"): registration.contact_email, _("Created"): local(registration.created_at),
        }
        if _attends(registration, user, addresses):
            row.update({
                _("Attendee"): registration.attendee_name, _("Attendee's email address"): registration.attendee_email,
                _("Dietary needs"): registration.dietary_needs,
                _("Accessibility needs"): registration.accessibility_needs,
                _("Consent given"): local(registration.consent_at), _("Checked in"): local(registration.checked_in_at),
            })
        else:
            row[_("Attendee")] = _("a colleague you registered")
        rows.append(row)
    return rows


def _erase(user: Any, now: dt.datetime) -> int:
    """A place the person attends at a meeting not yet started is cancelled through the booking
    rule (registration_cancel: the seat goes to the next in line, as if they had cancelled it
    themselves); a colleague's place they only registered or answered for keeps going to the
    colleague, who becomes its contact. Then every registration the person attends on is
    anonymised: its row stays for the meetings' figures."""
    addresses = person_addresses(user)
    changed = 0
    for registration in Registration.objects.filter(_theirs(user, addresses), status__in=Registration.ACTIVE,
                                                    meeting__starts_at__gt=now):
        if _attends(registration, user, addresses):
            try:
                registration_cancel(registration_id=registration.pk, user=user, now=now)
            except BookingError:
                # Answered or ended between the read and the lock: anonymised below all the same.
                pass
    for registration in Registration.objects.select_for_update(of=("self",)).filter(_theirs(user, addresses)):
        if _attends(registration, user, addresses):
            registration_anonymise(registration, now)
        else:
            # Someone else's place: only the person leaves it; mail about it goes to the
            # attendee (events.services.base.address_of), who is now its contact too.
            if registration.contact_email.lower() in addresses:
                registration.contact_email = registration.attendee_email
                registration.contact_name = registration.attendee_name
            if registration.attendee_id == user.pk:
                registration.attendee = None
            registration.save(update_fields=["contact_email", "contact_name", "attendee", "updated_at"])
        changed += 1
    return changed


PERSONAL_DATA = PersonalData(key="events", title=gettext_lazy("Registrations for meetings"),
                             export=_export, erase=_erase, order=10)
