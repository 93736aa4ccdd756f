from django.urls import path

from . import views

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("organisationer/", views.organisations, name="organisations"),
    path("organisationer/<int:pk>/ta-bort/", views.affiliation_remove, name="affiliation_remove"),
]
