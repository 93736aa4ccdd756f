"""Demo data of theme meetings for "11:11 – Meet Malmö" (the forum and its people are
:mod:`forum.demo`'s and :mod:`accounts.demo`'s, found here by slug and address): the forum's
diversity targets, and its start-up year (seed 002) played out last year – theme meeting 1
held in May (invitations, nominations, open registration, the waiting list and check-in),
meetings 2 and 3 held in September and November with attendance – and this year's spring
meeting (combined) open for registration a few weeks ahead with a registration in every
status, the autumn meeting published later. Everything goes through :mod:`events.services`,
with ``now=`` placing each step in time.

Idempotent: the meetings are skipped if the forum already has any, the targets if it has any.
Run by ``python manage.py seed_demo``, after the forum's part and before the issues' part.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from forum.demo import (
    FORUM_SLUG,
    REPRESENTED_COMPANY_NAME,
    SECTORS,
    SEED,
    SIZE_WEIGHTS,
    ascii_lower,
    generate_companies,
)
from forum.demo import representatives as demo_representatives
from forum.models import Forum, Organisation

from . import services as event_services
from .models import DiversityTarget, Meeting, Nomination, Registration, SeatPool

DIETS = ["Vegetarisk", "Glutenfri", "Laktosfri", "Vegansk", "Halal", "Nötallergi"]
ACCESS_NEEDS = ["Rullstolsplats", "Hörslinga", "Plats nära utgången"]
# Meeting titles by season, indexed by (month % 12) // 3: Dec–Feb, Mar–May, Jun–Aug, Sep–Nov.
SEASON_TITLES = ["Vinterträff", "Vårträff", "Sommarträff", "Höstträff"]

# Municipal participants of the start-up year, per municipal pool: (department, name).
MUNICIPAL_PEOPLE = {
    "Politiker": [("Stadskontoret", "Eva Rosengren"), ("Stadskontoret", "Kemal Demir"),
                  ("Stadskontoret", "Birgitta Lund"), ("Stadskontoret", "Samir Nasser")],
    "Förvaltningschefer": [("Arbetsmarknads- och socialförvaltningen", "Helena Wik"),
                           ("Gymnasie- och vuxenutbildningsförvaltningen", "Tomas Ek"),
                           ("Fastighets- och gatukontoret", "Leila Sadeghi"),
                           ("Stadsbyggnadskontoret", "Magnus Friberg")],
    "Tjänstepersoner": [("Arbetsmarknads- och socialförvaltningen", "Johan Sjövall"),
                        ("Miljöförvaltningen", "Ronja Ahlström"), ("Kulturförvaltningen", "Daniel Okafor"),
                        ("Grundskoleförvaltningen", "Petra Holmgren")],
}



def _new_year(year: int) -> dt.datetime:
    """The morning of 2 January of ``year``: when the demo's coordinator plans that year."""
    return dt.datetime(year, 1, 2, 9, 0, tzinfo=timezone.get_default_timezone())


def _tuesday_1111(day: dt.date) -> dt.datetime:
    """The first Tuesday on or after ``day``, at 11:11 (the concept's name is its start time)."""
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(11, 11), tzinfo=timezone.get_default_timezone())


class StartupYear:
    """The start-up year (last year) and this year's meetings, played out through the
    services, each step at its own ``now``.

    Meeting 1 (May last year) is held: City and Partner picks invited and answered, the open
    pool filled with a waiting list that moved (an offer accepted after a cancellation,
    released seats after the hold date, one offer left to expire), municipal participants,
    and most attendees checked in. Meetings 2 and 3 are held more simply (City pick, open
    pool, municipal participants, check-in); their issues and the vote are :mod:`issues.demo`'s.
    This year's spring meeting, about four weeks ahead, is open for registration: invitations
    answered, declined, expired and still open, nominations pending, approved and rejected, a
    full open pool with a waiting list, one offer that expired and one open
    now. The autumn meeting is published.
    """

    def __init__(self, forum: Forum) -> None:
        self.created: Counter = Counter()
        self.forum = forum
        User = get_user_model()
        self.coordinator = User.objects.get(email="samordnare@forum.example")
        self.nominator = User.objects.get(email="nominerare@forum.example")
        self.facilitator = User.objects.get(email="processledare@forum.example")
        self.representatives = demo_representatives()
        self.rng = random.Random(SEED + 2)
        # The register's companies (forum.demo) that have a contact person, by number.
        numbers = [company["organisationsnummer"] for company in generate_companies()]
        by_number = list(Organisation.objects.filter(
            kind=Organisation.Kind.COMPANY, organisationsnummer__in=numbers, pk__in=list(self.representatives)
        ).order_by("organisationsnummer"))
        # Leyla's company first, so her "my registrations" page has something to show.
        self.companies = sorted(by_number, key=lambda o: o.name != REPRESENTED_COMPANY_NAME)
        self.now = timezone.now()

    def play(self) -> None:
        today = timezone.localdate()
        if self.forum.meetings.exists():
            return  # played out before (meetings, issues and the vote are made together)
        year = today.year - 1  # the start-up year was last year: all three meetings are held
        # Each year's meetings were planned at its start (a new meeting starts in the future).
        first, second, third = event_services.startup_year_create(actor=self.coordinator, forum=self.forum, year=year,
                                                                  now=_new_year(year))
        spring, autumn = event_services.later_year_create(actor=self.coordinator, forum=self.forum, year=today.year,
                                                          now=_new_year(today.year))
        self.created["meeting"] += 5
        # This year's meetings of the plan may lie in the past by now; keep the story current:
        # the first a few weeks ahead (registration open), the second later, each renamed
        # after the season it then falls in.
        self._move(spring, _tuesday_1111(today + dt.timedelta(days=28)))
        self._move(autumn, _tuesday_1111(today + dt.timedelta(days=100)))
        for meeting in (first, second, third, spring, autumn):
            event_services.meeting_update(
                actor=self.coordinator, meeting=meeting, facilitators=[self.facilitator],
                venue_name="Studio Malmö", venue_address="Carlsgatan 12A, 211 20 Malmö",
                venue_accessibility="Entré i gatuplan, hiss till alla våningar, hörslinga i stora salen, "
                                    "tillgänglighetsanpassad toalett.",
            )
        companies = list(self.companies)
        self._held(first, companies)
        self._held_simple(second, city=companies[40:62], open_=companies[:30], municipal=3)
        self._held_simple(third, city=companies[45:70], open_=companies[5:35], municipal=4)
        self._open(spring, companies)
        event_services.meeting_set_status(actor=self.coordinator, meeting=autumn, status=Meeting.Status.PUBLISHED)

    # --- helpers --------------------------------------------------------------------------
    def _move(self, meeting: Meeting, starts_at: dt.datetime) -> None:
        # Named after the season it now falls in: a "Vårträff" moved into December would jar.
        local = timezone.localtime(starts_at)
        event_services.meeting_update(actor=self.coordinator, meeting=meeting, starts_at=starts_at,
                                      ends_at=starts_at + dt.timedelta(hours=3),
                                      title=f"{SEASON_TITLES[(local.month % 12) // 3]} {local.year}")
        for pool in meeting.pools.all():
            event_services.pool_save(actor=self.coordinator, meeting=meeting, pool=pool,
                                     hold_until=starts_at - event_services.DEFAULT_HOLD)

    def _pool(self, meeting: Meeting, kind: str, name: str | None = None) -> SeatPool:
        pools = meeting.pools.filter(kind=kind)
        return pools.get(name=name) if name else pools.get()

    def _needs(self) -> dict[str, str]:
        return {
            "dietary_needs": self.rng.choice(DIETS) if self.rng.random() < 0.25 else "",
            "accessibility_needs": self.rng.choice(ACCESS_NEEDS) if self.rng.random() < 0.06 else "",
        }

    def _invite(self, meeting: Meeting, pool: SeatPool, company: Organisation, now: dt.datetime) -> Registration:
        person = self.representatives[company.pk]
        self.created["registration"] += 1
        return event_services.invitation_create(
            actor=self.coordinator, pool=pool, organisation=company, contact_email=person.email,
            contact_name=person.get_full_name(), now=now,
        )

    def _accept(self, registration: Registration, now: dt.datetime, user: Any = None) -> Registration:
        user = user if user is not None else self.representatives.get(registration.organisation_id)
        return event_services.invitation_accept(
            registration_id=registration.pk, attendee_name=registration.contact_name or registration.contact_email,
            attendee_email=registration.contact_email, consent=True, user=user, now=now, **self._needs(),
        )

    def _register(self, meeting: Meeting, company: Organisation, now: dt.datetime) -> Registration:
        person = self.representatives[company.pk]
        self.created["registration"] += 1
        return event_services.registration_open_create(
            actor=person, meeting=meeting, organisation=company, attendee_name=person.get_full_name(),
            attendee_email=person.email, consent=True, now=now, **self._needs(),
        )

    def _cancel(self, registration: Registration, now: dt.datetime) -> Registration:
        return event_services.registration_cancel(
            registration_id=registration.pk, user=self.representatives.get(registration.organisation_id), now=now
        )

    def _municipal(self, meeting: Meeting, now: dt.datetime, accept: int) -> None:
        """Invite the municipal participants; the first ``accept`` of each pool say yes."""
        for pool_name, people in MUNICIPAL_PEOPLE.items():
            pool = self._pool(meeting, SeatPool.Kind.MUNICIPAL, pool_name)
            for i, (department, name) in enumerate(people):
                email = "tjansteperson@forum.example" if name == "Johan Sjövall" else (
                    f"{ascii_lower(name.split()[0])}.{ascii_lower(name.split()[-1])}@forum.example")
                self.created["registration"] += 1
                department = Organisation.objects.get(kind=Organisation.Kind.DEPARTMENT, name=department)
                invitation = event_services.invitation_create(
                    actor=self.coordinator, pool=pool, organisation=department,
                    contact_email=email, contact_name=name, now=now,
                )
                if i < accept:
                    user = get_user_model().objects.filter(email=email).first()
                    self._accept(invitation, now + dt.timedelta(days=1 + i), user=user)

    def _nominate(self, meeting: Meeting, companies: list[Organisation]) -> list[Nomination]:
        pool = self._pool(meeting, SeatPool.Kind.PARTNER_PICK)
        reasons = [
            "Medlem i Företagarna som anställer via etableringsprogrammet.",
            "Ung verksamhet i Rosengård med stort lokalt engagemang.",
            "Har drivit ett uppmärksammat samarbete med gymnasieskolan.",
            "Företaget vill bidra till fler praktikplatser i staden.",
        ]
        nominations = []
        for i, company in enumerate(companies):
            person = self.representatives[company.pk]
            nominations.append(event_services.nomination_create(
                actor=self.nominator, pool=pool, company=company, contact_email=person.email,
                contact_name=person.get_full_name(), motivation=reasons[i % len(reasons)],
            ))
        return nominations

    # --- meeting 1: held last spring --------------------------------------------------------
    def _held(self, meeting: Meeting, companies: list[Organisation]) -> None:
        starts = meeting.starts_at
        t0 = starts - dt.timedelta(days=45)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED,
                                          now=t0)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting,
                                          status=Meeting.Status.REGISTRATION_OPEN, now=t0)
        city = self._pool(meeting, SeatPool.Kind.CITY_PICK)
        # City pick: 28 invited; 22 accept, 3 decline, 3 never answer.
        invited = [self._invite(meeting, city, c, t0 + dt.timedelta(minutes=i)) for i, c in enumerate(companies[40:68])]
        for i, invitation in enumerate(invited):
            answered = t0 + dt.timedelta(days=2, hours=i)
            if i < 22:
                self._accept(invitation, answered)
            elif i < 25:
                event_services.invitation_decline(registration_id=invitation.pk, now=answered)
        event_services.invitations_expire(now=starts - dt.timedelta(days=1))

        # Partner pick: Företagarna Malmö nominates 12; the coordinator approves 10 (which
        # invites them), rejects 2; 9 accept, 1 declines.
        nominations = self._nominate(meeting, companies[68:80])
        for i, nomination in enumerate(nominations):
            event_services.nomination_decide(actor=self.coordinator, nomination=nomination, approve=i < 10)
        for i, nomination in enumerate(nominations[:10]):
            invitation = meeting.registrations.get(organisation=nomination.company)
            when = t0 + dt.timedelta(days=6, hours=i)
            if i < 9:
                self._accept(invitation, when)
            else:
                event_services.invitation_decline(registration_id=invitation.pk, now=when)
        self.created["registration"] += 10

        # Open registration: 34 companies for 30 seats; 4 on the waiting list.
        opened = t0 + dt.timedelta(days=10)
        registered = [self._register(meeting, c, opened + dt.timedelta(minutes=7 * i))
                      for i, c in enumerate(companies[:34])]
        confirmed = [r for r in registered if r.status == Registration.Status.CONFIRMED]
        # Before the hold date a cancellation frees a seat; the first in line takes the offer.
        self._cancel(confirmed[3], starts - dt.timedelta(days=20))
        first_offer = meeting.registrations.get(status=Registration.Status.OFFERED)
        event_services.offer_accept(registration_id=first_offer.pk,
                                    user=self.representatives[first_offer.organisation_id],
                                    now=starts - dt.timedelta(days=19))
        # After the hold date the picks' unclaimed seats are released to the waiting list;
        # two accept, the last offer is left to expire.
        released = starts - event_services.DEFAULT_HOLD + dt.timedelta(days=1)
        offers = event_services.offers_process(meeting_id=meeting.pk, now=released)
        for offer in offers[:-1]:
            event_services.offer_accept(registration_id=offer.pk, user=self.representatives[offer.organisation_id],
                                        now=released + dt.timedelta(hours=5))
        event_services.offers_process(meeting_id=meeting.pk, now=released + dt.timedelta(hours=meeting.offer_hours + 1))

        self._municipal(meeting, t0, accept=3)
        self._hold(meeting, turnout=0.88)

    # --- last year's meetings 2 and 3: held ------------------------------------------------
    def _held_simple(self, meeting: Meeting, *, city: list[Organisation], open_: list[Organisation],
                     municipal: int) -> None:
        """A held meeting without the waiting-list story of meeting 1: City pick invitations
        accepted, the open pool filled, ``municipal`` participants per municipal pool, most of
        them checked in on the day."""
        starts = meeting.starts_at
        t0 = starts - dt.timedelta(days=40)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED,
                                          now=t0)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting,
                                          status=Meeting.Status.REGISTRATION_OPEN, now=t0)
        pool = self._pool(meeting, SeatPool.Kind.CITY_PICK)
        for i, company in enumerate(city):
            self._accept(self._invite(meeting, pool, company, t0 + dt.timedelta(minutes=i)),
                         t0 + dt.timedelta(days=2, hours=i))
        for i, company in enumerate(open_):
            self._register(meeting, company, t0 + dt.timedelta(days=8, minutes=9 * i))
        self._municipal(meeting, t0, accept=municipal)
        self._hold(meeting, turnout=0.9)

    def _hold(self, meeting: Meeting, *, turnout: float) -> None:
        """Close registration, hold the meeting, and check in about ``turnout`` of those
        confirmed, arriving from 20 minutes before the start."""
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting,
                                          status=Meeting.Status.REGISTRATION_CLOSED)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting, status=Meeting.Status.HELD)
        arrival = meeting.starts_at - dt.timedelta(minutes=20)
        for i, registration in enumerate(meeting.registrations.filter(status=Registration.Status.CONFIRMED)
                                         .order_by("pk")):
            if self.rng.random() < turnout:
                event_services.checkin(actor=self.facilitator, registration=registration,
                                       now=arrival + dt.timedelta(seconds=40 * i))

    # --- this year's spring meeting: registration open now -------------------------------------
    def _open(self, meeting: Meeting, companies: list[Organisation]) -> None:
        now = self.now
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting,
                                          status=Meeting.Status.REGISTRATION_OPEN)
        city = self._pool(meeting, SeatPool.Kind.CITY_PICK)
        # City pick, first round three weeks ago: 12 accept, 2 decline, 3 let it expire.
        first_round = now - dt.timedelta(days=21)
        invited = [self._invite(meeting, city, c, first_round + dt.timedelta(minutes=i))
                   for i, c in enumerate(companies[80:97])]
        for i, invitation in enumerate(invited):
            answered = first_round + dt.timedelta(days=1, hours=3 * i)
            if i < 12:
                self._accept(invitation, answered)
            elif i < 14:
                event_services.invitation_decline(registration_id=invitation.pk, now=answered)
        event_services.invitations_expire(now=now)
        # Second round two days ago: not answered yet.
        for i, company in enumerate(companies[97:103]):
            self._invite(meeting, city, company, now - dt.timedelta(days=2, minutes=-i))

        # Partner pick: 8 nominated; 4 approved (invited now; 2 have accepted), 1 rejected,
        # 3 waiting for the coordinator.
        nominations = self._nominate(meeting, companies[103:111])
        for i, nomination in enumerate(nominations[:5]):
            event_services.nomination_decide(actor=self.coordinator, nomination=nomination, approve=i < 4)
        for nomination in nominations[:2]:
            self._accept(meeting.registrations.get(organisation=nomination.company), now)
        self.created["registration"] += 4

        # Open registration a fortnight ago: 36 companies (many came to meeting 1 too) for 30
        # seats; 6 on the waiting list.
        opened = now - dt.timedelta(days=14)
        registered = [self._register(meeting, c, opened + dt.timedelta(minutes=5 * i))
                      for i, c in enumerate(companies[:36])]
        confirmed = [r for r in registered if r.status == Registration.Status.CONFIRMED]
        # A cancellation ten days ago: the first in line never answered the offer, which passed
        # to the second, who accepted.
        self._cancel(confirmed[5], now - dt.timedelta(days=10))
        event_services.offers_process(meeting_id=meeting.pk,
                                      now=now - dt.timedelta(days=10, hours=-meeting.offer_hours - 1))
        second = meeting.registrations.get(status=Registration.Status.OFFERED)
        event_services.offer_accept(registration_id=second.pk, user=self.representatives[second.organisation_id],
                                    now=now - dt.timedelta(days=7))
        # Yesterday another cancellation: the third in line has an open offer now.
        self._cancel(confirmed[9], now - dt.timedelta(days=1))
        # The last on the waiting list gave up their place.
        last = meeting.registrations.waiting_line().last()
        self._cancel(last, now - dt.timedelta(hours=6))

        self._municipal(meeting, now - dt.timedelta(days=12), accept=2)


def _diversity_targets(forum: Forum) -> None:
    """Targets of seed 002: gender balance, Malmö's share with a foreign background (about a
    third), and industry and size shares as in the register. Kept if a coordinator set any."""
    if DiversityTarget.objects.filter(forum=forum).exists():
        return
    User = get_user_model()
    targets: dict[tuple[str, str], Decimal] = {
        ("gender", User.Gender.WOMAN): Decimal(50), ("gender", User.Gender.MAN): Decimal(50),
        ("background", User.Background.FOREIGN): Decimal(35), ("background", User.Background.SWEDISH): Decimal(65),
    }
    for section, weight, _words in SECTORS:
        targets[("industry", section)] = Decimal(weight) * 100 / sum(w for _s, w, _n in SECTORS)
    for size, weight in SIZE_WEIGHTS:
        targets[("size", size)] = Decimal(weight) * 100 / sum(w for _s, w in SIZE_WEIGHTS)
    event_services.diversity_targets_save(
        actor=User.objects.get(email="samordnare@forum.example"), forum=forum,
        targets={k: v.quantize(Decimal("0.01")) for k, v in targets.items()},
    )


def seed(*, stdout: Any = None) -> None:
    """The demo forum's diversity targets and meetings (nothing if the forum is missing).
    Side effects: rows through :mod:`events.services` (with their audit events and mail);
    a summary on ``stdout``."""
    forum = Forum.objects.filter(slug=FORUM_SLUG).first()
    if forum is None:
        return
    _diversity_targets(forum)
    year = StartupYear(forum)
    year.play()
    if stdout is not None:
        stdout.write(f"Nytt i denna körning: {year.created['meeting']} tematräffar, "
                     f"{year.created['registration']} inbjudningar och anmälningar.")
        for meeting in forum.meetings.order_by("starts_at"):
            stdout.write(
                f"  {meeting.starts_at:%Y-%m-%d} {meeting.title} ({meeting.get_status_display()}): "
                f"{meeting.registrations.count()} inbjudningar och anmälningar"
            )
