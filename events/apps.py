from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Theme meetings, seat pools, invitations and registrations (issue 3)."""

    name = "events"
    verbose_name = _("Theme meetings")
