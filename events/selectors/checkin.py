"""Reads for check-in at the door: codes and the search."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ..models import Meeting, Registration

# --- checkin selectors
# The check-in code's alphabet (see events.models._new_code): no 0/O, 1/I to misread at the door.
CHECKIN_CODE_LENGTH = 6


def normalise_code(text: str) -> str:
    """What was typed, as a code would be stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -")


def looks_like_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == CHECKIN_CODE_LENGTH and code.isalnum() and " " not in text.strip()


def registration_by_code(meeting: Meeting, text: str) -> Registration | None:
    """The meeting's registration with this check-in code, whatever its status (one query)."""
    return meeting.registrations.select_related("organisation").filter(code=normalise_code(text)).first()


def checkin_search(meeting: Meeting, text: str = "") -> QuerySet[Registration]:
    """Confirmed registrations whose attendee, contact, company, email or code matches every
    word of ``text`` (all of them when empty), ordered by company and name (one query)."""
    rows = meeting.registrations.filter(status=Registration.Status.CONFIRMED).select_related("organisation")
    for word in text.split():
        rows = rows.filter(
            Q(attendee_name__icontains=word) | Q(contact_name__icontains=word)
            | Q(attendee_email__icontains=word) | Q(contact_email__icontains=word)
            | Q(organisation__name__icontains=word) | Q(code__iexact=word)
        )
    return rows.order_by("organisation__name", "attendee_name", "pk")


def checkin_counts(meeting: Meeting) -> tuple[int, int]:
    """(checked in, confirmed) for "N of M checked in" (one query)."""
    counts = meeting.registrations.filter(status=Registration.Status.CONFIRMED).aggregate(
        confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return counts["checked_in"], counts["confirmed"]
# --- end checkin selectors
