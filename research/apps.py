from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    """Follow-up research: the pseudonymised exports of a forum (participation, the life of
    issues, vote aggregates, networks, survey answers) for its researchers and coordinators.
    Reads the other apps' rows; nothing imports it."""

    name = "research"
    verbose_name = _("Follow-up research")

    def ready(self) -> None:
        from . import sections

        sections.register()
