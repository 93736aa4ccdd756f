"""A person's own pages, in the ``accounts`` namespace (``accounts:profile``, …)."""
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("organisationer/", views.organisations, name="organisations"),
    path("organisationer/<int:pk>/ta-bort/", views.affiliation_remove, name="affiliation_remove"),
]
