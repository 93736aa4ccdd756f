"""What communication adds to the forum's pages (registered in CommunicationConfig.ready()):
the latest news with the feed and a follow link on the forum page, the news and newsletter
tools in the menu of communicators, and the meetings waiting for their documentation on the
coordinators' to-do page. See forum/sections.py."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum import permissions as forum_permissions
from forum import sections
from forum.models import Forum

from . import permissions, selectors

FORUM_PAGE_NEWS = 3


def forum_news(request: HttpRequest, forum: Forum) -> dict[str, Any]:
    """The latest posts the visitor may read, the feed and the follow link. Shown even without
    posts (the feed and following are useful from the start). At most three queries."""
    readable = permissions.readable_audiences(request.user, forum)
    return {
        "forum": forum,
        "posts": list(selectors.published_news(forum, readable)[:FORUM_PAGE_NEWS]),
        "feed_url": reverse("communication:news_feed", args=[forum.slug]),
        "feed_title": _("News from %(forum)s") % {"forum": forum.name},
    }


def follow_up_work(request: HttpRequest, forum: Forum) -> dict[str, Any] | None:
    """Held meetings without published documentation (the to-do page; the view has checked
    the coordinator). One query."""
    from events.models import Meeting

    meetings = list(Meeting.objects.filter(forum=forum, status__in=[Meeting.Status.HELD, Meeting.Status.DOCUMENTED])
                    .exclude(follow_up__published_at__isnull=False).order_by("starts_at")[:20])
    return {"meetings": meetings} if meetings else None


NEWS = sections.ForumSection(key="communication.news", template="communication/sections/forum_news.html",
                             context=forum_news, order=30)
FOLLOW_UP_WORK = sections.ForumSection(key="communication.follow_up",
                                       template="communication/sections/work_follow_up.html",
                                       context=follow_up_work, order=40)
NEWS_LINK = sections.ForumLink(
    key="communication.news", label=gettext_lazy("News"),
    url=lambda forum: reverse("communication:news_list", args=[forum.slug]),
    visible=forum_permissions.can_view_forum, order=30)
NEWS_MANAGE = sections.ForumLink(
    key="communication.news_manage", label=gettext_lazy("Write and plan news"),
    url=lambda forum: reverse("communication:news_manage", args=[forum.slug]),
    visible=permissions.can_communicate, group=sections.LinkGroup.WORK, order=30, menu=permissions.can_communicate)
NEWSLETTERS = sections.ForumLink(
    key="communication.newsletters", label=gettext_lazy("Newsletters"),
    url=lambda forum: reverse("communication:newsletter_list", args=[forum.slug]),
    visible=permissions.can_communicate, group=sections.LinkGroup.WORK, order=31, menu=permissions.can_communicate)
SURVEYS = sections.ForumLink(
    key="communication.surveys", label=gettext_lazy("Evaluation surveys"),
    url=lambda forum: reverse("communication:survey_overview", args=[forum.slug]),
    visible=permissions.can_view_survey_results, group=sections.LinkGroup.WORK, order=32)


def register() -> None:
    """Called once from CommunicationConfig.ready()."""
    sections.register_forum_section(NEWS)
    sections.register_work_section(FOLLOW_UP_WORK)
    for link in (NEWS_LINK, NEWS_MANAGE, NEWSLETTERS, SURVEYS):
        sections.register_forum_link(link)
