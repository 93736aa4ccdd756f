from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    """Thematic networks formed from the priority list."""

    name = "networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        # Memberships in a person's data download and erasure (forum/personal_data.py).
        from forum import personal_data

        from .services import people

        personal_data.register(people.PERSONAL_DATA)
        # The networks on the forum page and the to-do page, their links, and the network's
        # part of an issue's timeline (issues imports nothing from here).
        from issues import timeline as issue_timeline

        from . import sections
        from . import timeline as network_timeline

        sections.register()
        issue_timeline.register(network_timeline.issue_entries)
        # Newsletters to a network's members and following a public network (communication
        # imports nothing from here either).
        from django.apps import apps

        if apps.is_installed("communication"):
            from communication import hooks as communication_hooks

            from . import hooks

            communication_hooks.register_network_provider(communication_hooks.NetworkProvider(
                networks=hooks.networks, members=hooks.members, public_network=hooks.public_network,
                public_networks=hooks.public_networks,
            ))
