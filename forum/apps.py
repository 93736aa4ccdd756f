from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")

    def ready(self) -> None:
        # The forum's part of a person's data (forum/personal_data.py).
        from . import personal_data
        from .services import people

        personal_data.register(people.PERSONAL_DATA)
        # The forum's own link among those the apps register (forum/sections.py).
        from django.urls import reverse

        from . import permissions, sections

        # The coordinators' to-do page comes first among their tools.
        sections.register_forum_link(sections.ForumLink(
            key="forum.work", label=_("To do"), url=lambda forum: reverse("forum:forum_work", args=[forum.slug]),
            visible=permissions.can_manage_forum, group=sections.LinkGroup.WORK, order=0,
            menu=permissions.can_manage_forum,
        ))
        sections.register_forum_link(sections.ForumLink(
            key="forum.roles", label=_("Roles"), url=lambda forum: reverse("forum:forum_roles", args=[forum.slug]),
            visible=permissions.can_manage_roles, group=sections.LinkGroup.WORK, order=90,
            menu=permissions.can_manage_roles,
        ))
