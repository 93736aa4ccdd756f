"""A forum with years of data, written fast (``bulk_create``), for bench/pages.py and the
query-count tests (tests/test_page_scale.py, at a small scale).

At ``scale=1``: 5,000 companies with a confirmed representative each, 20,000 issues,
300 meetings (six pools each), 60,000 registrations, 100,000 outbox rows, a closed and
confirmed priority vote with 5,000 ballots over 100 candidates, plus the networks and
newsletters of their apps when those apps have models (:func:`seed_networks`,
:func:`seed_newsletters`: hooks that say what they skipped).

Rows that the portal's services would write are written here directly, because going through
the services (mail rendering, audit rows, locks) would take hours at this scale; only the
forum, the coordinator's role and the vote are made by the services, so their invariants
hold (default focus areas, admin access, frozen candidate texts, the stored result).
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SEED = 1414
BATCH = 2000

#: Row counts at ``scale=1`` (issue 14).
FULL = {
    "companies": 5000,
    "issues": 20000,
    "meetings": 300,
    "registrations": 60000,
    "outbox": 100000,
    "ballots": 5000,
    "candidates": 100,
}


@dataclass
class Seeded:
    """What the pages bench and the tests need to find again."""

    forum_slug: str
    coordinator_pk: int
    coordinator_session: str
    meeting_pk: int  # a held meeting with its registrations and issues (the overview, the meeting page)
    open_meeting_pk: int  # the next meeting, registration open
    issue_pk: int
    vote_pk: int
    counts: dict[str, int] = field(default_factory=dict)
    network_pk: int | None = None  # when the networks app has models (seed_networks)
    newsletter_pk: int | None = None  # when the communication app has models (seed_newsletters)
    skipped: list[str] = field(default_factory=list)


def counts_for(scale: float) -> dict[str, int]:
    """The row counts at ``scale`` (small scales keep enough rows for every page to show something)."""
    minimum = {"companies": 20, "issues": 40, "meetings": 4, "registrations": 40, "outbox": 20, "ballots": 10,
               "candidates": 5}
    return {name: max(int(round(full * scale)), minimum[name]) for name, full in FULL.items()}


def _orgnrs(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    from forum.validators import luhn_check_digit

    numbers: list[str] = []
    start = rng.randrange(0, 10**6 - count - 1)
    n = 0
    while len(numbers) < count:
        first_nine = f"55{(start + n) % 10**7:07d}"
        n += 1
        number = first_nine + luhn_check_digit(first_nine)
        formatted = f"{number[:6]}-{number[6:]}"
        if formatted not in taken:
            taken.add(formatted)
            numbers.append(formatted)
    return numbers


def _unique_codes(count: int, taken: set[str]) -> list[str]:
    """Check-in codes as events.models makes them, unique among ``taken`` (60,000 random
    six-letter codes would collide: the model's default relies on the database's constraint)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(secrets.choice(alphabet) for _ in range(6))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def session_for(user: Any) -> str:
    """A logged-in session for ``user`` as django.contrib.auth.login stores it; returns its key."""
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store.update({
        "_auth_user_id": str(user.pk),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": user.get_session_auth_hash(),
    })
    store.create()
    return store.session_key


def seed(*, scale: float = 1.0, slug: str = "", log: Callable[[str], None] = lambda _m: None) -> Seeded:
    """Write a forum with years of data at ``scale`` (see the module). Returns what the pages need."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from events import services as event_services
    from events.models import Meeting, Registration, SeatPool
    from forum.models import Affiliation, Organisation, OutboxMessage, Role
    from forum.services import forum_create, role_grant
    from issues import services as issue_services
    from issues.models import Ballot, Issue, IssueSupport, Side

    counts = counts_for(scale)
    rng = random.Random(SEED)
    User = get_user_model()
    now = timezone.now()
    run = secrets.token_hex(3)
    slug = slug or f"skala-{run}"

    with transaction.atomic():
        forum = forum_create(actor=None, municipality="Malmö", name=f"Näringslivsforum {run}", slug=slug)
        focus_areas = list(forum.focus_areas.all())
        password = make_password(secrets.token_urlsafe(16))  # hashed once
        coordinator = User.objects.create(email=f"samordnare-{run}@skala.example", first_name="Sam",
                                          last_name="Ordnare", password=password)
        role_grant(actor=None, forum=forum, user=coordinator, role=Role.COORDINATOR)

        log(f"{counts['companies']} companies with a confirmed representative")
        taken = set(Organisation.objects.exclude(organisationsnummer=None)
                    .values_list("organisationsnummer", flat=True))
        numbers = _orgnrs(counts["companies"], rng, taken)
        sizes = [s.value for s in Organisation.SizeClass]
        companies = Organisation.objects.bulk_create(
            (Organisation(kind=Organisation.Kind.COMPANY, name=f"Företag {run} {i:05d} AB",
                          organisationsnummer=numbers[i],
                          sni_section=rng.choice("CFGJKLMN"), size_class=rng.choice(sizes), municipality="Malmö")
             for i in range(counts["companies"])), batch_size=BATCH)
        departments = Organisation.objects.bulk_create(
            Organisation(kind=Organisation.Kind.DEPARTMENT, name=f"Förvaltning {run} {i}", municipality="Malmö")
            for i in range(8))
        reps = User.objects.bulk_create(
            (User(email=f"rep-{run}-{i:05d}@skala.example", first_name="Rep", last_name=f"{i:05d}", password=password)
             for i in range(counts["companies"])), batch_size=BATCH)
        Affiliation.objects.bulk_create(
            (Affiliation(person=u, organisation=c, title="VD", confirmed_at=now)
             for u, c in zip(reps, companies, strict=True)), batch_size=BATCH)

        log(f"{counts['meetings']} meetings over the years, six pools each")
        n_meetings = counts["meetings"]
        first = now - dt.timedelta(days=30 * (n_meetings - 2))  # about one a month, the last two ahead
        kinds = [Meeting.Kind.CITY_FOR_BUSINESS, Meeting.Kind.BUSINESS_FOR_CITY, Meeting.Kind.PRIORITISATION]
        meetings = []
        for i in range(n_meetings):
            starts = (first + dt.timedelta(days=30 * i)).replace(hour=8, minute=0, second=0, microsecond=0)
            ahead = starts > now
            meetings.append(Meeting(
                forum=forum, kind=kinds[i % 3], title=f"Tematräff {i + 1}", theme="Kompetensförsörjning",
                starts_at=starts, ends_at=starts + dt.timedelta(hours=3), venue_name="Stadshuset",
                venue_address="August Palms plats 1, Malmö", agenda="Fika, samtal i grupper, avslutning.",
                status=Meeting.Status.REGISTRATION_OPEN if ahead else Meeting.Status.DOCUMENTED,
                capacity=120, created_by=coordinator,
            ))
        meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        Meeting.focus_areas.through.objects.bulk_create(
            (Meeting.focus_areas.through(meeting_id=m.pk, focusarea_id=focus_areas[i % len(focus_areas)].pk)
             for i, m in enumerate(meetings)), batch_size=BATCH)
        pools = SeatPool.objects.bulk_create(
            (SeatPool(meeting=m, kind=kind, name=name, size=size, position=position,
                      hold_until=m.starts_at - event_services.DEFAULT_HOLD)
             for m in meetings for position, (kind, name, size) in enumerate(event_services.DEFAULT_POOLS)),
            batch_size=BATCH)
        pools_of: dict[int, list[SeatPool]] = {}
        for pool in pools:
            pools_of.setdefault(pool.meeting_id, []).append(pool)

        log(f"{counts['registrations']} registrations")
        per_meeting = max(counts["registrations"] // n_meetings, 1)
        codes = _unique_codes(per_meeting * n_meetings, set(Registration.objects.values_list("code", flat=True)))
        registrations = []
        for m_index, meeting in enumerate(meetings):
            company_pools = [p for p in pools_of[meeting.pk] if p.kind != SeatPool.Kind.MUNICIPAL]
            past = meeting.starts_at < now
            for k in range(per_meeting):
                c_index = (m_index * per_meeting + k) % len(companies)
                pool = company_pools[k % len(company_pools)]
                seated = k < 90
                status = Registration.Status.CONFIRMED if seated else (
                    Registration.Status.CANCELLED if past else Registration.Status.WAITING)
                if seated and k % 11 == 0:
                    status = Registration.Status.CANCELLED
                registrations.append(Registration(
                    meeting=meeting, pool=pool, seat_pool=pool if status == Registration.Status.CONFIRMED else None,
                    organisation=companies[c_index], source=Registration.Source.OPEN, status=status,
                    contact_email=reps[c_index].email, contact_name=f"Rep {c_index:05d}", attendee=reps[c_index],
                    attendee_name=f"Deltagare {c_index:05d}", attendee_email=reps[c_index].email,
                    dietary_needs="Vegetarisk" if k % 7 == 0 else "", consent_at=meeting.starts_at,
                    code=codes[m_index * per_meeting + k],
                    confirmed_at=meeting.starts_at - dt.timedelta(days=20) if status != Registration.Status.WAITING
                    else None,
                    waiting_since=meeting.starts_at - dt.timedelta(days=10, minutes=k)
                    if status == Registration.Status.WAITING else None,
                    checked_in_at=meeting.starts_at if past and status == Registration.Status.CONFIRMED and k % 5
                    else None,
                ))
        Registration.objects.bulk_create(registrations, batch_size=BATCH)

        log(f"{counts['issues']} issues")
        statuses = [s.value for s in Issue.Status if s != Issue.Status.MERGED]
        past_meetings = [m for m in meetings if m.starts_at < now] or meetings
        issues = Issue.objects.bulk_create(
            (Issue(forum=forum, meeting=past_meetings[i % len(past_meetings)],
                   focus_area=focus_areas[i % len(focus_areas)],
                   text=f"Fråga {i}: hur kan staden och företagen samarbeta bättre kring kompetensförsörjning "
                        f"och lokaler i område {i % 40}?",
                   side=Side.BUSINESS if i % 3 else Side.CITY, organisation=companies[i % len(companies)],
                   raised_by=reps[i % len(reps)],
                   status=Issue.Status.NEW if i % 50 == 0 else statuses[i % len(statuses)],
                   answer="Svar från förvaltningen." if i % 4 == 0 else "",
                   department=departments[i % len(departments)] if i % 5 == 0 else None)
             for i in range(counts["issues"])), batch_size=BATCH)
        IssueSupport.objects.bulk_create(
            (IssueSupport(issue=issues[i], person=reps[(i * 7 + j) % len(reps)])
             for i in range(0, len(issues), 3) for j in range(2)), batch_size=BATCH)

        log(f"a confirmed vote: {counts['candidates']} candidates, {counts['ballots']} ballots")
        vote_meeting = next(m for m in reversed(past_meetings) if m.kind == Meeting.Kind.PRIORITISATION) \
            if any(m.kind == Meeting.Kind.PRIORITISATION for m in past_meetings) else past_meetings[-1]
        candidates = Issue.objects.bulk_create(
            (Issue(forum=forum, meeting=vote_meeting, focus_area=focus_areas[i % len(focus_areas)],
                   text=f"Kandidat {i}: en prioriterad fråga om näringslivets villkor", side=Side.BUSINESS,
                   status=Issue.Status.CANDIDATE) for i in range(counts["candidates"])), batch_size=BATCH)
        if vote_meeting.kind not in (Meeting.Kind.PRIORITISATION, Meeting.Kind.COMBINED):
            Meeting.objects.filter(pk=vote_meeting.pk).update(kind=Meeting.Kind.PRIORITISATION)
            vote_meeting.kind = Meeting.Kind.PRIORITISATION
        vote = issue_services.vote_create(actor=coordinator, meeting=vote_meeting, title="Prioriteringslista",
                                          candidates=candidates)
        vote = issue_services.vote_open(actor=coordinator, vote=vote)
        ids = [c.pk for c in candidates]
        ballots = []
        for n in range(counts["ballots"]):
            ranked = rng.sample(ids, k=min(len(ids), rng.randint(5, 30)))
            ballots.append(Ballot(vote=vote, voter_key=secrets.token_hex(32), receipt_hash=secrets.token_hex(32),
                                  side=Side.CITY if n % 4 == 0 else Side.BUSINESS,
                                  marks={str(pk): rank for rank, pk in enumerate(ranked, start=1)}))
        Ballot.objects.bulk_create(ballots, batch_size=BATCH)
        vote = issue_services.vote_close(actor=coordinator, vote=vote)
        vote = issue_services.vote_confirm(actor=coordinator, vote=vote)

        log(f"{counts['outbox']} outbox rows")
        sent = OutboxMessage.Status.SENT
        OutboxMessage.objects.bulk_create(
            (OutboxMessage(to_email=reps[i % len(reps)].email, language="sv", template="events/confirmation",
                           subject=f"Bekräftelse {i}", body_text="Du är anmäld.", forum=forum,
                           status=sent if i % 100 else OutboxMessage.Status.FAILED, attempts=1,
                           sent_at=now if i % 100 else None)
             for i in range(counts["outbox"])), batch_size=BATCH)

        skipped: list[str] = []
        for hook in (seed_networks, seed_newsletters):
            note = hook(forum=forum, companies=companies, people=reps, scale=scale, rng=rng)
            if note:
                skipped.append(note)
                log(note)

    open_meeting = next((m for m in meetings if m.starts_at > now), meetings[-1])
    held = past_meetings[-1]
    Network, Newsletter = _model("networks", "Network"), _model("communication", "Newsletter")
    return Seeded(
        forum_slug=forum.slug, coordinator_pk=coordinator.pk, coordinator_session=session_for(coordinator),
        meeting_pk=held.pk, open_meeting_pk=open_meeting.pk, issue_pk=issues[len(issues) // 2].pk, vote_pk=vote.pk,
        counts=counts, skipped=skipped,
        network_pk=Network.objects.filter(forum=forum).values_list("pk", flat=True).first() if Network else None,
        newsletter_pk=(Newsletter.objects.filter(forum=forum).order_by("-pk").values_list("pk", flat=True).first()
                       if Newsletter else None),
    )


def _model(app_label: str, name: str):
    """The model ``app_label.name`` if that app is installed and has it, else None."""
    from django.apps import apps

    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def seed_networks(*, forum, companies, people, scale: float, rng: random.Random) -> str:
    """The networks of issue 12 (networks/), when that app has its models: 40 networks at scale 1
    (a few at small scales), 30 memberships each, every twentieth issue taken up by one.
    Returns a note when skipped (no models on this branch)."""
    Network = _model("networks", "Network")
    Membership = _model("networks", "Membership")
    if Network is None or Membership is None:
        return "networks: no Network model on this branch, not seeded (bench/seed_scale.py seed_networks)"
    from issues.models import Issue

    count = max(int(round(40 * scale)), 3)
    statuses = [s.value for s in Network.Status]
    focus_areas = list(forum.focus_areas.all())
    networks = Network.objects.bulk_create(
        Network(forum=forum, title=f"Nätverk {i + 1}: kompetens och lokaler", goal="Fler praktikplatser i staden.",
                status=Network.Status.ACTIVE if i % 4 else statuses[i % len(statuses)],
                visibility=Network.Visibility.PUBLIC, focus_area=focus_areas[i % len(focus_areas)])
        for i in range(count))
    members = []
    for n, network in enumerate(networks):
        for k in range(min(30, len(people))):
            person = people[(n * 30 + k) % len(people)]
            company = companies[(n * 30 + k) % len(companies)]
            members.append(Membership(
                network=network, person=person, email=person.email, name=person.get_full_name(),
                organisation=company, organisation_name=company.name,
                role=Membership.Role.PROCESS_LEADER if k == 0 else Membership.Role.MEMBER,
                status=Membership.Status.ACTIVE))
    Membership.objects.bulk_create(members, batch_size=BATCH)
    NetworkIssue = _model("networks", "NetworkIssue")
    if NetworkIssue is not None:
        taken = list(Issue.objects.filter(forum=forum).order_by("pk").values_list("pk", flat=True)[::20])
        NetworkIssue.objects.bulk_create(
            (NetworkIssue(network=networks[i % len(networks)], issue_id=pk) for i, pk in enumerate(taken)),
            batch_size=BATCH)
    return ""


def seed_newsletters(*, forum, companies, people, scale: float, rng: random.Random) -> str:
    """The newsletters of issue 13 (the communication app), when it has its models: 60 sent
    newsletters at scale 1 with a recipient row each for 3,000 followers of the latest.
    Returns a note when skipped (no models on this branch)."""
    Newsletter = _model("communication", "Newsletter")
    Recipient = _model("communication", "NewsletterRecipient")
    Follower = _model("communication", "Follower")
    if Newsletter is None or Recipient is None or Follower is None:
        return "newsletters: no Newsletter model on this branch, not seeded (bench/seed_scale.py seed_newsletters)"
    from django.utils import timezone

    now = timezone.now()
    followers = max(int(round(3000 * scale)), 20)
    Follower.objects.bulk_create(
        (Follower(forum=forum, email=f"foljare{n}@skala.example", language="en" if n % 5 == 0 else "sv",
                  confirmed_at=now) for n in range(followers)), batch_size=BATCH)
    letters = Newsletter.objects.bulk_create(
        Newsletter(forum=forum, subject_sv=f"Nyhetsbrev {i + 1}", body_sv="Det här har hänt i forumet.",
                   status=Newsletter.Status.SENT, started_at=now, finished_at=now, recipient_count=followers)
        for i in range(max(int(round(60 * scale)), 2)))
    Recipient.objects.bulk_create(
        (Recipient(newsletter=letters[-1], email=f"foljare{n}@skala.example", language="en" if n % 5 == 0 else "sv",
                   outcome=Recipient.Outcome.MAILED) for n in range(followers)), batch_size=BATCH)
    return ""
