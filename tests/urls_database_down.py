"""The portal's URLs plus one page that needs the database, for the test of the 500 page with
the database unreachable (tests/test_error_pages.py)."""
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from forum.urls import urlpatterns as portal_urlpatterns


def needs_the_database(request: HttpRequest) -> HttpResponse:
    """Connects to the database, as every real page does sooner or later; raises when it is down."""
    connection.ensure_connection()
    return HttpResponse("The database answered.")


urlpatterns = [path("behover-databasen/", needs_the_database), *portal_urlpatterns]
