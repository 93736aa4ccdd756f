"""The health check of the portal's persistent PostgreSQL connections (forum/postgresql): a quiet
connection is checked without a round trip, one the server has closed is found out and replaced
– directly on the backend, and through the real pages under gunicorn while every connection of
the portal is terminated on the server."""
from __future__ import annotations

import os
import select
import time
import urllib.request
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection, connections

from forum.postgresql.base import DatabaseWrapper
from tests import unreachable

pytestmark = pytest.mark.django_db(transaction=True)


def _server() -> psycopg.Connection:
    """A connection of the test's own to the test database, for looking at and ending others."""
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                           password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True)


def _request_starts() -> None:
    """What Django does for a connection at the start and end of each request."""
    connection.close_if_unusable_or_obsolete()


def test_the_backend_is_the_portals_and_checks_health():
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_connection_is_checked_without_a_round_trip():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    with _server() as server:
        before = server.execute("SELECT query_start FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
        _request_starts()
        assert not connection.health_check_done
        connection.close_if_health_check_failed()  # what the next request's first cursor runs
        assert connection.health_check_done
        after = server.execute("SELECT query_start FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    assert after == before  # no statement reached the server (Django's check sent SELECT 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone() == (pid,)  # the same connection, kept


def test_a_connection_the_server_ended_is_replaced_before_the_next_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    with _server() as server:
        assert server.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    # poll(), as the backend does: in a suite with a browser and servers open, this process's
    # descriptor may be above the 1023 select() accepts.
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50):
        assert time.monotonic() < deadline, "the server's goodbye never arrived"
    _request_starts()
    with connection.cursor() as cursor:  # no error: the check found it closed and reconnected
        cursor.execute("SELECT pg_backend_pid()")
        [new_pid] = cursor.fetchone()
    assert new_pid != pid


def test_pages_keep_working_when_postgresql_ends_every_connection_of_the_portal():
    """As after a restart of PostgreSQL: the portal under gunicorn answers the next requests
    with pages, not server errors, on new connections. Each URL is new, so the page cache
    cannot answer in the database's place."""
    redis_port = urlsplit(os.environ["REDIS_URL"]).port
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [own] = cursor.fetchone()
    with unreachable.serve(redis_port=redis_port) as url, _server() as server:
        for n in range(8):  # the worker's threads open their connections
            with urllib.request.urlopen(f"{url}/?before={n}", timeout=30) as response:
                assert response.status == 200
        ended = server.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid NOT IN (pg_backend_pid(), %s) AND backend_type = 'client backend'", [own],
        ).fetchone()[0]
        assert ended >= 1
        time.sleep(0.2)
        for n in range(8):
            with urllib.request.urlopen(f"{url}/?after={n}", timeout=30) as response:
                assert response.status == 200
