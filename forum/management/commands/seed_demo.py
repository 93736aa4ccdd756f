"""Demo data for "11:11 – Meet Malmö": the forum, an invented register of companies, the
partner organisations of seed 002, city departments, a few non-profits and one user per
role. Everything is invented (no real people); mail addresses are on ``forum.example``.

Idempotent: every object is looked up by its natural key (slug, organisationsnummer,
kind + name, email) before it is created, so a second run creates nothing new.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from forum.models import Affiliation, Forum, ForumRole, Organisation, Role
from forum.services import affiliation_create, forum_create, organisation_create, role_grant
from forum.validators import luhn_check_digit

DEMO_PASSWORD = "Demo-1111-forum"
MUNICIPALITY = "Malmö"
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
FREE_STEMS = ["Sundbro", "Ekvik", "Nordvind", "Brofästets", "Ljusgårdens", "Kvartersbolaget", "Saltvindens", "Stadsparkens"]

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
    ("H", 5, [("Åkeri", "49410"), ("Logistik", "52290"), ("Budservice", "53202"), ("Flytt", "49420"), ("Taxi", "49320")]),
    ("P", 4, [("Trafikskola", "85530"), ("Kompetensutveckling", "85592"), ("Musikskola", "85520"), ("Förskola", "85100")]),
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
    items, weights = zip(*pairs)
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


class Command(BaseCommand):
    help = "Skapar demodata för 11:11 – Meet Malmö (går att köra flera gånger)."

    def handle(self, *args, **options):
        self.created = {"organisation": 0, "user": 0, "role": 0, "affiliation": 0}
        with transaction.atomic():
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
        self._summary(forum)

    # --- pieces ---------------------------------------------------------------------------
    def _forum(self, actor) -> Forum:
        forum = Forum.objects.filter(slug=FORUM_SLUG).first()
        if forum is None:
            forum = forum_create(
                actor=actor, municipality=MUNICIPALITY, name=FORUM_NAME, description=FORUM_DESCRIPTION, slug=FORUM_SLUG
            )
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

    def _summary(self, forum: Forum) -> None:
        kinds = Organisation.objects.filter(municipality=MUNICIPALITY)
        counts = {kind: kinds.filter(kind=kind).count() for kind in Organisation.Kind.values}
        c = self.created
        self.stdout.write(self.style.SUCCESS(f"Demodata för {forum.name} (/{forum.slug}/) är på plats."))
        self.stdout.write(
            f"Nytt i denna körning: {c['organisation']} organisationer, {c['user']} användare, "
            f"{c['role']} roller, {c['affiliation']} organisationskopplingar."
        )
        self.stdout.write(
            f"Totalt: {counts['company']} företag, {counts['partner']} partnerorganisationer, "
            f"{counts['department']} förvaltningar, {counts['nonprofit']} idéburna organisationer, "
            f"{forum.focus_areas.count()} fokusområden."
        )
        self.stdout.write(f"Inloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for spec in USERS:
            self.stdout.write(f"  {spec.email:<30} {spec.first_name} {spec.last_name}, {spec.description}")
