"""Reads of the forum-wide domain. Each list runs a fixed number of queries."""
from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Count, Prefetch, QuerySet

from .models import Affiliation, FocusArea, Forum, ForumRole, Organisation, OutboxMessage


def forum_list() -> QuerySet[Forum]:
    """All forums with their focus areas (two queries)."""
    return Forum.objects.prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position"))
    ).order_by("municipality", "name")


def portal_organisers() -> list[str]:
    """Who stands behind the portal, as the accessibility statement names them: each forum's
    city as its mail is signed (``forum.mail.city_name``: the organiser, e.g. "Malmö stad"),
    in the forums' order and without repeats; empty when there is no forum. One query."""
    from .mail import city_name

    names: list[str] = []
    for forum in Forum.objects.only("organiser", "municipality").order_by("municipality", "name"):
        name = city_name(forum)
        if name and name not in names:
            names.append(name)
    return names


def forum_roles(forum: Forum) -> QuerySet[ForumRole]:
    """The roles of a forum with people and partner organisations (one query)."""
    return (
        ForumRole.objects.filter(forum=forum)
        .select_related("user", "partner_organisation", "granted_by")
        .order_by("role", "user__last_name", "user__first_name", "user__email")
    )


def partner_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER).order_by("name")


def user_affiliations(user: Any) -> QuerySet[Affiliation]:
    """A person's organisations (one query)."""
    return Affiliation.objects.filter(person=user).select_related("organisation").order_by("organisation__name")


def organisation_by_orgnr(organisationsnummer: str) -> Organisation | None:
    return Organisation.objects.filter(organisationsnummer=organisationsnummer).first()


def organisation_counts() -> dict[str, int]:
    """Number of registered organisations per kind (one query)."""
    return dict(Organisation.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))


def is_verified_email_of(user: Any, email: str) -> bool:
    """Whether ``email`` is an address the logged-in ``user`` has verified (allauth)."""
    if not getattr(user, "is_authenticated", False) or not email:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def mail_needing_a_person(forum: Forum) -> dict[str, int]:
    """How many emails about ``forum`` need a person, for the coordinators' to-do page: those
    the outbox gave up on (failed) and those interrupted mid-send, whose delivery is unknown
    (the admin requeues either). One query."""
    Status = OutboxMessage.Status
    # Only the rows of the two statuses (a range of the index outbox_forum_status), not every
    # mail of the forum's years filtered while counting (36 ms at 100,000 rows).
    counts = dict(OutboxMessage.objects.filter(forum=forum, status__in=[Status.FAILED, Status.INTERRUPTED])
                  .order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"failed": counts.get(Status.FAILED, 0), "interrupted": counts.get(Status.INTERRUPTED, 0)}


def mail_status(messages: QuerySet[OutboxMessage]) -> dict[str, int]:
    """The mail of a bulk send by outbox status, as staff read it: ``queued`` (waiting or being
    sent), ``sent``, ``failed`` (not delivered) and ``unknown`` (interrupted: delivery
    unknown), and their ``total``. One query."""
    counts = dict(messages.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    status = {
        "queued": counts.get(OutboxMessage.Status.QUEUED, 0) + counts.get(OutboxMessage.Status.SENDING, 0),
        "sent": counts.get(OutboxMessage.Status.SENT, 0),
        "failed": counts.get(OutboxMessage.Status.FAILED, 0),
        "unknown": counts.get(OutboxMessage.Status.INTERRUPTED, 0),
    }
    status["total"] = sum(status.values())
    return status
