"""An issue's whole life as one timeline on its public page: raised (and merged), each status
change, its placement on the priority list, and what apps built on issues add – the network
that took it up, the network's actions on it, its outcome.

``issues`` imports none of those apps: each registers a provider in its ``AppConfig.ready()``
(networks/apps.py). A provider is ``provider(issue, user) -> iterable of Entry``; it decides
itself what ``user`` may see and runs a fixed number of queries.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Issue, PriorityListEntry, Vote


@dataclass(frozen=True)
class Entry:
    """One event in an issue's life: when, what happened (translated text), and optionally
    a link and a quoted detail (e.g. an outcome), which is Swedish content as people wrote it."""

    at: dt.datetime
    text: str
    url: str = ""
    detail: str = ""


Provider = Callable[[Issue, Any], Iterable[Entry]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider (idempotent: ready() may run twice)."""
    if provider not in _providers:
        _providers.append(provider)


def _history_entries(history: list[dict]) -> list[Entry]:
    entries = []
    for item in history:
        if item["kind"] == "created":
            text = _("Raised")
        elif item["kind"] == "merged" and item["into"]:
            text = _("Merged into another issue")
        elif item["kind"] == "merged":
            text = ngettext("%(counter)s issue was merged into this one.",
                            "%(counter)s issues were merged into this one.",
                            item["merged_count"]) % {"counter": item["merged_count"]}
        else:
            text = _("Status changed from %(before)s to %(after)s") % {"before": item["before"],
                                                                      "after": item["after"]}
        entries.append(Entry(at=item["at"], text=text))
    return entries


def _priority_entries(issue: Issue) -> list[Entry]:
    rows = PriorityListEntry.objects.filter(issue=issue, vote__status=Vote.Status.CONFIRMED).select_related("vote")
    return [
        Entry(at=row.vote.confirmed_at, text=_("Placed number %(rank)d on the priority list “%(title)s”")
              % {"rank": row.rank, "title": row.vote.title})
        for row in rows if row.vote.confirmed_at
    ]


def timeline(issue: Issue, user: Any, history: list[dict]) -> list[Entry]:
    """The issue's life in time order: ``history`` (from ``selectors.public_issue_history``),
    the priority list, and every registered provider's entries."""
    entries = _history_entries(history) + _priority_entries(issue)
    for provider in _providers:
        entries.extend(provider(issue, user))
    return sorted(entries, key=lambda entry: entry.at)
