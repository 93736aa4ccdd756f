"""Who may use the Django admin besides the portal administrator: the coordinators.

Once the admin honours Django's permissions, a coordinator needs both ``is_staff`` and the
permissions of the models they may look at. Both come with the coordinator role:
:func:`forum.services.role_grant` makes the person staff and puts them in the group
``Samordnare`` below; :func:`forum.services.role_revoke` takes them out again when their last
coordinator role goes. What the group's permissions open is narrowed further, per record, to
the forums the person coordinates (:mod:`forum.admin_scope`).

The group is created by a data migration (``forum/migrations/0003_coordinator_group.py``) and,
should it be missing (a test database that was flushed, a group deleted by hand), again by the
first coordinator grant. Permissions an administrator adds to the group by hand are kept.
When you add a permission to :data:`COORDINATOR_PERMISSIONS`, also add a migration (after the
one that creates the model) calling ``ensure_coordinator_group(apps, permissions=[...],
add_permissions=True)`` with the new ones, so that existing databases get them too.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.db.models import Q

COORDINATOR_GROUP = "Samordnare"
"""The name of the coordinators' group (data, not interface text: it names the group in the admin)."""

COORDINATOR_PERMISSIONS: tuple[str, ...] = (
    # Their forum and its focus areas: the name, description and focus areas are theirs to
    # edit (through forum.services); creating or deleting a forum is the administrator's.
    "forum.view_forum",
    "forum.change_forum",
    "forum.view_focusarea",
    "forum.add_focusarea",
    "forum.change_focusarea",
    # The shared register, to look organisations up; representations are confirmed with the
    # admin action, which needs change_affiliation (editing the rows is the administrator's).
    "forum.view_organisation",
    "forum.view_affiliation",
    "forum.change_affiliation",
    # Read-only records of their forum: roles, mail (change = may requeue failed mail) and
    # the audit trail.
    "forum.view_forumrole",
    "forum.view_outboxmessage",
    "forum.change_outboxmessage",
    "forum.view_outboxattachment",
    "forum.view_auditevent",
    # Meetings, seats and issues are changed in the portal's pages; the admin only shows them.
    "events.view_meeting",
    "events.view_seatpool",
    "events.view_registration",
    "events.view_nomination",
    "events.view_invitationbatch",
    "events.view_diversitytarget",
    "issues.view_issue",
    "issues.view_issueevent",
    "issues.view_vote",
    "issues.view_prioritylistentry",
    # News, newsletters, followers and meeting follow-ups are written in the portal's pages.
    "communication.view_newspost",
    "communication.view_newsletter",
    "communication.view_follower",
    "communication.view_followup",
    # Networks and their money: read-only in the admin (the portal's pages change them).
    "networks.view_network",
    "networks.view_networkissue",
    "networks.view_membership",
    "networks.view_budgetpot",
    "networks.view_allocation",
    "networks.view_expense",
)


def ensure_coordinator_group(
    apps: Any = global_apps, *, permissions: Iterable[str] = COORDINATOR_PERMISSIONS, add_permissions: bool = False
) -> Any:
    """Return the coordinators' group, creating it with ``permissions`` ("app_label.codename")
    when missing; with ``add_permissions`` also add any of them it lacks (never removes one).

    ``apps`` is the app registry; a migration passes its historical one and the permissions as
    they stood then. Raises LookupError when a permission does not exist, rather than leave
    coordinators silently without it. Side effects: at most a Group row and its permission links.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    if created or add_permissions:
        wanted = set(permissions)
        match = Q(pk__in=[])
        for label in wanted:
            app_label, codename = label.split(".")
            match |= Q(content_type__app_label=app_label, codename=codename)
        found = list(Permission.objects.filter(match).select_related("content_type"))
        missing = wanted - {f"{p.content_type.app_label}.{p.codename}" for p in found}
        if missing:
            raise LookupError(f"Permissions missing for the group {COORDINATOR_GROUP}: {sorted(missing)}")
        group.permissions.add(*found)
    return group
