from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    """Thematic networks formed from the priority list."""

    name = "networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        # The networks on the forum page and the to-do page, their links, and the network's
        # part of an issue's timeline (issues imports nothing from here).
        from issues import timeline as issue_timeline

        from . import sections
        from . import timeline as network_timeline

        sections.register()
        issue_timeline.register(network_timeline.issue_entries)
