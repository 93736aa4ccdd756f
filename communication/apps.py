from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    """News, newsletters, followers, mail preferences with digests, unsubscribe, and the
    follow-up of meetings with their evaluation surveys."""

    name = "communication"
    verbose_name = _("Communication")

    def ready(self) -> None:
        # Follows, newsletters and surveys in a person's data download and erasure.
        from forum import personal_data

        from .services import people

        personal_data.register(people.PERSONAL_DATA)
        # forum.notifications.notify delivers through this app (preferences, digests,
        # unsubscribe); the forum page gets the news, the feed link and the follow form.
        from forum import notifications

        from . import audiences, delivery, sections

        notifications.register_backend(delivery.deliver)
        audiences.register_builtin()
        sections.register()
