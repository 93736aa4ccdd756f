"""The main pages run a fixed number of queries, whatever the amount of data (issue 14).

Two forums are written with bench/seed_scale.py (the data of bench/pages.py at a small scale):
a small one and one four times its size. Every main page (public and staff, as each forum's
coordinator) must stay within 15 queries, and must run exactly as many queries for the larger
forum as for the smaller: a page whose queries grew with its rows (a query per meeting,
per issue, per registration) fails here long before it would at a city's scale.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.pages import MAX_QUERIES, pages_of
from bench.seed_scale import counts_for, seed

SMALL, LARGE = 0.002, 0.008


@pytest.fixture
def two_forums(db):
    small = seed(scale=SMALL, slug="liten-skala")
    large = seed(scale=LARGE, slug="stor-skala")
    return small, large


def _count(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    return len(queries), response.status_code


@pytest.mark.pure
def test_the_larger_forum_has_more_of_everything():
    small, large = counts_for(SMALL), counts_for(LARGE)
    assert all(large[name] >= small[name] for name in small)
    assert large["issues"] > small["issues"] and large["registrations"] > small["registrations"]


def test_main_pages_run_a_fixed_number_of_queries(client, two_forums, django_assert_max_num_queries):
    small, large = two_forums
    User = get_user_model()
    small_pages, _missing = pages_of(small)
    large_pages = {page.name: page for page in pages_of(large)[0]}
    assert {"home", "forum", "plan", "overview (coordinator)", "triage queue", "public issues", "issue page",
            "vote result"} <= set(large_pages)
    grew = {}
    for page in small_pages:
        other = large_pages[page.name]
        client.force_login(User.objects.get(pk=small.coordinator_pk))
        small_count, small_status = _count(client, page.path)
        client.force_login(User.objects.get(pk=large.coordinator_pk))
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(other.path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, page.name
        large_count, _status = _count(client, other.path)
        assert small_status == 200, page.name
        assert small_count > 2, page.name  # the session, the user and the page's own rows at least
        if large_count != small_count:
            grew[page.name] = (small_count, large_count)
        if page.public:
            client.logout()
            with django_assert_max_num_queries(MAX_QUERIES):
                assert client.get(other.path, HTTP_ACCEPT_LANGUAGE="en").status_code == 200, page.name
    assert not grew, f"queries grew with the data (small, large): {grew}"
