"""Writes about networks, split by topic; every public name is re-exported here so callers
write ``from networks import services`` and ``services.network_form(...)``.

Each function is a named action with keyword-only arguments that records who did it
(``forum.services.audit_record``) and queues its mail in the same transaction (transactional
mail through ``forum.services.mail_queue``, updates people follow through
``forum.notifications.notify``). Views check permission first with :mod:`networks.permissions`.
"""
from . import budget
from .actions import action_create, action_update, update_publish
from .budget import allocation_create, expense_create, money_left, pot_set
from .common import NetworkError
from .meetings import meeting_cancel, meeting_create, meeting_record, meeting_reminders_send
from .membership import (
    membership_accept,
    membership_decide,
    membership_decline_invitation,
    membership_end,
    membership_invite,
    membership_request,
)
from .networks import network_add_issues, network_form, network_release_issue, network_resolve_issue, network_update

__all__ = [
    "budget",
    "NetworkError",
    "action_create",
    "action_update",
    "allocation_create",
    "expense_create",
    "meeting_cancel",
    "meeting_create",
    "meeting_record",
    "meeting_reminders_send",
    "membership_accept",
    "membership_decide",
    "membership_decline_invitation",
    "membership_end",
    "membership_invite",
    "membership_request",
    "money_left",
    "network_add_issues",
    "network_form",
    "network_release_issue",
    "network_resolve_issue",
    "network_update",
    "pot_set",
    "update_publish",
]
