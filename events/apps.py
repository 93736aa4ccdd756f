from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Theme meetings, seat pools, invitations and registrations (issue 3)."""

    name = "events"
    verbose_name = _("Theme meetings")

    def ready(self) -> None:
        # Coming meetings on the forum and start pages, the yearly plan among the forum's links.
        from . import sections

        sections.register()
        # Registrations in a person's data download and erasure (forum/personal_data.py).
        from forum import personal_data

        from .services import people

        personal_data.register(people.PERSONAL_DATA)
