"""URLs of the portal."""
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views

from . import views

admin.site.site_header = _("Forum portal administration")
admin.site.site_title = _("Forum portal")

urlpatterns = [
    path("", views.home, name="home"),
    path("forum/<slug:slug>/", views.forum_detail, name="forum_detail"),
    path("forum/<slug:slug>/samordning/", views.forum_work, name="forum_work"),
    path("forum/<slug:slug>/roller/", views.forum_roles, name="forum_roles"),
    path("forum/<slug:slug>/roller/<int:pk>/ta-bort/", views.forum_role_revoke, name="forum_role_revoke"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("farger.css", views.brand_css, name="brand_css"),
    path("", include("events.urls")),
    path("", include("issues.urls")),
    path("", include("networks.urls")),
    path("sprak/", account_views.set_language, name="set_language"),
    path("konto/", include("accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
