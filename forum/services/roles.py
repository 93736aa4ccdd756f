"""Roles in a forum, and the admin access that comes with the coordinator role."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from ..models import (
    Forum,
    ForumRole,
    Organisation,
    Role,
)
from .audit import audit_record

logger = logging.getLogger(__name__)

class RoleError(ValueError):
    """A role grant that breaks the rules (message is user-facing and translated)."""


def role_grant(
    *, actor: Any | None, forum: Forum, user: Any, role: str, partner_organisation: Organisation | None = None
) -> ForumRole:
    """Give ``user`` a role in ``forum``; idempotent. The caller has checked
    :func:`forum.permissions.can_manage_roles`. Side effects: a ForumRole and an audit row;
    for a coordinator also admin access (staff status and the coordinators' group, see
    :mod:`forum.admin_access`), with an audit row of its own when that changed anything."""
    from django.utils.translation import gettext as _

    if role not in Role.values:
        raise RoleError(_("Unknown role."))
    if role == Role.PARTNER_NOMINATOR:
        if partner_organisation is None or partner_organisation.kind != Organisation.Kind.PARTNER:
            raise RoleError(_("A partner nominator must be tied to a partner organisation."))
    else:
        partner_organisation = None
    with transaction.atomic():
        # Grants and revocations of one person's roles take turns (see role_revoke).
        locked = _lock_user(user)
        forum_role, created = ForumRole.objects.get_or_create(
            forum=forum,
            user=user,
            role=role,
            partner_organisation=partner_organisation,
            defaults={"granted_by": actor if getattr(actor, "is_authenticated", False) else None},
        )
        if created:
            audit_record(
                actor=actor,
                action="forum.role_grant",
                target=forum_role,
                forum=forum,
                data={"user": user.pk, "role": role, "partner": getattr(partner_organisation, "pk", None)},
            )
        if role == Role.COORDINATOR:
            # Also when the role already existed: it repairs access lost by hand.
            _admin_access_grant(actor=actor, forum=forum, user=locked)
            user.is_staff = locked.is_staff  # the caller's copy of the person, too
    return forum_role


def role_revoke(*, actor: Any, forum_role: ForumRole) -> None:
    """Remove a role. The caller has checked :func:`forum.permissions.can_manage_roles`.
    Side effects: the deletion and an audit row; when it was the person's last coordinator
    role, their admin access goes too (see :func:`_admin_access_revoke`)."""
    with transaction.atomic():
        user = _lock_user(forum_role.user)
        audit_record(
            actor=actor,
            action="forum.role_revoke",
            target=forum_role,
            forum=forum_role.forum,
            data={"user": forum_role.user_id, "role": forum_role.role},
        )
        forum_role.delete()
        if (
            forum_role.role == Role.COORDINATOR
            and not ForumRole.objects.filter(user=user, role=Role.COORDINATOR).exists()
        ):
            _admin_access_revoke(actor=actor, forum=forum_role.forum, user=user)


def _lock_user(user: Any) -> Any:
    """Lock the person's row for the rest of the transaction and return it fresh, so that two
    requests changing their roles at once cannot both miss the other's change (for example
    two revocations of their last two coordinator roles each leaving them admin access)."""
    return type(user).objects.select_for_update().get(pk=user.pk)


def _admin_access_grant(*, actor: Any | None, forum: Forum, user: Any) -> None:
    """Make a coordinator staff and a member of the coordinators' group (what the admin needs
    to show them their forum). Side effects: the user row, the group link and an audit row,
    only if something changed."""
    from ..admin_access import ensure_coordinator_group

    group = ensure_coordinator_group()
    changed = []
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        changed.append("is_staff")
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changed.append("group")
    if changed:
        audit_record(actor=actor, action="forum.admin_access_grant", target=user, forum=forum,
                     data={"user": user.pk, "group": group.name, "changed": changed})


def _admin_access_revoke(*, actor: Any, forum: Forum, user: Any) -> None:
    """Take the coordinators' group from someone who no longer coordinates any forum, and
    staff status too unless it has another reason: they are the portal administrator, or a
    member of another group, or hold permissions of their own (given by hand). Side effects:
    the user row, the group link and an audit row, only if something changed."""
    from django.contrib.auth.models import Group

    from ..admin_access import COORDINATOR_GROUP

    changed = []
    group = Group.objects.filter(name=COORDINATOR_GROUP).first()
    if group is not None and user.groups.filter(pk=group.pk).exists():
        user.groups.remove(group)
        changed.append("group")
    keeps_staff = user.is_superuser or user.groups.exists() or user.user_permissions.exists()
    if user.is_staff and not keeps_staff:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        changed.append("is_staff")
    if changed:
        audit_record(actor=actor, action="forum.admin_access_revoke", target=user, forum=forum,
                     data={"user": user.pk, "group": COORDINATOR_GROUP, "changed": changed})
