"""Issue 14's changes keep their promises: a booking's mail is rendered by the worker, not
under the lock or in the request, but always sent with the right content; the worker reuses
and then closes its SMTP session; the yearly plan pages by year; and the markup built in
Python is the markup the templates (or crispy) wrote."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from forum import services, smtp
from forum.models import OutboxMessage, Role
from forum.widgets import LongSelect
from tests.factories import make_forum, make_meeting, make_role_holder, open_with_small_pools, register_open


@pytest.mark.django_db
def test_a_booking_writes_its_mail_in_its_transaction_and_the_worker_renders_it(mailbox):
    meeting = open_with_small_pools(make_meeting(make_forum()), size=1)
    confirmed = register_open(meeting)
    waiting = register_open(meeting)
    assert (confirmed.status, waiting.status) == (Registration.Status.CONFIRMED, Registration.Status.WAITING)
    rows = {row.template: row for row in OutboxMessage.objects.filter(template__startswith="events/")}
    confirmation, on_the_list = rows["events/confirmation"], rows["events/waiting"]
    # Written by the booking, left for the worker to render: the request renders nothing, but
    # stamps the sender and Reply-To as when any mail is queued (later role changes leave them).
    assert confirmation.render_spec and on_the_list.render_spec and not confirmation.subject
    assert {"From", "Reply-To"} <= confirmation.headers.keys() and {"From", "Reply-To"} <= on_the_list.headers.keys()
    stamped = dict(confirmation.headers)
    for row in (confirmation, on_the_list):
        assert services.outbox_deliver(row.pk).outcome == "sent"
        row.refresh_from_db()
        assert row.render_spec is None and row.subject and row.body_text and row.body_html
        assert "From" in row.headers and "Reply-To" in row.headers
    smtp.discard()
    assert {k: confirmation.headers[k] for k in stamped} == stamped
    assert confirmation.to_email == confirmed.attendee_email
    assert confirmed.code in confirmation.body_text
    [calendar] = confirmation.attachments.all()
    assert calendar.filename == "tematraff.ics" and b"BEGIN:VCALENDAR" in bytes(calendar.content)
    # The position counted under the lock, in the mail and on the registration.
    assert waiting.position == 1
    assert "Du är nummer 1 på väntelistan." in on_the_list.body_text
    received = mailbox.wait_for(lambda m: confirmed.attendee_email in m["To"] or waiting.attendee_email in m["To"],
                                count=2)
    assert {" ".join(str(m["Subject"]).split()) for m in received} == {confirmation.subject, on_the_list.subject}


@pytest.mark.django_db
def test_a_deferred_row_the_request_never_rendered_is_rendered_and_sent_by_the_worker(mailbox):
    meeting = open_with_small_pools(make_meeting(make_forum()), size=1)
    registration = register_open(meeting)
    # As if the request had died between its commit and rendering: only the row was written.
    row = services.mail_queue_deferred(
        to="efterslapande@forum.example", renderer="events.services.base.registration_mail",
        args={"registration": registration.pk, "template": "events/confirmation", "extra": {}, "calendar": True},
        language="sv", template="events/confirmation", forum=meeting.forum)
    assert row.subject == "" and row.render_spec
    assert services.outbox_deliver(row.pk).outcome == "sent"
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT and row.render_spec is None and row.subject
    [received] = mailbox.wait_for(lambda m: "efterslapande@forum.example" in m["To"])
    assert " ".join(str(received["Subject"]).split()) == row.subject  # a long subject arrives folded
    assert any(part.get_filename() == "tematraff.ics" for part in received.iter_attachments())
    # Sent at most once: the row is no longer queued.
    assert services.outbox_deliver(row.pk).outcome == "skipped"
    smtp.discard()


@pytest.mark.django_db
def test_the_worker_reuses_its_smtp_session_and_closes_it_when_idle(mailbox):
    smtp.discard()
    rows = [services.mail_queue(to=f"samma-session{n}@forum.example", template="accessibility_receipt",
                                context={"report": {"description": "Text"}, "quote_description": True},
                                language="sv") for n in range(3)]
    first = smtp.connection()
    smtp.sent()
    for row in rows:
        assert services.outbox_deliver(row.pk).outcome == "sent"
        assert smtp.connection() is first  # the same open session
        smtp.sent()
    mailbox.wait_for(lambda m: "samma-session" in m["To"], count=3)
    assert mailbox.open_sessions() >= 1  # ours, kept open between the mails
    # Unused for IDLE_CLOSE_SECONDS, the session is closed by the background thread.
    deadline = time.monotonic() + 10
    while mailbox.open_sessions() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert mailbox.open_sessions() == 0
    assert smtp.connection() is not first  # a fresh one when mail comes again
    smtp.discard()


@pytest.mark.django_db
def test_yearly_plan_shows_last_year_onwards_and_links_each_earlier_year(client):
    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR)
    this_year = timezone.localdate().year
    old = make_meeting(forum, title="Gammal träff", starts_at=dt.datetime(this_year - 5, 5, 5, 8, tzinfo=dt.UTC))
    new = make_meeting(forum, title="Ny träff", starts_at=timezone.now() + dt.timedelta(days=30))
    client.force_login(coordinator)
    url = reverse("events:plan", args=[forum.slug])
    page = client.get(url).content.decode()
    assert new.title in page and old.title not in page
    assert f'href="{url}?ar={this_year - 5}"' in page
    page = client.get(url, {"ar": str(this_year - 5)}).content.decode()
    assert old.title in page and new.title not in page
    # Anything else is the default view.
    assert new.title in client.get(url, {"ar": "x" * 5}).content.decode()


@pytest.mark.pure
def test_long_select_writes_the_markup_of_djangos_select():
    choices = [("", "Alla träffar"), (1, 'Träff <1> & "citat"'), (2, "Höstträff")]
    for value in ("", 1, "2", None):
        attrs = {"class": "form-select", "aria-describedby": "id_meeting_helptext"}
        expected = forms.Select(choices=choices, attrs=attrs).render("meeting", value, {"id": "id_meeting"})
        assert LongSelect(choices=choices, attrs=attrs).render("meeting", value, {"id": "id_meeting"}) == expected
    grouped = [("", "Alla"), ("2025", [(1, "Vårträff"), (2, "Höstträff")]), (3, "Övrigt")]
    for value in ("", 2, "3"):
        expected = forms.Select(choices=grouped).render("meeting", value, {"id": "id_meeting", "required": True})
        assert LongSelect(choices=grouped).render("meeting", value, {"id": "id_meeting", "required": True}) == expected


@pytest.mark.pure
def test_pairwise_rows_are_what_the_template_loop_wrote():
    pairwise = [[0, 7, 3], [2, 0, 5], [4, 5, 0]]  # 2 vs 3 tied: neither cell is a win
    matrix = [{"number": i + 1, "cells": [{"self": True} if i == j else {"value": v, "wins": v > pairwise[j][i]}
                                          for j, v in enumerate(values)]} for i, values in enumerate(pairwise)]
    loop = Template(
        "{% load i18n %}{% for row in matrix %}<tr>\n          <th scope=\"row\">{% blocktranslate trimmed with "
        "number=row.number %}Issue {{ number }}{% endblocktranslate %}</th>\n          {% for cell in row.cells %}"
        "<td>{% if cell.self %}<span aria-hidden=\"true\">–</span><span class=\"visually-hidden\">{% translate "
        "\"not compared\" %}</span>{% elif cell.wins %}<strong>{{ cell.value }}</strong>{% else %}{{ cell.value }}"
        "{% endif %}</td>{% endfor %}\n        </tr>{% if not forloop.last %}\n{% endif %}{% endfor %}")
    built = Template("{% load vote_matrix %}{% pairwise_rows pairwise %}")
    assert built.render(Context({"pairwise": pairwise})) == loop.render(Context({"matrix": matrix}))
    assert "<strong>7</strong>" in built.render(Context({"pairwise": pairwise})) and "<td>5</td>" in built.render(
        Context({"pairwise": pairwise}))


def _markup(html: str) -> str:
    """HTML with whitespace between tags dropped and each tag's attributes in one order."""
    import re

    html = re.sub(r"\s+", " ", html)
    html = re.sub(r"\s*(<|>)\s*", r"\1", html)

    def tag(match):
        return "<" + match.group(1) + " " + " ".join(sorted(re.findall(r'[\w-]+(?:="[^"]*")?', match.group(2)))) + ">"

    return re.sub(r"<(\w+) ([^<>]*)>", tag, html)


@pytest.mark.pure
@pytest.mark.parametrize("data,companies", [
    (None, 1), (None, 2),
    ({"attendee_name": "", "attendee_email": "inte-en-adress", "consent": ""}, 2),
    ({"attendee_name": "Ada", "attendee_email": "ada@foretag.example", "consent": "on", "organisation": "1"}, 1),
])
def test_form_fields_writes_the_markup_crispy_wrote(data, companies):
    """The registration page renders its form with {% form_fields %} (cheaper than crispy's
    template pack): the same labels, required marks, messages, help texts and aria links."""
    from types import SimpleNamespace

    from django.utils import translation

    from events.forms import OpenRegistrationForm

    choices = [SimpleNamespace(pk=n, name=f"Företag {n} AB") for n in range(1, companies + 1)]

    def form():
        bound = OpenRegistrationForm(data, companies=choices, initial={"attendee_name": "Ada"})
        if data is not None:
            bound.is_valid()
        return bound

    with translation.override("sv"):
        ours = Template("{% load forum_ui %}{% form_fields form %}").render(Context({"form": form()}))
        crispys = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form()}))
    assert _markup(ours) == _markup(crispys)
    if data and not data.get("consent"):
        assert 'aria-invalid="true"' in ours and 'id="id_consent_error"' in ours


@pytest.mark.django_db
def test_the_seat_map_is_one_statement_that_counts_what_the_rows_say(django_assert_num_queries):
    """The seat map under the meeting lock (written as SQL for speed) against a count of the
    rows in Python; and a booking costs the same statements with 3 or 12 people waiting."""
    from collections import Counter

    from django.db import transaction

    from events.services.seats import _lock

    meeting = open_with_small_pools(make_meeting(make_forum()), size=2)
    start = timezone.now() - dt.timedelta(hours=1)
    for minute in range(7):  # a minute apart: some seated, the rest waiting in that order
        register_open(meeting, now=start + dt.timedelta(minutes=minute))
    offered = Registration.objects.filter(meeting=meeting, status=Registration.Status.CONFIRMED).first()
    lapse = timezone.now() + dt.timedelta(days=1)
    Registration.objects.filter(pk=offered.pk).update(status=Registration.Status.OFFERED, offer_expires_at=lapse)
    rows = list(Registration.objects.filter(meeting=meeting))
    waiting_since = start + dt.timedelta(minutes=5, seconds=30)  # all in line but the last
    with transaction.atomic(), django_assert_num_queries(2):  # the locked meeting row, then the map
        seats = _lock(meeting.pk, waiting_until=waiting_since)
    assert seats.occupied == Counter(r.seat_pool_id for r in rows if r.status in Registration.OCCUPYING)
    assert seats.offer_deadlines == [lapse]
    in_line = [r for r in rows if r.status == Registration.Status.WAITING]
    assert seats.waiting_until_count == sum(1 for r in in_line if r.waiting_since <= waiting_since) == len(in_line) - 1
    assert {pool.pk: bool(pool.has_waiting) for pool in seats.pools} == {
        pool.pk: any(r.pool_id == pool.pk and r.status == Registration.Status.WAITING for r in rows)
        for pool in meeting.pools.all()}
    in_order = meeting.pools.order_by("position", "pk").values_list("pk", flat=True)
    assert [pool.pk for pool in seats.pools] == list(in_order)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements_of_a_booking() -> int:
        with CaptureQueriesContext(connection) as booking:
            assert register_open(meeting).status == Registration.Status.WAITING
        return len(booking.captured_queries)

    few = statements_of_a_booking()
    for _ in range(9):
        register_open(meeting)
    assert statements_of_a_booking() == few


@pytest.mark.django_db
def test_postgresql_connections_bind_on_the_server_and_prepare_repeated_statements():
    """The default (README: DJANGO_DB_SERVER_SIDE_BINDING): the suite itself runs with it."""
    from django.db import connection

    connection.ensure_connection()
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    assert connection.connection.prepare_threshold == 5


@pytest.mark.django_db
def test_the_session_store_reads_what_djangos_database_store_reads(client, django_assert_num_queries):
    """forum.sessions only writes its read as SQL: for a live, an expired, an unknown and no
    key it loads the same data and keeps or forgets the key as Django's store does; a signed-in
    request costs one session query; an expired session and a logout sign the visitor out."""
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session

    from forum.sessions import SessionStore
    from tests.factories import make_user

    user = make_user("sessionen@forum.example")
    client.force_login(user)
    live = client.cookies["sessionid"].value
    expired = SessionStore()
    expired["note"] = "gammal"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    for key in (live, expired.session_key, "x" * 32, None):
        ours, django_own = SessionStore(key), DjangoStore(key)
        with django_assert_num_queries(1 if key else 0):  # no key: nothing to look up
            data = ours.load()
        assert data == django_own.load()
        assert ours.session_key == django_own.session_key
    assert SessionStore(live).load()["_auth_user_id"] == str(user.pk)

    work = reverse("events:my_registrations")
    assert client.get(work).status_code == 200
    Session.objects.filter(session_key=live).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(work).status_code == 302  # signed out: to the login page
    client.force_login(user)
    signed_in = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    client.cookies["sessionid"] = signed_in  # the old cookie, kept by someone
    assert client.get(work).status_code == 302


@pytest.mark.django_db
def test_a_hostile_session_cookie_is_no_session_not_a_server_error(client):
    """A cookie Django could never have issued (a NUL byte, which PostgreSQL refuses in text;
    other characters; too short) starts no query that fails: the visitor is simply signed out."""
    hostile_cookies = ('"\\000abcdefghijklmnop"', '"abc\\047; DROP TABLE x; --"',
                       "abcdefghijklmnopqrstuvwxyz012345ÅÄÖ", "kort")
    for hostile in hostile_cookies:
        cookie = f"sessionid={hostile}"  # as sent, so Django's own cookie parsing decodes the escapes
        assert client.get(reverse("forum:home"), HTTP_COOKIE=cookie).status_code == 200
        response = client.get(reverse("events:my_registrations"), HTTP_COOKIE=cookie)
        assert response.status_code == 302 and "/konto/login/" in response["Location"]
