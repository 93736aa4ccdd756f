"""What networks add to the forum's pages (registered in :class:`networks.apps.NetworksConfig`):
the forum's networks on its page, the overdue actions on the coordinators' to-do page, and the
links to the networks, the overview, the budget and the annual report (the process leader's
page is linked from the list of networks: a header-menu link would cost every page a query). See forum/sections.py."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum import permissions as forum_permissions
from forum import sections
from forum.models import Forum

from . import permissions, selectors
from .models import Network


def forum_networks(request: HttpRequest, forum: Forum) -> dict[str, Any] | None:
    """The networks the visitor may see, or nothing before there are any. Three queries."""
    networks = list(selectors.visible_networks(request.user, forum))
    return {"networks": networks, "forum": forum} if networks else None


def network_work(request: HttpRequest, forum: Forum) -> dict[str, Any] | None:
    """Overdue actions of the forum's networks (the to-do page; the view has checked the
    coordinator). Two queries."""
    networks = Network.objects.filter(forum=forum).exclude(status=Network.Status.CLOSED)
    overdue = selectors.mark_overdue(selectors.overdue_actions(networks)[:20])
    return {"overdue": overdue, "forum": forum,
            "overview_url": reverse("networks:overview", args=[forum.slug])}


def _last_year(today: dt.date | None = None) -> int:
    """The year before this one (local date): the annual report the link opens. Not the year of
    365 days ago, which on 31 December of a leap year is this year."""
    return (today or timezone.localdate()).year - 1


FORUM_NETWORKS = sections.ForumSection(
    key="networks.networks", template="networks/sections/forum_networks.html", context=forum_networks, order=30,
)
NETWORK_WORK = sections.ForumSection(
    key="networks.work", template="networks/sections/work_networks.html", context=network_work, order=30,
)
NETWORKS = sections.ForumLink(
    key="networks.list", label=_("Networks"), url=lambda forum: reverse("networks:network_list", args=[forum.slug]),
    visible=forum_permissions.can_view_forum, order=30,
)
OVERVIEW = sections.ForumLink(
    key="networks.overview", label=_("Overview of the networks"),
    url=lambda forum: reverse("networks:overview", args=[forum.slug]),
    visible=permissions.can_form_network, group=sections.LinkGroup.WORK, order=30, menu=permissions.can_form_network,
)
BUDGET = sections.ForumLink(
    key="networks.budget", label=_("Budget for networks"),
    url=lambda forum: reverse("networks:budget", args=[forum.slug]),
    visible=permissions.can_form_network, group=sections.LinkGroup.WORK, order=31,
)
REPORT = sections.ForumLink(
    key="networks.report", label=_("Annual report"),
    url=lambda forum: reverse("networks:report", args=[forum.slug, _last_year()]),
    visible=permissions.can_form_network, group=sections.LinkGroup.WORK, order=32,
)



def register() -> None:
    """Called once from NetworksConfig.ready()."""
    sections.register_forum_section(FORUM_NETWORKS)
    sections.register_work_section(NETWORK_WORK)
    for link in (NETWORKS, OVERVIEW, BUDGET, REPORT):
        sections.register_forum_link(link)
