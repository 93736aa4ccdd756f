"""Small helpers that make test data through the real services (or, where a test only
needs a row to exist, straight into the database). Shared by the test modules; the
pytest fixtures built on them (``forum``, ``partners``) live in tests/conftest.py.

Organisationsnummer come from one counter for the whole session, so they are unique
within every test, and always valid (Luhn check digit).
"""
from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone

from accounts.models import User
from events import services as events_services
from events.models import Meeting, Registration, SeatPool
from forum import services as forum_services
from forum.antispam import HONEYPOT_FIELD, STARTED_FIELD, started_token
from forum.models import Forum, Organisation, Role
from forum.validators import luhn_check_digit

PASSWORD = "Lösen-för-test-123"
"""The password of every user made here (unless a test passes its own)."""

_numbers = itertools.count(1)


def next_number() -> int:
    """The next number of the session-wide sequence (organisationsnummer, names, e-mail addresses)."""
    return next(_numbers)


def valid_organisationsnummer(n: int | None = None) -> str:
    """A valid company organisationsnummer, ``559NNNNNN`` plus its Luhn check digit.
    Without ``n`` the next number of the sequence is used, so every call gives a new one."""
    first_nine = f"559{next_number() if n is None else n:06d}"
    return first_nine + luhn_check_digit(first_nine)


# --------------------------------------------------------------------- forum, people


def make_forum(**overrides) -> Forum:
    """The Malmö forum "11:11 – Meet Malmö" (slug ``meet-malmo``), with its default focus areas."""
    fields = {"municipality": "Malmö", "name": "11:11 – Meet Malmö", "slug": "meet-malmo", **overrides}
    return forum_services.forum_create(actor=None, **fields)


def make_user(email: str, password: str = PASSWORD, *, verified_email: bool = False, **extra) -> User:
    """A user (``extra``: first_name, last_name, is_staff, …). With ``verified_email`` also
    allauth's verified primary address, which logging in through the pages needs."""
    user = User.objects.create_user(email, password, **extra)
    if verified_email:
        verify_email(user)
    return user


def verify_email(user: User) -> EmailAddress:
    """Give ``user`` allauth's verified primary e-mail address (needed to log in by password)."""
    return EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def make_role_holder(forum: Forum, role: str, email: str | None = None, *,
                     partner_organisation: Organisation | None = None, **extra) -> User:
    """A user holding ``role`` in ``forum`` (e-mail ``{role}@forum.example`` unless given)."""
    user = make_user(email or f"{role}@forum.example", **extra)
    forum_services.role_grant(actor=None, forum=forum, user=user, role=role, partner_organisation=partner_organisation)
    return user


# --------------------------------------------------------------------- organisations


def make_company(name: str | None = None, *, sni: str = "J", size: str = "0-9",
                 organisationsnummer: str | None = None, **fields) -> Organisation:
    """A company in the register with a fresh valid organisationsnummer (or the one given),
    industry ``sni`` and size class ``size``. Default name "Företag N AB"."""
    n = next_number()
    return forum_services.organisation_create(
        actor=None, kind=Organisation.Kind.COMPANY, name=name or f"Företag {n} AB",
        organisationsnummer=organisationsnummer or valid_organisationsnummer(n), sni_section=sni, size_class=size,
        **fields,
    )


def make_partners() -> tuple[Organisation, Organisation]:
    """Two partner organisations: Företagarna Malmö and MINC."""
    return (
        Organisation.objects.create(kind=Organisation.Kind.PARTNER, name="Företagarna Malmö"),
        Organisation.objects.create(kind=Organisation.Kind.PARTNER, name="MINC"),
    )


def make_representative(company: Organisation, email: str, *, title: str = "VD", confirmed: bool = True,
                        **extra) -> User:
    """A user who represents ``company`` (confirmed unless told otherwise)."""
    user = make_user(email, **extra)
    forum_services.affiliation_create(actor=None, person=user, organisation=company, title=title, confirmed=confirmed)
    return user


def company_with_rep(*, confirmed: bool = True, verified_email: bool = False) -> tuple[Organisation, User]:
    """A new company ("Företag N AB") and its representative ``repN@forum.example``, "RepN Test"."""
    n = next_number()
    company = make_company(f"Företag {n} AB", organisationsnummer=valid_organisationsnummer(n))
    user = make_representative(company, f"rep{n}@forum.example", confirmed=confirmed, verified_email=verified_email,
                               first_name=f"Rep{n}", last_name="Test")
    return company, user


def staff_and_representative(forum: Forum) -> dict[str, User]:
    """A coordinator, a facilitator and a researcher of ``forum`` (keyed by role, e-mail
    ``{role}@example.se``) and, under "company", a confirmed representative of Eget AB."""
    people = {role: make_role_holder(forum, role, f"{role}@example.se")
              for role in (Role.COORDINATOR, Role.FACILITATOR, Role.RESEARCHER)}
    people["company"] = make_representative(make_company("Eget AB"), "foretag@example.se")
    return people


# --------------------------------------------------------------------- meetings


def make_meeting(forum: Forum, *, kind: str = Meeting.Kind.COMBINED, title: str = "Vårträff",
                 starts_at: dt.datetime | None = None, hours: int = 3, actor=None, **fields) -> Meeting:
    """A draft meeting with the default pools, by default in 60 days and three hours long.
    ``fields`` go to ``events.services.meeting_create`` (theme, venue, facilitators, …). A
    meeting in the past is made as planned 60 days before it (a new meeting starts in the
    future), unless ``now`` is given."""
    starts_at = starts_at or timezone.now() + dt.timedelta(days=60)
    fields.setdefault("now", min(timezone.now(), starts_at - dt.timedelta(days=60)))
    return events_services.meeting_create(actor=actor, forum=forum, kind=kind, title=title, starts_at=starts_at,
                                          ends_at=starts_at + dt.timedelta(hours=hours), **fields)


def open_with_small_pools(meeting: Meeting, size: int = 2) -> Meeting:
    """Open ``meeting`` for registration with only two small pools, so the booking rules are
    visible: City pick and Open of ``size`` seats each (the others removed), capacity their sum.
    The pools keep their hold date, 14 days before the meeting."""
    meeting.pools.exclude(kind__in=[SeatPool.Kind.CITY_PICK, SeatPool.Kind.OPEN]).delete()
    meeting.pools.update(size=size)
    meeting.capacity = 2 * size
    meeting.status = Meeting.Status.REGISTRATION_OPEN
    meeting.save()
    return meeting


def pool_of(meeting: Meeting, kind: str) -> SeatPool:
    """The meeting's first pool of ``kind`` (by position); DoesNotExist when it has none."""
    return meeting.pools.filter(kind=kind).earliest("position")


def register_open(meeting: Meeting, *, now: dt.datetime | None = None,
                  pair: tuple[Organisation, User] | None = None) -> Registration:
    """An open registration through the booking service, for a new company with a confirmed
    representative (or the given ``(company, user)``), attending themselves."""
    company, user = pair or company_with_rep()
    return events_services.registration_open_create(
        actor=user, meeting=meeting, organisation=company, attendee_name=user.get_full_name(),
        attendee_email=user.email, consent=True, now=now,
    )


def delivered(rows) -> list:
    """The outbox rows of ``rows`` (a queryset) as the worker leaves them: each still queued is
    sent now, in-process, to the SMTP sink (rendering a booking's deferred mail first, as
    ``forum.services.outbox_deliver`` does), then read again. For tests whose transaction
    never commits, so no task ever runs."""
    from forum.models import OutboxMessage

    for pk in rows.filter(status=OutboxMessage.Status.QUEUED).values_list("pk", flat=True):
        forum_services.outbox_deliver(pk)
    return list(rows.order_by("pk"))


def make_registration(meeting: Meeting, organisation: Organisation, *, status: str = Registration.Status.CONFIRMED,
                      pool: SeatPool | None = None, **fields) -> Registration:
    """A registration row in a given status, written straight to the database (the booking
    services are tested in test_booking.py): an invitation in the City pool unless ``pool`` is
    given, holding a seat when the status occupies one. Contact ``kontakt{org pk}@example.se``
    and, with an ``attendee``, their full name as attendee name, unless given."""
    pool = pool or pool_of(meeting, SeatPool.Kind.CITY_PICK)
    fields.setdefault("contact_email", f"kontakt{organisation.pk}@example.se")
    if fields.get("attendee") is not None:
        fields.setdefault("attendee_name", fields["attendee"].get_full_name())
    return Registration.objects.create(
        meeting=meeting, pool=pool, seat_pool=pool if status in Registration.OCCUPYING else None,
        organisation=organisation, source=Registration.Source.INVITATION, status=status, **fields,
    )


# --------------------------------------------------------------------- the browser


def log_in_in_browser(page, live_server, user: User, password: str = PASSWORD) -> None:
    """Log in through the Swedish log-in page in Playwright's ``page`` and wait for the home
    page. The user needs a verified e-mail address (``make_user(..., verified_email=True)``)."""
    page.goto(live_server.url + "/konto/login/")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(live_server.url + "/")


# --- forms that send mail without log-in (forum.antispam) ---------------------------------
def bot_guard_fields(form_class: type, *, age: float = 60) -> dict[str, str]:
    """The bot guard's fields as a person's browser sends them: an empty honeypot and the
    page's start time signed ``age`` seconds ago (more than FORUM_FORM_MIN_SECONDS)."""
    return {HONEYPOT_FIELD: "", STARTED_FIELD: started_token(form_class.antispam_action, time.time() - age)}


# --- concurrency ------------------------------------------------------------------------
THREAD_TIMEOUT = 120  # seconds; a hung thread fails the test instead of hanging the suite


def run_concurrently(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException | None]]:
    """Run every job in its own thread (so its own database connection), all released
    together by a barrier. Returns the results and the exceptions raised (in job order, None
    where there was none); a thread still running after THREAD_TIMEOUT fails the test."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)
    errors: list[BaseException | None] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            results[index] = job()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors[index] = error
        finally:
            # Each thread opened its own connection; leave none behind for the teardown flush.
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors
