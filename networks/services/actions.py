"""Actions (what the network does, by whom, by when) and progress updates."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import notifications
from forum.services import audit_record
from issues.models import Issue

from ..models import Action, Membership, Network, ProgressUpdate
from .common import NetworkError, active_members, language_of, network_context, profile_url


def _check(network: Network, owner: Membership | None, issues: Sequence[Issue], *,
           kept_owner: int | None = None) -> None:
    # An owner who has left since stays the owner of an action edited without changing it
    # (who did the work is not lost); a new owner is an active member.
    # Read as it is now (the caller's object may be older than a leaving).
    now = Membership.objects.filter(pk=owner.pk).values_list("network_id", "status").first() if owner else None
    if owner is not None and (now is None or now[0] != network.pk or (
            now[1] != Membership.Status.ACTIVE and owner.pk != kept_owner)):
        raise NetworkError(_("The owner must be an active member of the network."), field="owner")
    driven = set(network.issue_links.values_list("issue_id", flat=True))
    if any(issue.pk not in driven for issue in issues):
        raise NetworkError(_("An action can only be linked to issues the network drives."))


def _check_due_date(due_date: dt.date | None, now: dt.datetime | None) -> None:
    # A due date is a promise about what lies ahead; one already passed would make the action
    # overdue from the moment it is written.
    if due_date is not None and due_date < timezone.localdate(now or timezone.now()):
        raise NetworkError(_("The due date has already passed. Choose today or a later date."), field="due_date")


def action_create(
    *, actor: Any, network: Network, text: str, owner: Membership | None = None, due_date: dt.date | None = None,
    issues: Sequence[Issue] = (), now: dt.datetime | None = None,
) -> Action:
    """Record an action of the network. Process leaders of the network. Refused
    (NetworkError) without a text, with an owner who is not an active member or an issue the
    network does not drive, and with a due date before the day of ``now`` (the clock, or the
    demo's own time). Side effects: the action, an audit row."""
    if not text.strip():
        raise NetworkError(_("Write the action."), field="text")
    _check_due_date(due_date, now)
    _check(network, owner, issues)
    with transaction.atomic():
        action = Action.objects.create(network=network, text=text.strip(), owner=owner, due_date=due_date,
                                       created_by=actor)
        action.issues.set(issues)
        audit_record(actor=actor, action="network.action_create", target=action, forum=network.forum)
    return action


def action_update(
    *, actor: Any, action: Action, text: str, status: str, owner: Membership | None = None,
    due_date: dt.date | None = None, issues: Sequence[Issue] = (),
) -> Action:
    """Change an action's text, owner, due date, status or issues; ``done_at`` follows the
    status. Process leaders of the network. Refused as :func:`action_create`, except that
    a due date left as it was is kept even when it has passed (an overdue action stays
    editable), and so is an owner who has left the network since. Side effects: the action, an audit row."""
    if status not in Action.Status.values:
        raise NetworkError(_("Choose a status."), field="status")
    if not text.strip():
        raise NetworkError(_("Write the action."), field="text")
    with transaction.atomic():
        action = Action.objects.select_for_update(of=("self",)).select_related("network__forum").get(pk=action.pk)
        if due_date != action.due_date:
            _check_due_date(due_date, None)
        _check(action.network, owner, issues, kept_owner=action.owner_id)
        before = action.status
        action.text, action.owner, action.due_date, action.status = text.strip(), owner, due_date, status
        if status == Action.Status.DONE and action.done_at is None:
            action.done_at = timezone.now()
        elif status != Action.Status.DONE:
            action.done_at = None
        action.save()
        action.issues.set(issues)
        audit_record(actor=actor, action="network.action_update", target=action, forum=action.network.forum,
                     data={"status": [before, status]})
    return action


def update_publish(*, actor: Any, network: Network, title: str, body: str) -> ProgressUpdate:
    """Publish a progress update: it reaches the active members by mail in each one's
    language (NETWORK_UPDATES, as they chose) and, for a public network, its page.
    Process leaders of the network."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise NetworkError(_("Write a title and the text of the update."))
    with transaction.atomic():
        update = ProgressUpdate.objects.create(network=network, title=title, body=body, author=actor)
        notifications.notify(
            kind=notifications.Kind.NETWORK_UPDATES,
            recipients=[(m.person.email, language_of(m.person)) for m in active_members(network)],
            template="networks/progress_update",
            context={**network_context(network), "update": update,
                     "profile_url": profile_url()},
            forum=network.forum, network=network, created_by=actor,
        )
        audit_record(actor=actor, action="network.update_publish", target=update, forum=network.forum)
    return update
