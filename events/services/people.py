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


def _export(user: Any) -> Rows:
    addresses = person_addresses(user)
    registrations = (Registration.objects.filter(_theirs(user, addresses))
                     .select_related("meeting", "organisation", "pool").order_by("meeting__starts_at", "pk"))
    return [{
        _("Meeting"): registration.meeting.title, _("Starts"): local(registration.meeting.starts_at),
        _("Organisation"): registration.organisation.name, _("Pool"): registration.pool.name,
        _("Status"): registration.get_status_display(), _("Attendee"): registration.attendee_name,
        _("Attendee's email address"): registration.attendee_email, _("Contact"): registration.contact_name,
        _("Contact's email address"): registration.contact_email, _("Dietary needs"): registration.dietary_needs,
        _("Accessibility needs"): registration.accessibility_needs, _("Consent given"): local(registration.consent_at),
        _("Checked in"): local(registration.checked_in_at), _("Created"): local(registration.created_at),
    } for registration in registrations]


def _erase(user: Any, now: dt.datetime) -> int:
    """A place the person holds at a meeting not yet started is cancelled through the booking
    rule (registration_cancel: the seat goes to the next in line, as if they had cancelled it
    themselves); a colleague's place that only their address was the contact of keeps going to
    the colleague. Then every registration of theirs is anonymised: its row stays for the
    meetings' figures."""
    addresses = person_addresses(user)
    changed = 0
    for registration in Registration.objects.filter(_theirs(user, addresses), status__in=Registration.ACTIVE,
                                                    meeting__starts_at__gt=now):
        attends = (registration.attendee_id == user.pk
                   or registration.attendee_email.lower() in addresses or not registration.attendee_email)
        if attends:
            try:
                registration_cancel(registration_id=registration.pk, user=user, now=now)
            except BookingError:
                # Answered or ended between the read and the lock: anonymised below all the same.
                pass
    for registration in (Registration.objects.select_for_update(of=("self",)).select_related("attendee")
                         .filter(_theirs(user, addresses))):
        if registration.attendee_id not in (None, user.pk) or (
                registration.attendee_email and registration.attendee_email.lower() not in addresses):
            # Someone else's place: only the contact (this person) leaves it; mail about it goes
            # to the attendee (events.services.base.address_of).
            registration.contact_email = registration.attendee_email or registration.attendee.email
            registration.contact_name = ""
            registration.save(update_fields=["contact_email", "contact_name", "updated_at"])
        else:
            registration_anonymise(registration, now)
        changed += 1
    return changed


PERSONAL_DATA = PersonalData(key="events", title=gettext_lazy("Registrations for meetings"),
                             export=_export, erase=_erase, order=10)
