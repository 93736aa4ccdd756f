"""Every permission decision about forums, roles and organisations, in one place.

Roles are per forum (:class:`forum.models.ForumRole`); the portal administrator is a
superuser and may do everything. A user's roles in a forum are read once per request and
cached on the user object.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .models import Forum, ForumRole, Organisation, Role
from .statements import Param, Statement


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


def menu_forums(user: Any) -> list[Forum]:
    """The forums the header menu offers ``user``: those where they hold a role, and every
    forum for the portal administrator (who may act in all of them), by name.

    One query (two for the administrator; none for a signed-in person the request's user read
    found without any role, ``holds_forum_roles``). Fills the :func:`roles_for` cache for these
    forums, so the permission checks of their menu links run no further query.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if getattr(user, "holds_forum_roles", None) is False and not is_portal_admin(user):
        # Read with the user in this request (accounts.models): no role anywhere, no query.
        return []
    forums: dict[int, Forum] = {}
    roles: dict[int, set[str]] = {}
    for forum_role in _ROLES_WITH_FORUMS(user=user.pk):
        forums[forum_role.forum_id] = forum_role.forum
        roles.setdefault(forum_role.forum_id, set()).add(forum_role.role)
    if is_portal_admin(user):
        for forum in Forum.objects.all():
            forums.setdefault(forum.pk, forum)
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_forum_roles_cache", {})
    for pk in forums:
        cache.setdefault(pk, frozenset(roles.get(pk, ())))
    return sorted(forums.values(), key=lambda forum: (forum.name, forum.pk))


# Read on every page a signed-in person opens (issue 14: compiled once, see forum.statements).
_ROLES_WITH_FORUMS = Statement(lambda: ForumRole.objects.filter(user=Param("user")).select_related("forum"))


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


# --- The Django admin ------------------------------------------------------------------
# Each forum is its own world in the admin too. A record belongs to a forum through the path
# its model names in ``FORUM_PATH`` (e.g. ``"meeting__forum"``); models without one (the
# organisation register, people) are portal-wide. The admin shows a record only to the portal
# administrator and to the coordinators of its forum, and only within what Django's own
# permissions already allow (see forum/admin_scope.py).


def coordinated_forum_ids(user: Any) -> frozenset[int]:
    """The ids of the forums where ``user`` is a coordinator (one query per user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if "_coordinated_forums_cache" not in user.__dict__:
        user.__dict__["_coordinated_forums_cache"] = frozenset(
            ForumRole.objects.filter(user=user, role=Role.COORDINATOR).values_list("forum_id", flat=True)
        )
    return user.__dict__["_coordinated_forums_cache"]


def is_forum_scoped(model: type[models.Model]) -> bool:
    """Whether records of ``model`` belong to one forum (the model names a ``FORUM_PATH``)."""
    return bool(getattr(model, "FORUM_PATH", ""))


def may_use_forum_admin(user: Any) -> bool:
    """Whether the forum-scoped parts of the admin can show ``user`` anything at all: the
    portal administrator, and coordinators of at least one forum."""
    return is_portal_admin(user) or bool(coordinated_forum_ids(user))


def admin_scope(queryset: models.QuerySet, user: Any) -> models.QuerySet:
    """Narrow ``queryset`` (of a forum-scoped model) to the records ``user`` may see in the
    admin: everything for the portal administrator, else the records of the forums they
    coordinate. Records without a forum (account mail, portal-wide audit rows) are the
    administrator's only. Models without a ``FORUM_PATH`` are returned unchanged."""
    path = getattr(queryset.model, "FORUM_PATH", "")
    if not path or is_portal_admin(user):
        return queryset
    return queryset.filter(**{f"{path}__in": coordinated_forum_ids(user)})


def forum_id_of(obj: models.Model) -> int | None:
    """The id of the forum ``obj`` belongs to, following its model's ``FORUM_PATH``."""
    *hops, last = type(obj).FORUM_PATH.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    if last == "pk":
        return obj.pk
    return getattr(obj, obj._meta.get_field(last).attname)


def may_reach_in_admin(user: Any, obj: models.Model | None) -> bool:
    """Whether the admin may show ``obj`` (a record of a forum-scoped model) to ``user``;
    with ``obj`` None, whether ``user`` may use that part of the admin at all."""
    if obj is None:
        return may_use_forum_admin(user)
    return is_portal_admin(user) or forum_id_of(obj) in coordinated_forum_ids(user)
