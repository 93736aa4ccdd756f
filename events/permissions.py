"""Every permission decision about meetings, pools, nominations and registrations."""
from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from forum import permissions as forum_permissions
from forum.fields import parse_id
from forum.models import Affiliation, ForumRole, Organisation, Role
from forum.statements import Param, Statement

from .models import Meeting, Registration, SeatPool

# A personal link's token as events.models makes it (secrets.token_urlsafe), within the column.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def can_manage_meetings(user: Any, forum) -> bool:
    """Plan the year, create and edit meetings and pools, invite, approve nominations, see
    the dashboard and the catering list: coordinators (and the portal administrator)."""
    return forum_permissions.can_manage_forum(user, forum)


def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    """Published meetings are public; drafts only for those who manage the forum."""
    return meeting.is_public or can_manage_meetings(user, meeting.forum)


def can_nominate(user: Any, pool: SeatPool) -> bool:
    """A partner nominator nominates only into a partner pool that is theirs: the pool of
    their own partner organisation, or a shared partner pool not split per partner."""
    if pool.kind != SeatPool.Kind.PARTNER_PICK or not getattr(user, "is_authenticated", False):
        return False
    forum = pool.meeting.forum
    if Role.PARTNER_NOMINATOR not in forum_permissions.roles_for(user, forum):
        return False
    partners = ForumRole.objects.filter(user=user, forum=forum, role=Role.PARTNER_NOMINATOR)
    if pool.partner_organisation_id is None:
        return partners.exists()
    return partners.filter(partner_organisation_id=pool.partner_organisation_id).exists()


def nomination_pools(user: Any, meeting: Meeting) -> list[SeatPool]:
    """The partner pools of ``meeting`` that ``user`` may nominate into (and whose
    nominations they may see). Coordinators decide rather than nominate: empty for them
    unless they are nominators too."""
    pools = meeting.pools.filter(kind=SeatPool.Kind.PARTNER_PICK).select_related("meeting__forum")
    return [pool for pool in pools if can_nominate(user, pool)]


def offers_nominations(user: Any, meeting: Meeting) -> bool:
    """Whether the meeting page leads ``user`` to the meeting's nominations: a partner
    nominator with a pool of the published meeting to nominate into. No query for someone
    known to hold no role (most people), one for the roles otherwise (cached per request)."""
    if getattr(user, "holds_forum_roles", None) is False or not meeting.is_public:
        return False
    if Role.PARTNER_NOMINATOR not in forum_permissions.roles_for(user, meeting.forum):
        return False
    return bool(nomination_pools(user, meeting))


def can_view_nominations(user: Any, meeting: Meeting) -> bool:
    """Coordinators see every nomination; a partner nominator those of their own pool(s),
    once the meeting is published (a draft is visible only to those who manage it)."""
    if can_manage_meetings(user, meeting.forum):
        return True
    return meeting.is_public and bool(nomination_pools(user, meeting))


def nomination_pool_for(user: Any, meeting: Meeting, pool_pk: Any) -> SeatPool:
    """Fetch a pool of ``meeting`` and check that ``user`` may nominate into it (404 / 403)."""
    pool_id = parse_id(pool_pk)
    pool = meeting.pools.select_related("meeting__forum").filter(pk=pool_id).first() if pool_id else None
    if pool is None:
        raise Http404
    if not can_nominate(user, pool):
        raise PermissionDenied
    return pool


def can_check_in(user: Any, meeting: Meeting) -> bool:
    """Coordinators; facilitators of the forum or of this meeting once it is published (a
    draft is visible only to those who manage it)."""
    if can_manage_meetings(user, meeting.forum):
        return True
    if not meeting.is_public:
        return False
    if forum_permissions.can_facilitate(user, meeting.forum):
        return True
    return bool(getattr(user, "is_authenticated", False)) and meeting.facilitators.filter(pk=user.pk).exists()


def can_view_diversity(user: Any, forum) -> bool:
    """Aggregated composition of invited and confirmed groups: coordinators."""
    return forum_permissions.can_manage_forum(user, forum)


def represented_companies(user: Any) -> list[Organisation]:
    """The companies a person is a confirmed representative of (one query): those they may
    register in open registration. Departments, partner and non-profit organisations take
    no company seat (:func:`events.services.pool_refusal`)."""
    return [organisation for organisation in represented_organisations(user)
            if organisation.kind == Organisation.Kind.COMPANY]


def represented_organisations(user: Any) -> list[Organisation]:
    """Every organisation a person is a confirmed member or representative of – companies,
    the city's departments, partner and non-profit organisations (one query): whose
    registrations the person sees, as on "My invitations and registrations"
    (:func:`events.selectors.registrations_for_user`)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [affiliation.organisation for affiliation in _REPRESENTED(person=user.pk)]


# Read on every meeting page and registration (issue 14: compiled once, see forum.statements).
_REPRESENTED = Statement(lambda: Affiliation.objects.filter(
    person=Param("person"), confirmed_at__isnull=False,
).select_related("organisation"))


def can_register_for(user: Any, organisation: Organisation) -> bool:
    """Only a confirmed representative registers a company (or a department's participant)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(person=user, organisation=organisation, confirmed_at__isnull=False).exists()


def can_manage_registration(user: Any, registration: Registration) -> bool:
    """The attendee, a confirmed representative of the registered organisation, or a
    coordinator. Nobody else ever sees a company's registration."""
    if not getattr(user, "is_authenticated", False):
        return False
    if registration.attendee_id == user.pk:
        return True
    if can_register_for(user, registration.organisation):
        return True
    return can_manage_meetings(user, registration.meeting.forum)


def meeting_for(user: Any, pk: int, check) -> Meeting:
    """Fetch a meeting and apply ``check(user, meeting)`` in one call (404 / 403)."""
    meeting = _MEETING.first(pk=pk)
    if meeting is None:
        raise Http404
    if not check(user, meeting):
        raise PermissionDenied
    return meeting


_MEETING = Statement(lambda: Meeting.objects.select_related("forum").filter(pk=Param("pk"))[:1])


def meeting_managed_by(user: Any, pk: int) -> Meeting:
    """A meeting the user may manage (coordinator of its forum)."""
    return meeting_for(user, pk, lambda u, m: can_manage_meetings(u, m.forum))


def registration_for(user: Any, pk: int) -> Registration:
    """A registration the user may see and change; another company's gives 404, so its
    existence is not revealed."""
    registration = Registration.objects.select_related("meeting__forum", "organisation", "pool").filter(pk=pk).first()
    if registration is None or not can_manage_registration(user, registration):
        raise Http404
    return registration


def registration_for_token(token: str) -> Registration:
    """The registration behind a personal invitation link. The token is the key (no login):
    an unknown token gives 404, and only that one registration is ever shown."""
    # Only the token alphabet reaches the database (a NUL byte in the path is an error there).
    registration = (
        Registration.objects.select_related("meeting__forum", "organisation", "pool").filter(token=token).first()
        if token and _TOKEN_RE.fullmatch(token) else None
    )
    # A meeting set back to draft is visible only to those who manage it, also by the link.
    if registration is None or not registration.meeting.is_public:
        raise Http404
    return registration
