from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    """Issues raised at theme meetings, their triage and feedback, and the priority vote."""

    name = "issues"
    verbose_name = _("Issues and priorities")

    def ready(self) -> None:
        # The issues and votes in a person's data download and erasure (forum/personal_data.py).
        from forum import personal_data

        from .services import people

        personal_data.register(people.PERSONAL_DATA)
        # The priority list on the forum and start pages, the issue links of the forum.
        from . import sections

        sections.register()
