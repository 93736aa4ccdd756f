"""What networks add to an issue's public timeline (registered in issues.timeline)."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from issues.timeline import Entry

from . import permissions, selectors
from .models import Action


def issue_entries(issue, user: Any) -> list[Entry]:
    """The network that took the issue up, its actions on it and the outcome. A members-only
    network is named (and its actions shown) only to those who may see it. Two queries."""
    found = selectors.issue_timeline_entries(issue)
    if not found:
        return []
    link, network = found["link"], found["link"].network
    entries = []
    if permissions.can_view_network(user, network):
        entries.append(Entry(at=link.added_at, text=_("Taken up by the network “%(title)s”") % {"title": network.title},
                             url=network.get_absolute_url()))
        for action in found["actions"]:
            entries.append(Entry(at=action.created_at,
                                 text=_("The network's action: %(text)s") % {"text": action.text}))
            if action.status == Action.Status.DONE and action.done_at:
                entries.append(Entry(at=action.done_at, text=_("Action done: %(text)s") % {"text": action.text}))
    else:
        entries.append(Entry(at=link.added_at, text=_("Taken up by a network")))
    if link.resolved_at:
        entries.append(Entry(at=link.resolved_at, text=_("The network's outcome"), detail=link.outcome))
    return entries
