"""The registration burst's data: a forum, one meeting with an open pool, and companies each
with a confirmed representative and a logged-in session, written in bulk."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from bench.loadkit import log


# --- set-up in the database --------------------------------------------------------------
@dataclass
class Client:
    session_key: str
    company_pk: int
    email: str


@dataclass
class Scenario:
    meeting_pk: int
    path: str
    clients: list[Client]


def _orgnr_pool(count: int) -> list[str]:
    """``count`` valid organisationsnummer (Luhn check digit) not yet in the register."""
    from forum.models import Organisation
    from forum.validators import luhn_check_digit

    taken = set(Organisation.objects.exclude(organisationsnummer=None).values_list("organisationsnummer", flat=True))
    start = secrets.randbelow(10**6 - count - 1)
    numbers = []
    prefix_number = 0
    while len(numbers) < count:
        first_nine = f"556{start + prefix_number:06d}"
        prefix_number += 1
        number = first_nine + luhn_check_digit(first_nine)
        formatted = f"{number[:6]}-{number[6:]}"
        if formatted not in taken:
            numbers.append(formatted)
    return numbers


def set_up(clients: int, seats: int) -> Scenario:
    """Create the forum, the meeting and ``clients`` representatives with sessions (bulk)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from events import services
    from events.models import Meeting, SeatPool
    from forum.models import Affiliation, Organisation
    from forum.services import forum_create

    User = get_user_model()
    run = secrets.token_hex(3)
    now = timezone.now()
    with transaction.atomic():
        forum = forum_create(actor=None, municipality="Malmö", name=f"Benchmark {run}", slug=f"bench-{run}")
        starts = now + dt.timedelta(days=60)  # every pool's hold date is 14 days before: in the future
        meeting = services.meeting_create(
            actor=None, forum=forum, kind=Meeting.Kind.CITY_FOR_BUSINESS, title=f"Belastningstest {run}",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
        )
        open_pool = meeting.pools.get(kind=SeatPool.Kind.OPEN)
        services.pool_save(actor=None, meeting=meeting, pool=open_pool, size=seats)
        services.meeting_update(actor=None, meeting=meeting, capacity=max(meeting.capacity, seats + 90))
        services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.REGISTRATION_OPEN)

        numbers = _orgnr_pool(clients)
        companies = Organisation.objects.bulk_create(
            Organisation(
                kind=Organisation.Kind.COMPANY,
                name=f"Lasttest {run} {i:05d} AB",
                organisationsnummer=numbers[i],
                sni_section="J",
                size_class=Organisation.SizeClass.MICRO,
                municipality="Malmö",
            )
            for i in range(clients)
        )
        password = make_password(secrets.token_urlsafe(16))  # hashed once: hashing 1,000 times takes minutes
        users = User.objects.bulk_create(
            User(email=f"rep-{run}-{i:05d}@bench.example", first_name="Rep", last_name=f"{i:05d}", password=password)
            for i in range(clients)
        )
        Affiliation.objects.bulk_create(
            Affiliation(person=u, organisation=c, title="VD", confirmed_at=now)
            for u, c in zip(users, companies, strict=True)
        )
        # A logged-in session per representative, as django.contrib.auth.login would write it.
        store = SessionStore()
        sessions, result = [], []
        for user, company in zip(users, companies, strict=True):
            key = store._get_new_session_key()
            data = store.encode({
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            })
            sessions.append(Session(session_key=key, session_data=data, expire_date=now + dt.timedelta(days=1)))
            result.append(Client(session_key=key, company_pk=company.pk, email=user.email))
        Session.objects.bulk_create(sessions)
    # A database in service has planner statistics; freshly bulk-written tables have none until
    # autovacuum gets to them, and the first minute of plans would be guesses.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    try:
        path = reverse("events:register", kwargs={"pk": meeting.pk})
    except NoReverseMatch:
        path = f"/tematraff/{meeting.pk}/anmal/"
        log(f"URL name events:register not found; using {path}")
    return Scenario(meeting_pk=meeting.pk, path=path, clients=result)


def outcome(meeting_pk: int) -> dict[str, int]:
    from django.db.models import Count

    from events.models import Registration

    rows = Registration.objects.filter(meeting_id=meeting_pk).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}
