"""URLs of the forum app's own pages, in the ``forum`` namespace (``forum:home``,
``forum:forum_detail``, …). Mounted by the portal's URLconf, :mod:`forum.urls`."""
from django.urls import path

from . import views

app_name = "forum"

urlpatterns = [
    path("", views.home, name="home"),
    path("forum/<slug:slug>/", views.forum_detail, name="forum_detail"),
    path("forum/<slug:slug>/samordning/", views.forum_work, name="forum_work"),
    path("forum/<slug:slug>/roller/", views.forum_roles, name="forum_roles"),
    path("forum/<slug:slug>/roller/<int:pk>/ta-bort/", views.forum_role_revoke, name="forum_role_revoke"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("farger.css", views.brand_css, name="brand_css"),
]
