"""Error pages in the portal's layout and the user's language (400, 403, 404, 405, 500 and the
CSRF failure page), each saying what happened and what to do; the 500 page with the database down."""
from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from forum.middleware import CONTENT_SECURITY_POLICY
from forum.models import Role
from tests.factories import make_forum, make_role_holder


def _ours(response, status: int, language: str) -> str:
    """Assert ``response`` is our error page (the portal's layout, not Django's bare one) in
    ``language``, with a way on; return its HTML."""
    content = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in content
    assert 'class="error-page' in content and 'class="site-header"' in content
    assert f'href="{reverse("forum:home")}"' in content and f"mailto:{settings.FORUM_CONTACT_EMAIL}" in content
    assert "<style" not in content and " style=" not in content  # the CSP allows no inline style
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    return content


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_404_page():
    _ours(Client().get("/finns-inte/"), 404, "sv")
    content = _ours(_english(Client()).get("/finns-inte/"), 404, "en")
    assert "The page does not exist" in content and "Go to the start page" in content


@pytest.mark.django_db
def test_403_page_says_who_has_access_and_how_to_get_it():
    forum = make_forum()
    researcher = make_role_holder(forum, Role.RESEARCHER, "forskare@example.se")
    client = Client()
    client.force_login(researcher)
    url = reverse("forum:forum_roles", args=[forum.slug])
    _ours(client.get(url), 403, "sv")
    content = _ours(_english(client).get(url), 403, "en")
    assert "You do not have access to this page" in content
    assert "You are logged in as forskare@example.se" in content
    assert "If you need access, ask the forum" in content


@pytest.mark.django_db
def test_400_page_for_a_request_the_portal_cannot_read():
    """A host name the portal does not serve is a 400."""
    _ours(Client().get("/", HTTP_HOST="inte-var.example"), 400, "sv")
    content = _ours(_english(Client()).get("/", HTTP_HOST="inte-var.example"), 400, "en")
    assert "The page could not be shown" in content


@pytest.mark.django_db
def test_csrf_failure_is_our_page_with_a_way_on():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    _ours(response, 403, "sv")
    content = _ours(_english(Client(enforce_csrf_checks=True)).post(reverse("set_language"), {"language": "sv"}),
                    403, "en")
    assert "The form could not be sent" in content
    assert "reload the page and send the form again" in content
    assert f'href="{reverse("account_login")}"' in content


@pytest.mark.django_db
def test_405_page_for_the_address_of_a_button_changes_nothing():
    """Opening the address of a button (here: take a role away) is our page, says that nothing
    was changed and keeps the Allow header; the role is still there."""
    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    role = coordinator.forum_roles.get()
    client = Client()
    client.force_login(coordinator)
    url = reverse("forum:forum_role_revoke", args=[forum.slug, role.pk])
    response = client.get(url)
    content = _ours(response, 405, "sv")
    assert response["Allow"] == "POST"
    assert "Sidan går inte att öppna så här" in content and "Ingenting har ändrats." in content
    content = _ours(_english(client).get(url), 405, "en")
    assert "The page cannot be opened this way" in content and "Nothing has been changed." in content
    assert coordinator.forum_roles.filter(pk=role.pk).exists()


@pytest.mark.django_db
def test_a_public_page_answers_get_and_head_and_refuses_a_post():
    """A page that only shows (here: the forum's page) is not rendered for a POST: 405, the
    portal's page; GET and HEAD answer as before."""
    forum = make_forum()
    url = reverse("forum:forum_detail", args=[forum.slug])
    client = Client()
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    response = client.post(url, {"anything": "x"})
    _ours(response, 405, "sv")
    assert response["Allow"] == "GET, HEAD"


def _closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_500_page_renders_with_the_database_unreachable(settings, monkeypatch, django_db_blocker, language):
    """The real connection is pointed at a port where no database listens: the page that needs
    it fails, and the 500 page is still ours, in the user's language, without a database."""
    settings.ROOT_URLCONF = "tests.urls_database_down"
    client = Client(raise_request_exception=False)
    if language == "en":
        _english(client)
    with django_db_blocker.unblock():
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", str(_closed_port()))
        try:
            response = client.get("/behover-databasen/")
        finally:
            connection.close()
    content = _ours(response, 500, language)
    assert "The database answered" not in content
    assert 'name="language"' not in content and "/konto/logout/" not in content  # no user, no token
    if language == "en":
        assert "Something went wrong on our side" in content and "Try again in a while." in content
