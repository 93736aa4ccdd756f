"""Every permission decision about forums, roles and organisations, in one place.

Roles are per forum (:class:`forum.models.ForumRole`); the portal administrator is a
superuser and may do everything. A user's roles in a forum are read once per request and
cached on the user object.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Forum, ForumRole, Organisation, Role


def is_portal_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def roles_for(user: Any, forum: Forum) -> frozenset[str]:
    """The role names ``user`` holds in ``forum`` (one query per user and forum per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_forum_roles_cache", {})
    if forum.pk not in cache:
        cache[forum.pk] = frozenset(
            ForumRole.objects.filter(user=user, forum=forum).values_list("role", flat=True)
        )
    return cache[forum.pk]


def _has(user: Any, forum: Forum, *roles: str) -> bool:
    return is_portal_admin(user) or bool(roles_for(user, forum) & set(roles))


def can_view_forum(user: Any, forum: Forum) -> bool:
    """Forums are public."""
    return True


def can_manage_forum(user: Any, forum: Forum) -> bool:
    """Plan years and meetings, pick invitees, route issues, form networks."""
    return _has(user, forum, Role.COORDINATOR)


def can_manage_roles(user: Any, forum: Forum) -> bool:
    """Grant and revoke roles in the forum."""
    return _has(user, forum, Role.COORDINATOR)


def can_communicate(user: Any, forum: Forum) -> bool:
    """Publish news and send newsletters."""
    return _has(user, forum, Role.COORDINATOR, Role.COMMUNICATOR)


def can_nominate_for(user: Any, forum: Forum, partner_organisation: Organisation) -> bool:
    """Nominate companies into the pool of ``partner_organisation``: only that partner's
    own nominators (coordinators invite directly instead of nominating)."""
    if not getattr(user, "is_authenticated", False) or partner_organisation.kind != Organisation.Kind.PARTNER:
        return False
    if Role.PARTNER_NOMINATOR not in roles_for(user, forum):
        return False
    return ForumRole.objects.filter(
        user=user, forum=forum, role=Role.PARTNER_NOMINATOR, partner_organisation=partner_organisation
    ).exists()


def can_facilitate(user: Any, forum: Forum) -> bool:
    """Run a meeting on the day: check-in, keying in issues, opening and closing votes."""
    return _has(user, forum, Role.COORDINATOR, Role.FACILITATOR)


def can_view_research_data(user: Any, forum: Forum) -> bool:
    """Read pseudonymised exports and aggregates."""
    return _has(user, forum, Role.COORDINATOR, Role.RESEARCHER)


def can_view_personal_data(user: Any, forum: Forum) -> bool:
    """See names and contact details of participants. Researchers never do."""
    return _has(user, forum, Role.COORDINATOR, Role.COMMUNICATOR, Role.FACILITATOR)


def has_any_role(user: Any, forum: Forum) -> bool:
    return is_portal_admin(user) or bool(roles_for(user, forum))


def forum_for(user: Any, slug: str, check) -> Forum:
    """Fetch a forum by slug and apply ``check(user, forum)`` in one call.

    Raises Http404 for an unknown forum, PermissionDenied when the check fails.
    """
    forum = Forum.objects.filter(slug=slug).first()
    if forum is None:
        raise Http404
    if not check(user, forum):
        raise PermissionDenied
    return forum
