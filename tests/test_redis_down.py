"""The portal while Redis – the broker and the cache – cannot be reached (README, "Redis
down"): the portal runs under gunicorn in a process of its own whose Redis is a closed port,
on the test database, and Chromium signs up, verifies, logs in, registers for a meeting,
raises an issue and asks for a password reset through the real pages. Mail waits in the
outbox, marked for the sweep, and goes out when a process that has Redis sweeps. The
rate limits keep counting, in the database."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from accounts.models import User
from events.models import Meeting, Registration
from forum import services as forum_services
from forum.models import CacheEntry, OutboxMessage
from issues.models import Issue
from tests import unreachable
from tests.factories import make_company, make_meeting, make_registration, make_user, open_with_small_pools

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sommar-i-Malmö-2026"


@pytest.fixture
def portal(transactional_db):
    """The base URL of the portal running without Redis."""
    with unreachable.serve() as url:
        yield url


def submit(page) -> None:
    """Press the submit button of the page's main form (by role, whatever its wording)."""
    page.locator("main form:has(button[type=submit])").last.locator("button[type=submit]").last.click()
    page.wait_for_load_state()


def waiting_mail(to: str) -> OutboxMessage:
    """The one mail to ``to`` still waiting: queued, marked as never handed to the broker."""
    [row] = OutboxMessage.objects.filter(to_email=to, status=OutboxMessage.Status.QUEUED)
    assert row.handover_failed
    return row


def test_sign_up_log_in_register_raise_and_reset_while_redis_is_down(portal, page, mailbox, forum):
    areas = forum.focus_areas.all()
    open_meeting = open_with_small_pools(make_meeting(forum, title="Höstträff", focus_areas=areas))
    held = make_meeting(forum, title="Vårträff", focus_areas=areas, starts_at=timezone.now() - dt.timedelta(hours=1))
    held.status = Meeting.Status.HELD
    held.save()
    company = make_company("Redisfri AB")
    email = "utan-redis@forum.example"

    # Sign up: the verification mail waits in the outbox.
    page.goto(portal + "/konto/signup/")
    page.locator("input[name=first_name]").fill("Rut")
    page.locator("input[name=last_name]").fill("Redislös")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/konto/confirm-email/$"))
    waiting_mail(email)
    assert not mailbox.messages()

    # A process with Redis (this one) sweeps: the mail goes out at once, and its link works.
    assert forum_services.outbox_sweep() == 1
    [mail] = mailbox.wait_for(lambda m: email in m["To"])
    [link] = [url for url in mailbox.links(mail) if "/konto/confirm-email/" in url]
    page.goto(link)
    submit(page)
    user = User.objects.get(email=email)
    assert user.emailaddress_set.get().verified

    # Log out, then log in with the password (allauth's rate limits live in the cache).
    page.goto(portal + "/konto/logout/")
    submit(page)
    page.goto(portal + "/konto/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(portal + "/")

    # Register for a meeting as the company's representative.
    forum_services.affiliation_create(actor=None, person=user, organisation=company, title="VD", confirmed=True)
    page.goto(portal + f"/tematraff/{open_meeting.pk}/anmal/")
    page.locator("input[name=consent]").check()
    submit(page)
    page.wait_for_url(re.compile(r"/mina-anmalningar/$"))
    registration = Registration.objects.get(meeting=open_meeting, organisation=company)
    assert registration.status == Registration.Status.CONFIRMED
    waiting_mail(registration.attendee_email)

    # Raise an issue at the meeting held today.
    make_registration(held, company, attendee=user)
    page.goto(portal + f"/tematraff/{held.pk}/fragor/")
    page.locator("textarea[name=text]").fill("Laddplatser vid industriområdet")
    page.locator("select[name=focus_area]").select_option(str(areas.order_by("position").first().pk))
    page.locator("main form:has(textarea[name=text]) button[type=submit]").click()
    page.wait_for_load_state()
    assert Issue.objects.filter(meeting=held, text="Laddplatser vid industriområdet", raised_by=user).exists()

    # Log out and ask for a password reset.
    page.goto(portal + "/konto/logout/")
    submit(page)
    OutboxMessage.objects.filter(to_email=email).delete()  # the registration's confirmation, still waiting
    page.goto(portal + "/konto/password/reset/")
    page.locator("input[name=email]").fill(email)
    submit(page)
    page.wait_for_url(re.compile(r"/konto/password/reset/done/$"))
    waiting_mail(email)

    # The limits were counted in the database cache while Redis was away.
    assert CacheEntry.objects.filter(cache_key__contains="allauth").exists()


def test_failed_passwords_are_still_limited_while_redis_is_down():
    """The security decision: rate limits keep working through the outage (in PostgreSQL),
    rather than failing open (unlimited guessing) or closed (nobody logs in)."""
    user = make_user("gissad@forum.example", verified_email=True)
    result = unreachable.run_python(
        "import json\n"
        "from django.test import Client\n"
        "client = Client(SERVER_NAME='localhost', HTTP_ACCEPT_LANGUAGE='en')\n"
        "answers = []\n"
        "for attempt in range(6):\n"
        f"    response = client.post('/konto/login/', {{'login': '{user.email}', 'password': 'fel-gissning-{{0}}'}})\n"
        "    answers.append([response.status_code, 'Too many failed log-in attempts' in response.content.decode()])\n"
        "print(json.dumps(answers))\n"
    )
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    # Five wrong guesses are checked; the sixth is refused before the password is looked at.
    assert answers[:5] == [[200, False]] * 5
    assert answers[5] == [200, True]
    assert CacheEntry.objects.filter(cache_key__contains="login_failed").exists()


def test_the_page_cache_generation_still_counts_while_redis_is_down():
    """forum.cache.bump falls back to the database cache as every other operation does, so a
    write still makes stored pages stale for the processes that share that fallback."""
    result = unreachable.run_python(
        "from django.core.cache import cache\n"
        "from forum.cache import bump\n"
        "print(bump(cache, 'bump-down'), bump(cache, 'bump-down'), cache.get('bump-down'))\n"
    )
    assert result.stdout.strip().splitlines()[-1] == "1 2 2"
    assert CacheEntry.objects.filter(cache_key__contains="bump-down").exists()
