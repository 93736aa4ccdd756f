"""Demo data for "11:11 – Meet Malmö": the forum, an invented register of companies, the
partner organisations of seed 002, city departments, a few non-profits and one user per
role. Everything is invented (no real people); mail addresses are on ``forum.example``.

It also plays out the forum's start-up year (seed 002) last year: theme meeting 1 held in May
(invitations, nominations, open registration, the waiting list and check-in), meetings 2 and 3
held in September and November with attendance; about 40 issues raised at meetings 1 and 2 in
every status (new, quick fix routed with a due date, some overdue, candidate, taken up by a
network, resolved, out of scope, merged duplicates), some anonymous, with supporters; and a
closed Schulze vote at meeting 3 with its confirmed priority list. This year's spring meeting
(combined) is open for registration a few weeks ahead with a registration in every status,
the autumn meeting published later; and the forum's diversity targets. Everything goes
through the services in :mod:`events.services` and :mod:`issues.services`, with ``now=``
placing each step in time where the service takes one.

Idempotent: every object is looked up by its natural key (slug, organisationsnummer,
kind + name, email) before it is created, so a second run creates nothing new; the meetings
(with the issues and the vote) are skipped if the forum already has any meetings, and the
targets if it has any.

Demo mail is written to the outbox like any other (that is how the services work) but marked
as sent at once: the addresses are invented and nothing leaves the portal.
"""
from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from events import services as event_services
from events.models import DiversityTarget, Meeting, Nomination, Registration, SeatPool
from forum.models import Affiliation, Forum, ForumRole, Organisation, OutboxMessage, Role
from forum.services import affiliation_create, forum_create, forum_update, organisation_create, role_grant
from forum.validators import luhn_check_digit

DEMO_PASSWORD = "Demo-1111-forum"
MUNICIPALITY = "Malmö"
ORGANISER = "Malmö stad"
FORUM_SLUG = "meet-malmo"
FORUM_NAME = "11:11 – Meet Malmö"
FORUM_DESCRIPTION = (
    "11:11 – Meet Malmö är Malmö stads forum tillsammans med näringslivet för ett förstärkt, "
    "gemensamt arbete för social hållbarhet, med särskilt fokus på arbete och utbildning. "
    "Företrädare för kommunen – politiker och tjänstepersoner – och för näringslivet möts på "
    "likvärdig grund i tematräffar, där de frågor som lyfts samlas i en gemensam prioriteringslista. "
    "Ur de prioriterade frågorna bildas tematiska nätverk som följs upp med kontinuerlig återkoppling."
)
COMPANY_COUNT = 120
SEED = 1111

# Malmö's five city districts (stadsområden) with neighbourhood name stems and postcode
# prefixes of the kind used there (approximate, invented street-level numbers).
DISTRICTS: dict[str, tuple[list[str], list[str]]] = {
    "Innerstaden": (
        ["Möllans", "Davidshalls", "Triangelns", "Pildammens", "Sofielunds", "Södervärns", "Lugnets"],
        ["211", "214"],
    ),
    "Väster": (
        ["Limhamns", "Ribersborgs", "Fridhems", "Slottsstadens", "Bunkeflo", "Klagshamns", "Bellevue"],
        ["216", "217", "218"],
    ),
    "Norr": (
        ["Västra Hamnen", "Kirsebergs", "Frihamnens", "Segevångs", "Bulltofta", "Värnhems"],
        ["211", "212"],
    ),
    "Söder": (
        ["Hyllie", "Lindängens", "Holma", "Kroksbäcks", "Almviks", "Gullvikens"],
        ["214", "215"],
    ),
    "Öster": (
        ["Rosengårds", "Husie", "Jägersro", "Videdals", "Toftanäs", "Kvarnby", "Kulladals"],
        ["212", "213"],
    ),
}
# Invented stems not tied to a district (the district is drawn at random).
FREE_STEMS = [
    "Sundbro", "Ekvik", "Nordvind", "Brofästets", "Ljusgårdens", "Kvartersbolaget", "Saltvindens", "Stadsparkens",
]

# (SNI section, weight, [(name word, SNI code)]) – the weights give a city economy where
# trade, IT, professional services, hospitality and construction dominate.
SECTORS: list[tuple[str, int, list[tuple[str, str]]]] = [
    ("G", 16, [("Livs", "47112"), ("Cykelhandel", "47642"), ("Inredning", "47591"), ("Blommor", "47761"),
               ("Järnhandel", "47521"), ("Partihandel", "46900"), ("Optik", "47781"), ("Mode", "47711"),
               ("Datorbutik", "47410")]),
    ("J", 12, [("Digital", "62010"), ("Webbutveckling", "62010"), ("IT-konsult", "62020"), ("Film", "59110"),
               ("Spelstudio", "58210"), ("Datadrift", "63110")]),
    ("M", 12, [("Redovisning", "69201"), ("Advokatbyrå", "69101"), ("Arkitekter", "71110"),
               ("Ingenjörsbyrå", "71121"), ("Reklambyrå", "73111"), ("Processkonsult", "70220"),
               ("Grafisk Design", "74102")]),
    ("I", 10, [("Kafé", "56100"), ("Restaurang", "56100"), ("Catering", "56210"), ("Pizzeria", "56100"),
               ("Vandrarhem", "55201"), ("Hotell", "55101"), ("Gatukök", "56100")]),
    ("F", 9, [("Bygg", "41200"), ("Måleri", "43341"), ("El", "43210"), ("VVS", "43221"), ("Golv", "43330"),
              ("Tak", "43910"), ("Snickeri", "43320")]),
    ("C", 7, [("Bageri", "10710"), ("Bryggeri", "11050"), ("Kafferosteri", "10830"), ("Möbelsnickeri", "31090"),
              ("Mekaniska Verkstad", "25620"), ("Chokladfabrik", "10820")]),
    ("N", 7, [("Städservice", "81210"), ("Bemanning", "78200"), ("Rekrytering", "78100"),
              ("Fastighetsservice", "81100"), ("Grönyteskötsel", "81300"), ("Säkerhet", "80100")]),
    ("Q", 5, [("Tandvård", "86230"), ("Fysioterapi", "86904"), ("Hemtjänst", "88101"), ("Läkarmottagning", "86211")]),
    ("H", 5, [("Åkeri", "49410"), ("Logistik", "52290"), ("Budservice", "53202"), ("Flytt", "49420"),
              ("Taxi", "49320")]),
    ("P", 4, [("Trafikskola", "85530"), ("Kompetensutveckling", "85592"), ("Musikskola", "85520"),
              ("Förskola", "85100")]),
    ("L", 4, [("Fastigheter", "68201"), ("Fastighetsförvaltning", "68320")]),
    ("S", 4, [("Cykelverkstad", "95290"), ("Frisör", "96021"), ("Skönhetssalong", "96022"), ("Skomakeri", "95230")]),
    ("R", 3, [("Teater", "90010"), ("Träningscenter", "93130"), ("Konsthall", "90040")]),
    ("K", 2, [("Försäkringsförmedling", "66220"), ("Kapitalförvaltning", "66300")]),
]
SIZE_WEIGHTS = [
    (Organisation.SizeClass.MICRO, 55),
    (Organisation.SizeClass.SMALL, 28),
    (Organisation.SizeClass.MEDIUM, 12),
    (Organisation.SizeClass.LARGE, 5),
]

# Two fixed companies that demo users represent (they count towards COMPANY_COUNT).
CONSULTANCY_NAME = "Ribersborgs Processkonsult AB"
REPRESENTED_COMPANY_NAME = "Sofielunds Cykelverkstad AB"

PARTNERS = ["Företagarna Malmö", "Svenskt Näringsliv Skåne", "MINC", "Media Evolution City", "Arbetsförmedlingen"]
DEPARTMENTS = [
    "Stadskontoret",
    "Arbetsmarknads- och socialförvaltningen",
    "Gymnasie- och vuxenutbildningsförvaltningen",
    "Fastighets- och gatukontoret",
    "Stadsbyggnadskontoret",
    "Miljöförvaltningen",
    "Kulturförvaltningen",
    "Grundskoleförvaltningen",
]
NONPROFITS = ["Föreningen Framtidens Malmö", "Stiftelsen Följeforskning Öresund", "Föreningen Kvartersnätverket Malmö"]


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    description: str  # shown in the summary
    organisation: str | None = None  # (kind is looked up by name)
    title: str = ""
    role: str | None = None
    partner: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


USERS = [
    DemoUser("admin@forum.example", "Alva", "Strandberg", "portaladministratör", is_staff=True, is_superuser=True),
    DemoUser("samordnare@forum.example", "Nils", "Ekdahl", "samordnare", "Stadskontoret", "Näringslivsutvecklare",
             Role.COORDINATOR, is_staff=True),
    DemoUser("kommunikator@forum.example", "Mira", "Lindqvist", "kommunikatör", "Stadskontoret", "Kommunikatör",
             Role.COMMUNICATOR),
    DemoUser("nominerare@forum.example", "Omar", "Haddad", "nominerar för Företagarna Malmö", "Företagarna Malmö",
             "Näringspolitisk samordnare", Role.PARTNER_NOMINATOR, partner="Företagarna Malmö"),
    DemoUser("processledare@forum.example", "Sara", "Björkman", "processledare", CONSULTANCY_NAME, "Processledare",
             Role.FACILITATOR),
    DemoUser("forskare@forum.example", "Elias", "Nyström", "följeforskare", "Stiftelsen Följeforskning Öresund",
             "Följeforskare", Role.RESEARCHER),
    DemoUser("foretag@forum.example", "Leyla", "Karimi", "företagsrepresentant", REPRESENTED_COMPANY_NAME, "VD"),
    DemoUser("tjansteperson@forum.example", "Johan", "Sjövall", "kommunal tjänsteperson",
             "Arbetsmarknads- och socialförvaltningen", "Utvecklingssekreterare"),
]


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _postcode(rng: random.Random, prefix: str) -> str:
    return f"{prefix} {rng.randint(10, 79):02d}"


def generate_companies(count: int = COMPANY_COUNT) -> list[dict]:
    """The invented company register, deterministic for a given seed. Returns dicts of
    Organisation fields (kind company) with unique names and organisationsnummer."""
    rng = random.Random(SEED)
    used_numbers: set[str] = set()
    used_names: set[str] = set()

    def orgnr() -> str:
        while True:
            first_nine = "559" + f"{rng.randrange(10**6):06d}"
            number = first_nine + luhn_check_digit(first_nine)
            formatted = f"{number[:6]}-{number[6:]}"
            if formatted not in used_numbers:
                used_numbers.add(formatted)
                return formatted

    companies = [
        {
            "name": CONSULTANCY_NAME, "sni_section": "M", "sni_code": "70220",
            "size_class": Organisation.SizeClass.MICRO, "district": "Väster",
            "postcode": _postcode(rng, "217"),
        },
        {
            "name": REPRESENTED_COMPANY_NAME, "sni_section": "S", "sni_code": "95290",
            "size_class": Organisation.SizeClass.MICRO, "district": "Innerstaden",
            "postcode": _postcode(rng, "214"),
        },
    ]
    used_names.update(c["name"] for c in companies)
    sector_weights = [(sector, weight) for sector, weight, _ in SECTORS]
    words = {sector: nouns for sector, _, nouns in SECTORS}
    while len(companies) < count:
        section = _weighted(rng, sector_weights)
        word, code = rng.choice(words[section])
        district = rng.choice(list(DISTRICTS))
        stems, prefixes = DISTRICTS[district]
        stem = rng.choice(FREE_STEMS) if rng.random() < 0.2 else rng.choice(stems)
        name = f"{stem} {word} AB"
        if name in used_names:
            continue
        used_names.add(name)
        companies.append(
            {
                "name": name,
                "sni_section": section,
                "sni_code": code,
                "size_class": _weighted(rng, SIZE_WEIGHTS),
                "district": district,
                "postcode": _postcode(rng, rng.choice(prefixes)),
            }
        )
    for company in companies:
        company["organisationsnummer"] = orgnr()
    return companies


# Invented contact people for the companies: (first name, gender) and surnames, mixed as in
# Malmö, where about a third of the inhabitants have a foreign background.
FIRST_NAMES = [
    ("Anna", "woman"), ("Maria", "woman"), ("Fatima", "woman"), ("Sara", "woman"), ("Emma", "woman"),
    ("Amira", "woman"), ("Karin", "woman"), ("Aylin", "woman"), ("Ida", "woman"), ("Zeynep", "woman"),
    ("Elin", "woman"), ("Noor", "woman"), ("Hanna", "woman"), ("Jelena", "woman"), ("Linnea", "woman"),
    ("Erik", "man"), ("Mohammed", "man"), ("Lars", "man"), ("Ali", "man"), ("Johan", "man"), ("Ahmed", "man"),
    ("Anders", "man"), ("Emir", "man"), ("Oskar", "man"), ("Hassan", "man"), ("Per", "man"), ("Dragan", "man"),
    ("Mattias", "man"), ("Yusuf", "man"), ("Gustav", "man"), ("Kim", "non_binary"),
]
LAST_NAMES = [
    "Andersson", "Nilsson", "Persson", "Hansson", "Olsson", "Larsson", "Johansson", "Lindberg", "Holm",
    "Svensson", "Bengtsson", "Jönsson", "Ali", "Hussein", "Yilmaz", "Kovačević", "Nowak", "Abdi", "Rahimi",
    "Haddad", "Mohammadi", "Öztürk", "Petrović", "Ibrahim", "Nguyen", "Sandberg", "Åkesson", "Mårtensson",
]
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


def _ascii(text: str) -> str:
    """Lower-case ASCII for an invented mail address (Åkesson -> akesson)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


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
    pool, municipal participants, check-in); see :class:`IssuesAndVote` for their issues and
    the vote. This year's spring meeting, about four weeks ahead, is open for registration:
    invitations answered, declined, expired and still open, nominations pending, approved
    and rejected, a full open pool with a waiting list, one offer that expired and one open
    now. The autumn meeting is published.
    """

    def __init__(self, command, forum: Forum, users: dict[str, User], organisations: dict[str, Organisation],
                 representatives: dict[int, User]) -> None:
        self.command = command
        self.forum = forum
        self.coordinator = users["samordnare@forum.example"]
        self.nominator = users["nominerare@forum.example"]
        self.facilitator = users["processledare@forum.example"]
        self.organisations = organisations
        self.representatives = representatives
        self.rng = random.Random(SEED + 2)
        by_number = sorted(
            (o for o in organisations.values() if o.kind == Organisation.Kind.COMPANY and o.pk in representatives),
            key=lambda o: o.organisationsnummer,
        )
        # Leyla's company first, so her "my registrations" page has something to show.
        self.companies = sorted(by_number, key=lambda o: o.name != REPRESENTED_COMPANY_NAME)
        self.now = timezone.now()

    def play(self) -> None:
        today = timezone.localdate()
        if self.forum.meetings.exists():
            return  # played out before (meetings, issues and the vote are made together)
        year = today.year - 1  # the start-up year was last year: all three meetings are held
        first, second, third = event_services.startup_year_create(actor=self.coordinator, forum=self.forum, year=year)
        spring, autumn = event_services.later_year_create(actor=self.coordinator, forum=self.forum, year=today.year)
        self.command.created["meeting"] += 5
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
        IssuesAndVote(self, first, second, third).play()
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
        self.command.created["registration"] += 1
        return event_services.invitation_create(
            actor=self.coordinator, pool=pool, organisation=company, contact_email=person.email,
            contact_name=person.get_full_name(), now=now,
        )

    def _accept(self, registration: Registration, now: dt.datetime, user: User | None = None) -> Registration:
        user = user if user is not None else self.representatives.get(registration.organisation_id)
        return event_services.invitation_accept(
            registration_id=registration.pk, attendee_name=registration.contact_name or registration.contact_email,
            attendee_email=registration.contact_email, consent=True, user=user, now=now, **self._needs(),
        )

    def _register(self, meeting: Meeting, company: Organisation, now: dt.datetime) -> Registration:
        person = self.representatives[company.pk]
        self.command.created["registration"] += 1
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
                    f"{_ascii(name.split()[0])}.{_ascii(name.split()[-1])}@forum.example")
                self.command.created["registration"] += 1
                invitation = event_services.invitation_create(
                    actor=self.coordinator, pool=pool, organisation=self.organisations[department],
                    contact_email=email, contact_name=name, now=now,
                )
                if i < accept:
                    user = User.objects.filter(email=email).first()
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
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting,
                                          status=Meeting.Status.REGISTRATION_OPEN)
        t0 = starts - dt.timedelta(days=45)
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
        self.command.created["registration"] += 10

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
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED)
        event_services.meeting_set_status(actor=self.coordinator, meeting=meeting,
                                          status=Meeting.Status.REGISTRATION_OPEN)
        t0 = starts - dt.timedelta(days=40)
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
        self.command.created["registration"] += 4

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
        last = meeting.registrations.filter(status=Registration.Status.WAITING).order_by("-waiting_since").first()
        self._cancel(last, now - dt.timedelta(hours=6))

        self._municipal(meeting, now - dt.timedelta(days=12), accept=2)


# --- Issues raised in the start-up year, and the vote at meeting 3 --------------------------
# (meeting 1 or 2, focus area index (0 work and education, 1 establishments and
# attractiveness, 2 investments), side, status, text, detail). Detail: for a quick fix the
# department and whether it is overdue; for resolved the answer; for out of scope the
# reason; for a merged issue the text of the issue it duplicates.
B, C = "business", "city"
DEMO_ISSUES: list[tuple[int, int, str, str, str, object]] = [
    # Candidates for the priority list (voted on at meeting 3).
    (1, 0, B, "candidate", "Fler praktikplatser för nyanlända inom bygg", None),
    (1, 0, B, "candidate", "Yrkessvenska som går att läsa på arbetsplatsen", None),
    (1, 1, B, "candidate", "Snabbare bygglov för små företag", None),
    (1, 1, B, "candidate", "En väg in till staden för företag som vill etablera sig", None),
    (1, 2, B, "candidate", "Lokaler till rimlig hyra för unga företag i Rosengård och Holma", None),
    (2, 0, C, "candidate", "Sommarjobb för gymnasieelever hos fler privata arbetsgivare", None),
    (2, 0, B, "candidate", "Validering av utländsk yrkeserfarenhet på veckor i stället för månader", None),
    (2, 2, C, "candidate", "Företag som tar emot lärlingar i vård och omsorg", None),
    (2, 1, B, "candidate", "Trygga och upplysta gångstråk till arbetsplatserna i Hyllie", None),
    (2, 2, B, "candidate", "Kommunens upphandlingar uppdelade så att små företag kan lämna anbud", None),
    # New, not yet handled.
    (2, 0, B, "new", "Mentorprogram för kvinnor som vill starta företag", None),
    (2, 1, B, "new", "Fler laddplatser för företagens elbilar i innerstaden", None),
    (2, 2, C, "new", "Näringslivet medfinansierar fritidsgårdarnas läxhjälp", None),
    (2, 0, B, "new", "Kortare handläggningstid för arbetstillstånd vid rekrytering", None),
    (2, 1, B, "new", "Skyltning på fler språk vid företagsområdet i Fosie", None),
    (1, 2, B, "new", "Gemensam kompetensbank för små IT-företag i Malmö", None),
    (1, 0, C, "new", "Studiebesök på företag för elever i årskurs 8", None),
    # Quick fixes routed to a department.
    (1, 1, B, "quick_fix", "Tydligare information om vilka tillstånd en restaurang behöver",
     ("Miljöförvaltningen", True)),
    (1, 1, B, "quick_fix", "Lastzoner som räcker för leveranser på Södra Förstadsgatan",
     ("Fastighets- och gatukontoret", True)),
    (1, 0, B, "quick_fix", "En kontaktperson på Arbetsförmedlingen och staden för rekryterande företag",
     ("Arbetsmarknads- och socialförvaltningen", False)),
    (2, 1, B, "quick_fix", "Snöröjning av cykelbanorna vid industriområdet i Fosie",
     ("Fastighets- och gatukontoret", False)),
    (2, 0, C, "quick_fix", "Praktikplatser på stadens egna förvaltningar annonseras samlat",
     ("Stadskontoret", True)),
    (2, 2, B, "quick_fix", "Svar inom en vecka på frågor till företagslotsen",
     ("Stadsbyggnadskontoret", False)),
    (1, 0, B, "quick_fix", "Vuxenutbildningens yrkeskurser på kvällstid", (
        "Gymnasie- och vuxenutbildningsförvaltningen", False)),
    # Taken up by a network.
    (1, 0, B, "network", "Matchning mellan arbetsgivare och unga som varken arbetar eller studerar", None),
    (2, 2, B, "network", "Gemensamma investeringar i stadsdelarnas torg och handel", None),
    (2, 1, C, "network", "Ett företagsnätverk för besöksnäringen kring Malmö Live", None),
    # Resolved, with an answer.
    (1, 1, B, "resolved", "Kan staden samla all information till nya företag på ett ställe?",
     "Ja. Sedan i höstas finns Företagsservice på malmo.se med en samlad väg in och en företagslots."),
    (1, 0, B, "resolved", "Gymnasiets bygg- och anläggningsprogram saknar handledare på företagen",
     "Gymnasieförvaltningen har utbildat 24 nya handledare tillsammans med byggföretagen."),
    (2, 2, C, "resolved", "Kan företag sponsra utrustning till skolornas teknikundervisning?",
     "Ja, genom stadens samarbetsavtal. Kontakta Grundskoleförvaltningen, som har en mall för avtalet."),
    (2, 1, B, "resolved", "Parkeringsregler för hantverkare vid jobb i innerstaden",
     "Hantverkartillstånd kan nu sökas digitalt och gäller i hela innerstaden."),
    (1, 2, B, "resolved", "Bredband till företagen i Kirsebergs industriområde",
     "Utbyggnaden är klar sedan juni; alla fastigheter i området kan ansluta."),
    # Out of scope, with a reason.
    (1, 2, B, "out_of_scope", "Sänkt arbetsgivaravgift för unga anställda",
     "Arbetsgivaravgiften beslutas av riksdagen, inte av staden. Frågan har förts vidare till Företagarna."),
    (2, 1, B, "out_of_scope", "Fler direktflyg från Sturup",
     "Flygtrafiken ligger utanför forumets uppdrag om arbete och utbildning."),
    (1, 0, B, "out_of_scope", "Ändrade regler för a-kassan vid deltidsarbete",
     "Reglerna för arbetslöshetsförsäkringen beslutas nationellt."),
    (2, 2, C, "out_of_scope", "Ett nytt konserthus i Västra Hamnen",
     "Större kulturinvesteringar hanteras i stadens budgetprocess och inte i forumet."),
    # Duplicates, merged into the issue they repeat.
    (1, 0, B, "merged", "Praktik för nyanlända på byggarbetsplatser",
     "Fler praktikplatser för nyanlända inom bygg"),
    (1, 1, B, "merged", "Bygglov tar för lång tid för småföretagare",
     "Snabbare bygglov för små företag"),
    (2, 0, B, "merged", "Snabbare validering av utländska utbildningar",
     "Validering av utländsk yrkeserfarenhet på veckor i stället för månader"),
    (2, 2, B, "merged", "Dela upp stora upphandlingar i mindre delar",
     "Kommunens upphandlingar uppdelade så att små företag kan lämna anbud"),
]


class IssuesAndVote:
    """Issues raised at last year's meetings 1 and 2 in every status, and the vote at meeting 3
    with its confirmed priority list, all through :mod:`issues.services`.

    The issue services have no ``now``: issues and their history get the real time, and are
    then dated back to their meeting (a demo-only adjustment, straight in the database). The
    vote is placed in time with ``now``: opened, cast and closed during meeting 3, the list
    confirmed two days later.
    """

    def __init__(self, year: StartupYear, first: Meeting, second: Meeting, third: Meeting) -> None:
        self.year = year
        self.coordinator = year.coordinator
        self.facilitator = year.facilitator
        self.meetings = {1: first, 2: second}
        self.third = third
        self.rng = random.Random(SEED + 3)
        self.focus_areas = list(year.forum.focus_areas.order_by("position"))

    def play(self) -> None:
        from issues import services as issue_services

        self.services = issue_services
        issues = self._raise()
        self._triage(issues)
        for meeting in self.meetings.values():
            event_services.meeting_set_status(actor=self.coordinator, meeting=meeting, status=Meeting.Status.DOCUMENTED)
        # Fresh rows: the triage services changed the statuses in the database.
        from issues.models import Issue

        candidates = Issue.objects.filter(pk__in=[issues[spec[4]].pk for spec in DEMO_ISSUES if spec[3] == "candidate"])
        self._vote(list(candidates.order_by("created_at", "pk")))
        event_services.meeting_set_status(actor=self.coordinator, meeting=self.third, status=Meeting.Status.DOCUMENTED)

    def _participants(self, meeting: Meeting, side: str) -> list[Registration]:
        municipal = Q(pool__kind=SeatPool.Kind.MUNICIPAL)
        rows = meeting.registrations.filter(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False)
        rows = rows.filter(municipal) if side == C else rows.exclude(municipal)
        return list(rows.select_related("pool", "attendee", "organisation").order_by("pk"))

    def _raise(self) -> dict[str, Any]:
        from issues.models import Issue, IssueEvent

        issues = {}
        for n, (meeting_no, focus, side, _status, text, _detail) in enumerate(DEMO_ISSUES):
            meeting = self.meetings[meeting_no]
            raised_at = meeting.starts_at + dt.timedelta(minutes=25 + 2 * n)
            if n % 6 == 5:
                # Keyed in by the facilitator from the table notes.
                issue = self.services.issue_create(actor=self.facilitator, meeting=meeting, text=text, side=side,
                                                   focus_area=self.focus_areas[focus], keyed_in=True)
            else:
                registration = self.rng.choice(self._participants(meeting, side))
                issue = self.services.issue_create(
                    actor=registration.attendee, meeting=meeting, text=text, side=side,
                    focus_area=self.focus_areas[focus], anonymous=n % 5 == 3, registration=registration,
                )
            # "Me too" from others in the room.
            others = self._participants(meeting, B) + self._participants(meeting, C)
            for supporter in self.rng.sample(others, k=self.rng.randint(0, 6)):
                if supporter.attendee_id:
                    self.services.issue_support(issue=issue, person=supporter.attendee)
                else:
                    self.services.issue_support(issue=issue, registration=supporter)
            Issue.objects.filter(pk=issue.pk).update(created_at=raised_at)
            IssueEvent.objects.filter(issue=issue).update(at=raised_at)
            issues[text] = issue
        return issues

    def _triage(self, issues: dict[str, Any]) -> None:
        from issues.models import Issue

        today = timezone.localdate()
        responsible = [self.coordinator, User.objects.get(email="tjansteperson@forum.example")]
        for n, (_m, _f, _side, status, text, detail) in enumerate(DEMO_ISSUES):
            issue = issues[text]
            if status == "merged":
                self.services.issue_merge(actor=self.coordinator, survivor=issues[detail], duplicates=[issue])
            elif status == "quick_fix":
                department, overdue = detail
                due = today - dt.timedelta(days=10 + 7 * n % 30) if overdue else today + dt.timedelta(days=14 + n)
                self.services.issue_set_status(
                    actor=self.coordinator, issue=issue, status=Issue.Status.QUICK_FIX,
                    department=Organisation.objects.get(kind=Organisation.Kind.DEPARTMENT, name=department),
                    responsible=responsible[n % 2], due_date=due,
                )
            elif status in ("resolved", "out_of_scope"):
                self.services.issue_set_status(actor=self.coordinator, issue=issue, status=status, answer=detail)
            elif status == "network":
                # Candidates now; networks/demo.py forms the networks that take them up (the
                # status "taken up by a network" comes only with the link to a network).
                self.services.issue_set_status(actor=self.coordinator, issue=issue, status=Issue.Status.CANDIDATE)
            elif status != "new":
                self.services.issue_set_status(actor=self.coordinator, issue=issue, status=status)

    def _vote(self, candidates: list) -> None:
        """A Schulze vote at meeting 3 over the candidates: every participant who came votes
        (two on paper, keyed in by the coordinator), ranking three to all of them."""
        from issues.models import Vote

        starts = self.third.starts_at
        vote = self.services.vote_create(
            actor=self.coordinator, meeting=self.third, title=f"Prioriteringslista {starts.year}",
            candidates=candidates, method=Vote.Method.SCHULZE,
        )
        opened = starts + dt.timedelta(hours=1, minutes=30)
        vote = self.services.vote_open(actor=self.facilitator, vote=vote, now=opened)
        # Popularity: a voter's ranking is drawn with these weights, so the result has clear
        # leaders and some close calls.
        weights = [9, 6, 7, 4, 5, 8, 6, 3, 2, 4][: len(candidates)]
        voters = self._participants(self.third, B) + self._participants(self.third, C)
        for i, registration in enumerate(voters):
            length = self.rng.randint(3, len(candidates))
            chosen: list = []
            while len(chosen) < length:
                pick = self.rng.choices(candidates, weights=weights, k=1)[0]
                if pick not in chosen:
                    chosen.append(pick)
            marks = {str(issue.pk): rank for rank, issue in enumerate(chosen, start=1)}
            paper = i in (7, 31)
            self.services.ballot_cast(vote=vote, registration=registration, marks=marks, paper=paper,
                                      actor=self.coordinator if paper else None,
                                      now=opened + dt.timedelta(seconds=20 * i))
        vote = self.services.vote_close(actor=self.coordinator, vote=vote, now=opened + dt.timedelta(minutes=40))
        self.services.vote_confirm(actor=self.coordinator, vote=vote, now=starts + dt.timedelta(days=2))


class Command(BaseCommand):
    help = "Skapar demodata för 11:11 – Meet Malmö (går att köra flera gånger)."

    def handle(self, *args, **options):
        self.created = {"organisation": 0, "user": 0, "role": 0, "affiliation": 0, "meeting": 0, "registration": 0}
        with transaction.atomic():
            first_mail = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            users = {spec.email: self._user(spec) for spec in USERS}
            admin = users["admin@forum.example"]
            forum = self._forum(admin)
            organisations = self._organisations(admin)
            for spec in USERS:
                user = users[spec.email]
                if spec.organisation:
                    self._affiliate(admin, user, organisations[spec.organisation], spec.title)
                if spec.role:
                    self._role(admin, forum, user, spec.role, organisations.get(spec.partner) if spec.partner else None)
            representatives = self._representatives(admin, organisations, users)
            self._diversity_targets(users["samordnare@forum.example"], forum)
            StartupYear(self, forum, users, organisations, representatives).play()
            # Invented addresses: record the demo's mail as sent so none of it goes out.
            OutboxMessage.objects.filter(pk__gt=first_mail, status=OutboxMessage.Status.QUEUED).update(
                status=OutboxMessage.Status.SENT, sent_at=timezone.now()
            )
        self._summary(forum)
        from networks import demo as networks_demo  # noqa: I001 - each app seeds its own part

        networks_demo.seed(stdout=self.stdout)

    # --- pieces ---------------------------------------------------------------------------
    def _forum(self, actor) -> Forum:
        forum = Forum.objects.filter(slug=FORUM_SLUG).first()
        if forum is None:
            forum = forum_create(
                actor=actor, municipality=MUNICIPALITY, organiser=ORGANISER, name=FORUM_NAME,
                description=FORUM_DESCRIPTION, slug=FORUM_SLUG,
            )
        elif not forum.organiser:
            forum = forum_update(actor=actor, forum=forum, organiser=ORGANISER)
        return forum

    def _organisation(self, actor, *, kind: str, name: str, **fields) -> Organisation:
        if fields.get("organisationsnummer"):
            existing = Organisation.objects.filter(organisationsnummer=fields["organisationsnummer"]).first()
        else:
            existing = Organisation.objects.filter(kind=kind, name=name).first()
        if existing is not None:
            return existing
        self.created["organisation"] += 1
        return organisation_create(actor=actor, kind=kind, name=name, municipality=MUNICIPALITY, **fields)

    def _organisations(self, actor) -> dict[str, Organisation]:
        by_name: dict[str, Organisation] = {}
        for company in generate_companies():
            org = self._organisation(actor, kind=Organisation.Kind.COMPANY, **company)
            by_name[org.name] = org
        for kind, names in (
            (Organisation.Kind.PARTNER, PARTNERS),
            (Organisation.Kind.DEPARTMENT, DEPARTMENTS),
            (Organisation.Kind.NONPROFIT, NONPROFITS),
        ):
            for name in names:
                by_name[name] = self._organisation(actor, kind=kind, name=name)
        return by_name

    def _user(self, spec: DemoUser):
        User = get_user_model()
        user, created = User.objects.update_or_create(
            email=spec.email,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "language": "sv",
                "is_active": True,
                "is_staff": spec.is_staff or spec.is_superuser,
                "is_superuser": spec.is_superuser,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self.created["user"] += int(created)
        EmailAddress.objects.update_or_create(
            user=user, email=spec.email, defaults={"verified": True, "primary": True}
        )
        return user

    def _affiliate(self, actor, user, organisation: Organisation, title: str) -> None:
        existing = Affiliation.objects.filter(person=user, organisation=organisation).first()
        if existing is None:
            self.created["affiliation"] += 1
            affiliation_create(actor=actor, person=user, organisation=organisation, title=title, confirmed=True)
        elif existing.confirmed_at is None or existing.title != title:
            existing.title = title
            existing.confirmed_at = existing.confirmed_at or timezone.now()
            existing.save(update_fields=["title", "confirmed_at"])

    def _role(self, actor, forum: Forum, user, role: str, partner: Organisation | None) -> None:
        if not ForumRole.objects.filter(forum=forum, user=user, role=role, partner_organisation=partner).exists():
            self.created["role"] += 1
            role_grant(actor=actor, forum=forum, user=user, role=role, partner_organisation=partner)

    def _representatives(self, actor, organisations: dict[str, Organisation], users) -> dict[int, User]:
        """One confirmed contact person per company (they sign in by emailed code, so no
        password). Leyla Karimi represents her own company; the consultancy takes no part."""
        rng = random.Random(SEED + 1)
        result: dict[int, User] = {}
        used: set[str] = set()
        companies = [o for o in organisations.values() if o.kind == Organisation.Kind.COMPANY]
        for company in sorted(companies, key=lambda c: c.organisationsnummer):
            # Drawn for every company, in a fixed order, so a second run makes the same people.
            first, gender = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            background = User.Background.FOREIGN if rng.random() < 0.35 else User.Background.SWEDISH
            states_demographics = rng.random() < 0.8
            if company.name == CONSULTANCY_NAME:
                continue
            if company.name == REPRESENTED_COMPANY_NAME:
                result[company.pk] = users["foretag@forum.example"]
                continue
            local = f"{_ascii(first)}.{_ascii(last)}"
            email = f"{local}@forum.example"
            n = 2
            while email in used:
                email, n = f"{local}{n}@forum.example", n + 1
            used.add(email)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, first_name=first, last_name=last, language="sv")
                if states_demographics:
                    user.gender, user.background, user.demographics_consent_at = gender, background, timezone.now()
                user.set_unusable_password()  # they sign in with a code sent by mail
                user.save()
                self.created["user"] += 1
                EmailAddress.objects.update_or_create(user=user, email=email,
                                                      defaults={"verified": True, "primary": True})
            self._affiliate(actor, user, company, rng.choice(["VD", "Grundare", "HR-chef", "Ägare", "Platschef"]))
            result[company.pk] = user
        return result

    def _diversity_targets(self, coordinator, forum: Forum) -> None:
        """Targets of seed 002: gender balance, Malmö's share with a foreign background (about a
        third), and industry and size shares as in the register. Kept if a coordinator set any."""
        if DiversityTarget.objects.filter(forum=forum).exists():
            return
        targets: dict[tuple[str, str], Decimal] = {
            ("gender", User.Gender.WOMAN): Decimal(50), ("gender", User.Gender.MAN): Decimal(50),
            ("background", User.Background.FOREIGN): Decimal(35), ("background", User.Background.SWEDISH): Decimal(65),
        }
        for section, weight, _words in SECTORS:
            targets[("industry", section)] = Decimal(weight) * 100 / sum(w for _s, w, _n in SECTORS)
        for size, weight in SIZE_WEIGHTS:
            targets[("size", size)] = Decimal(weight) * 100 / sum(w for _s, w in SIZE_WEIGHTS)
        event_services.diversity_targets_save(
            actor=coordinator, forum=forum, targets={k: v.quantize(Decimal("0.01")) for k, v in targets.items()}
        )

    def _summary(self, forum: Forum) -> None:
        kinds = Organisation.objects.filter(municipality=MUNICIPALITY)
        counts = {kind: kinds.filter(kind=kind).count() for kind in Organisation.Kind.values}
        c = self.created
        self.stdout.write(self.style.SUCCESS(f"Demodata för {forum.name} (/{forum.slug}/) är på plats."))
        self.stdout.write(
            f"Nytt i denna körning: {c['organisation']} organisationer, {c['user']} användare, "
            f"{c['role']} roller, {c['affiliation']} organisationskopplingar, {c['meeting']} tematräffar, "
            f"{c['registration']} inbjudningar och anmälningar."
        )
        for meeting in forum.meetings.order_by("starts_at"):
            self.stdout.write(
                f"  {meeting.starts_at:%Y-%m-%d} {meeting.title} ({meeting.get_status_display()}): "
                f"{meeting.registrations.count()} inbjudningar och anmälningar"
            )
        from issues.models import Issue, Vote

        self.stdout.write(
            f"Frågor: {Issue.objects.filter(forum=forum).count()}; omröstningar: "
            + ", ".join(f"{v.title} ({v.get_status_display()}, {v.ballots.count()} valsedlar)"
                        for v in Vote.objects.filter(meeting__forum=forum))
        )
        self.stdout.write(
            f"Totalt: {counts['company']} företag, {counts['partner']} partnerorganisationer, "
            f"{counts['department']} förvaltningar, {counts['nonprofit']} idéburna organisationer, "
            f"{forum.focus_areas.count()} fokusområden."
        )
        self.stdout.write(f"Inloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for spec in USERS:
            self.stdout.write(f"  {spec.email:<30} {spec.first_name} {spec.last_name}, {spec.description}")
