"""What theme meetings add to the forum's pages (registered in :class:`events.apps.EventsConfig`):
coming meetings with their registration state on the forum page and the start page, and the
yearly plan among the forum's links (and in the header menu of those who plan). See
forum/sections.py."""
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

# Enough for a year of a forum (two to three meetings) and a few forums; the yearly plan has all.
FORUM_PAGE_LIMIT = 10
HOME_PAGE_LIMIT = 8


def forum_meetings(request: HttpRequest, forum: Forum) -> dict[str, Any]:
    """The forum's coming meetings; public (published meetings only). Three queries."""
    return {
        "coming": selectors.coming_meetings([forum], limit=FORUM_PAGE_LIMIT),
        "plan_url": reverse("events:plan", args=[forum.slug]),
    }


def home_meetings(request: HttpRequest, forums: Sequence[Forum]) -> dict[str, Any]:
    """Coming meetings across the portal's forums, and those open for registration now;
    public. Three queries however many forums."""
    coming = selectors.coming_meetings(forums, limit=HOME_PAGE_LIMIT)
    return {
        "coming": coming,
        "open_now": [item for item in coming if item.registration_open],
        "several_forums": len(forums) > 1,
    }


def meeting_work(request: HttpRequest, forum: Forum) -> dict[str, Any]:
    """What the forum's coming meetings need from its coordinators (the to-do page; the view
    has checked the coordinator). Four queries."""
    return {"todos": selectors.meeting_todos(forum), "hold_days": selectors.HOLD_DATE_WARNING.days,
            "offer_hours": int(selectors.OFFER_WARNING.total_seconds() // 3600)}


COMING_MEETINGS = sections.ForumSection(
    key="events.coming_meetings", template="events/sections/forum_meetings.html", context=forum_meetings, order=10,
)
HOME_MEETINGS = sections.HomeSection(
    key="events.coming_meetings", template="events/sections/home_meetings.html", context=home_meetings, order=10,
)
MEETING_WORK = sections.ForumSection(
    key="events.meeting_work", template="events/sections/work_meetings.html", context=meeting_work, order=10,
)
# Public on the forum page; in the header menu it is the planning tool of those who manage meetings.
YEARLY_PLAN = sections.ForumLink(
    key="events.plan", label=_("Yearly plan"), url=lambda forum: reverse("events:plan", args=[forum.slug]),
    visible=forum_permissions.can_view_forum, order=10, menu=permissions.can_manage_meetings,
)


def register() -> None:
    """Called once from EventsConfig.ready()."""
    sections.register_forum_section(COMING_MEETINGS)
    sections.register_home_section(HOME_MEETINGS)
    sections.register_forum_link(YEARLY_PLAN)
    sections.register_work_section(MEETING_WORK)
