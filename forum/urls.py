"""URLs of the portal (the ROOT_URLCONF)."""
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views

admin.site.site_header = _("Forum portal administration")
admin.site.site_title = _("Forum portal")

# Each app's pages in its own namespace (forum:, accounts:, events:, issues:, communication:, networks:). The language
# switch keeps Django's name ``set_language``, and allauth its own names (account_login, …).
urlpatterns = [
    path("", include("forum.app_urls")),
    path("", include("events.urls")),
    path("", include("issues.urls")),
    path("", include("communication.urls")),
    path("", include("networks.urls")),
    path("", include("research.urls")),
    path("sprak/", account_views.set_language, name="set_language"),
    path("konto/", include("accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
