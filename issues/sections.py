"""What issues and the priority vote add to the forum's pages (registered in
:class:`issues.apps.IssuesConfig`): the priority list on the forum page, the latest priority
lists on the start page, and the links to the public issues and, for coordinators, their
handling. See forum/sections.py."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forum import permissions as forum_permissions
from forum import sections
from forum.models import Forum

from . import permissions, selectors

# The start page shows the top of each list; the forum page has the whole of it.
HOME_PAGE_ENTRIES = 5


def forum_priority_list(request: HttpRequest, forum: Forum) -> dict[str, Any] | None:
    """The forum's published priority list, or nothing before there is one; public. Two queries."""
    entries = list(selectors.published_priority_list(forum))
    return {"priority_list": entries} if entries else None


def home_priority_lists(request: HttpRequest, forums: Sequence[Forum]) -> dict[str, Any] | None:
    """The top of each forum's latest priority list, or nothing before there is one; public.
    Two queries however many forums."""
    lists = selectors.latest_priority_lists(forums, first=HOME_PAGE_ENTRIES)
    return {"lists": lists, "several_forums": len(forums) > 1} if lists else None


def issue_work(request: HttpRequest, forum: Forum) -> dict[str, Any]:
    """What the forum's issues and votes need from its coordinators (the to-do page; the view
    has checked the coordinator). At most three queries."""
    return {"todos": selectors.issue_todos(forum), "triage_url": reverse("issues:triage_queue", args=[forum.slug])}


PRIORITY_LIST = sections.ForumSection(
    key="issues.priority_list", template="issues/sections/forum_priority_list.html",
    context=forum_priority_list, order=20,
)
HOME_PRIORITY_LISTS = sections.HomeSection(
    key="issues.priority_lists", template="issues/sections/home_priority_lists.html",
    context=home_priority_lists, order=20,
)
ISSUE_WORK = sections.ForumSection(
    key="issues.issue_work", template="issues/sections/work_issues.html", context=issue_work, order=20,
)
PUBLIC_ISSUES = sections.ForumLink(
    key="issues.public", label=_("Issues and what became of them"),
    url=lambda forum: reverse("issues:public_issues", args=[forum.slug]),
    visible=forum_permissions.can_view_forum, order=20,
)
TRIAGE = sections.ForumLink(
    key="issues.triage", label=_("Handling of issues"),
    url=lambda forum: reverse("issues:triage_queue", args=[forum.slug]),
    visible=permissions.can_triage, group=sections.LinkGroup.WORK, order=20, menu=permissions.can_triage,
)


def register() -> None:
    """Called once from IssuesConfig.ready()."""
    sections.register_forum_section(PRIORITY_LIST)
    sections.register_home_section(HOME_PRIORITY_LISTS)
    sections.register_forum_link(PUBLIC_ISSUES)
    sections.register_forum_link(TRIAGE)
    sections.register_work_section(ISSUE_WORK)
