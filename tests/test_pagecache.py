"""The public page cache (forum/pagecache.py) on the real Redis: anonymous visitors are served
stored pages, every write through a named action makes them stale at once, logged-in people
never see a stored page, and the CSRF token of a stored page is each visitor's own."""
from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from forum import services
from forum.models import Forum, Role
from tests.factories import make_meeting, make_role_holder

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', response.content.decode()).group(1)


def test_an_anonymous_visitor_gets_the_stored_page_without_a_query(client, forum, django_assert_num_queries):
    url = reverse("forum:forum_detail", args=[forum.slug])
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert forum.name in second.content.decode()
    assert second["Content-Type"].startswith("text/html") and second["Content-Language"] == "sv"


def test_a_write_through_a_named_action_shows_at_once(client, forum, django_capture_on_commit_callbacks):
    url = reverse("forum:forum_detail", args=[forum.slug])
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    coordinator = make_role_holder(forum, Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.forum_update(actor=coordinator, forum=forum, description="Nytt om forumet i december.")
    after = client.get(url)
    assert after["X-Page-Cache"] == "miss"
    assert "Nytt om forumet i december." in after.content.decode()


def test_a_change_behind_the_services_back_shows_within_the_cache_time(client, forum, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 1
    url = reverse("forum:forum_detail", args=[forum.slug])
    client.get(url)
    Forum.objects.filter(pk=forum.pk).update(description="Ändrat direkt i databasen.")
    assert "Ändrat direkt i databasen." not in client.get(url).content.decode()
    time.sleep(1.2)  # the cache's own expiry is what is under test
    assert "Ändrat direkt i databasen." in client.get(url).content.decode()


def test_logged_in_people_are_never_served_a_stored_page(client, forum):
    url = reverse("forum:forum_detail", args=[forum.slug])
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    client.force_login(make_role_holder(forum, Role.COORDINATOR))
    response = client.get(url)
    assert response.status_code == 200 and "X-Page-Cache" not in response
    # The coordinator's page has the to-do link the anonymous page lacks.
    assert reverse("forum:forum_work", args=[forum.slug]) in response.content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_it_works(forum):
    url = reverse("forum:forum_detail", args=[forum.slug])
    first = Client(enforce_csrf_checks=True)
    first_page = first.get(url)
    second = Client(enforce_csrf_checks=True)
    second_page = second.get(url)
    assert second_page["X-Page-Cache"] == "hit"
    assert "__forum_csrf_token__" not in second_page.content.decode()
    assert _token(first_page) != _token(second_page)
    # The second visitor switches language from the stored page: the CSRF check passes.
    answer = second.post(reverse("set_language"), {"language": "en", "next": url,
                                                   "csrfmiddlewaretoken": _token(second_page)})
    assert answer.status_code == 302
    english = second.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"


def test_languages_are_stored_apart(forum):
    url = reverse("forum:forum_detail", args=[forum.slug])
    swedish = Client().get(url, HTTP_ACCEPT_LANGUAGE="sv")
    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert swedish["Content-Language"] == "sv" and english["Content-Language"] == "en"
    assert english["X-Page-Cache"] == "miss"
    again = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again["X-Page-Cache"] == "hit" and again["Content-Language"] == "en"


def test_refusals_and_private_pages_are_not_stored(client, forum):
    draft = make_meeting(forum)  # a draft: only its managers see it
    url = reverse("events:meeting_detail", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert "X-Page-Cache" not in client.get(url)
    plan = reverse("events:plan", args=[forum.slug])
    assert "X-Page-Cache" not in client.get(plan)


def test_network_pages_are_stored_for_anonymous_visitors_and_a_change_shows_at_once(
        client, forum, django_assert_num_queries, django_capture_on_commit_callbacks):
    """Issue 14, item 3: the networks are among the public pages; a members-only network is
    never a stored page (it is not a 200 for an anonymous visitor)."""
    from networks import services as network_services
    from networks.models import Network
    from tests.network_helpers import form_network

    with django_capture_on_commit_callbacks(execute=True):
        network = form_network(forum, title="Kompetens i hamnen")
        closed = form_network(forum, title="Slutet nätverk", visibility=Network.Visibility.MEMBERS)
    for url in (reverse("networks:network_list", args=[forum.slug]), network.get_absolute_url()):
        assert client.get(url)["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            assert client.get(url)["X-Page-Cache"] == "hit"
    assert "Slutet nätverk" not in client.get(reverse("networks:network_list", args=[forum.slug])).content.decode()
    refused = client.get(closed.get_absolute_url())
    assert refused.status_code in (403, 404) and "X-Page-Cache" not in refused
    coordinator = make_role_holder(forum, Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        network_services.network_update(actor=coordinator, network=network, goal="Fler lärlingar i hamnen.")
    after = client.get(network.get_absolute_url())
    assert after["X-Page-Cache"] == "miss" and "Fler lärlingar i hamnen." in after.content.decode()


def test_the_generation_is_bumped_in_one_step_also_after_the_cache_lost_it(client, forum):
    """forum.cache.bump on the real Redis: a missing number starts at 1, then counts up, and
    Django's cache reads what INCR wrote. The page cache's generation starts at the clock, and
    when it was lost with pages still stored, the next write starts it above them."""
    from django.core.cache import cache

    from forum import pagecache
    from forum.cache import bump

    cache.delete("bump-test")
    assert [bump(cache, "bump-test") for _ in range(3)] == [1, 2, 3]
    assert cache.get("bump-test") == 3
    cache.delete("bump-test")

    url = reverse("forum:forum_detail", args=[forum.slug])
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    stored_under = cache.get(pagecache.GENERATION_KEY)
    pagecache.invalidate()
    assert cache.get(pagecache.GENERATION_KEY) == stored_under + 1
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    cache.delete(pagecache.GENERATION_KEY)  # lost (evicted, say) while the page stays stored
    pagecache.invalidate()
    assert cache.get(pagecache.GENERATION_KEY) > stored_under + 1
    assert client.get(url)["X-Page-Cache"] == "miss"
