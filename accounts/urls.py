"""A person's own pages, in the ``accounts`` namespace (``accounts:profile``, …)."""
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("organisationer/", views.organisations, name="organisations"),
    path("organisationer/<int:pk>/ta-bort/", views.affiliation_remove, name="affiliation_remove"),
    path("dina-uppgifter/", views.personal_data, name="personal_data"),
    path("dina-uppgifter/fil/", views.personal_data_download, name="personal_data_download"),
    path("radera/", views.account_erase, name="erase"),
]
