"""What research adds to the forum's pages (registered in ResearchConfig.ready()): the link
to the exports for follow-up research, on the forum page and in the header menu of the
forum's researchers and coordinators. See forum/sections.py."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from forum import sections

from . import permissions

EXPORTS_LINK = sections.ForumLink(
    key="research.exports", label=gettext_lazy("Follow-up research: exports"),
    url=lambda forum: reverse("research:index", args=[forum.slug]),
    visible=permissions.can_export, group=sections.LinkGroup.WORK, order=90, menu=permissions.can_export)


def register() -> None:
    """Called once from ResearchConfig.ready()."""
    sections.register_forum_link(EXPORTS_LINK)
