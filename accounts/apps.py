from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The account itself in a person's data download and erasure (forum/personal_data.py).
        from forum import personal_data

        from . import services

        personal_data.register(services.personal_data_provider())
