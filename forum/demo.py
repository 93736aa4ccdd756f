"""Demo data of the forum: "11:11 – Meet Malmö", an invented register of companies (each with
one invented contact person), the partner organisations of seed 002, city departments and a
few non-profits, and the demo users' organisations and roles (the users themselves are
:mod:`accounts.demo`'s; they are found here by address). Everything is invented (no real
people); mail addresses are on ``forum.example``.

Idempotent: every object is looked up by its natural key (slug, organisationsnummer, kind +
name, email) before it is created, so a second run creates nothing new. Run by
``python manage.py seed_demo``; the apps built on the forum seed their parts after this one
(:mod:`events.demo`, :mod:`issues.demo`), finding what they need by query.
"""
from __future__ import annotations

import random
import unicodedata
from collections import Counter
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Affiliation, Forum, ForumRole, Organisation, Role
from .services import affiliation_create, forum_create, forum_update, organisation_create, role_grant
from .validators import luhn_check_digit

MUNICIPALITY = "Malmö"
ORGANISER = "Malmö stad"
FORUM_SLUG = "meet-malmo"
FORUM_NAME = "11:11 – Meet Malmö"
FORUM_DESCRIPTION = (
    "11:11 – Meet Malmö är Malmö stads forum tillsammans med näringslivet för ett förstärkt, "
    "gemensamt arbete för social hållbarhet, med särskilt fokus på arbete och utbildning. "
    "Företrädare för staden – politiker och tjänstepersoner – och för näringslivet möts på "
    "likvärdig grund i tematräffar, där de frågor som tas upp samlas i en gemensam prioriteringslista. "
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


# The demo users (accounts.demo) who act for an organisation, and their forum roles:
# (email, organisation, title, role, partner organisation of a nominator).
ADMIN_EMAIL = "admin@forum.example"
TIES: list[tuple[str, str, str, str | None, str | None]] = [
    ("samordnare@forum.example", "Stadskontoret", "Näringslivsutvecklare", Role.COORDINATOR, None),
    ("kommunikator@forum.example", "Stadskontoret", "Kommunikatör", Role.COMMUNICATOR, None),
    ("nominerare@forum.example", "Företagarna Malmö", "Näringspolitisk samordnare", Role.PARTNER_NOMINATOR,
     "Företagarna Malmö"),
    ("processledare@forum.example", CONSULTANCY_NAME, "Processledare", Role.FACILITATOR, None),
    ("forskare@forum.example", "Stiftelsen Följeforskning Öresund", "Följeforskare", Role.RESEARCHER, None),
    ("foretag@forum.example", REPRESENTED_COMPANY_NAME, "VD", None, None),
    ("tjansteperson@forum.example", "Arbetsmarknads- och socialförvaltningen", "Utvecklingssekreterare", None, None),
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


def ascii_lower(text: str) -> str:
    """Lower-case ASCII for an invented mail address (Åkesson -> akesson)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")




class _Seeder:
    """The forum's part of the demo, counting what it creates for the summary."""

    def __init__(self) -> None:
        self.created: Counter = Counter()
        self.User = get_user_model()
        self.admin = self.User.objects.filter(email=ADMIN_EMAIL).first()

    def play(self) -> Forum:
        forum = self._forum()
        organisations = self._organisations()
        for email, organisation, title, role, partner in TIES:
            user = self.User.objects.filter(email=email).first()
            if user is None:
                continue  # accounts.demo did not run: the tie waits for the next run
            self._affiliate(user, organisations[organisation], title)
            if role:
                self._role(forum, user, role, organisations[partner] if partner else None)
        self._representatives(organisations)
        return forum

    def _forum(self) -> Forum:
        forum = Forum.objects.filter(slug=FORUM_SLUG).first()
        if forum is None:
            forum = forum_create(
                actor=self.admin, municipality=MUNICIPALITY, organiser=ORGANISER, name=FORUM_NAME,
                description=FORUM_DESCRIPTION, slug=FORUM_SLUG,
            )
        elif not forum.organiser:
            forum = forum_update(actor=self.admin, forum=forum, organiser=ORGANISER)
        return forum

    def _organisation(self, *, kind: str, name: str, **fields) -> Organisation:
        if fields.get("organisationsnummer"):
            existing = Organisation.objects.filter(organisationsnummer=fields["organisationsnummer"]).first()
        else:
            existing = Organisation.objects.filter(kind=kind, name=name).first()
        if existing is not None:
            return existing
        self.created["organisation"] += 1
        return organisation_create(actor=self.admin, kind=kind, name=name, municipality=MUNICIPALITY, **fields)

    def _organisations(self) -> dict[str, Organisation]:
        by_name: dict[str, Organisation] = {}
        for company in generate_companies():
            org = self._organisation(kind=Organisation.Kind.COMPANY, **company)
            by_name[org.name] = org
        for kind, names in (
            (Organisation.Kind.PARTNER, PARTNERS),
            (Organisation.Kind.DEPARTMENT, DEPARTMENTS),
            (Organisation.Kind.NONPROFIT, NONPROFITS),
        ):
            for name in names:
                by_name[name] = self._organisation(kind=kind, name=name)
        return by_name

    def _affiliate(self, user, organisation: Organisation, title: str) -> None:
        existing = Affiliation.objects.filter(person=user, organisation=organisation).first()
        if existing is None:
            self.created["affiliation"] += 1
            affiliation_create(actor=self.admin, person=user, organisation=organisation, title=title, confirmed=True)
        elif existing.confirmed_at is None or existing.title != title:
            existing.title = title
            existing.confirmed_at = existing.confirmed_at or timezone.now()
            existing.save(update_fields=["title", "confirmed_at"])

    def _role(self, forum: Forum, user, role: str, partner: Organisation | None) -> None:
        if not ForumRole.objects.filter(forum=forum, user=user, role=role, partner_organisation=partner).exists():
            self.created["role"] += 1
            role_grant(actor=self.admin, forum=forum, user=user, role=role, partner_organisation=partner)

    def _representatives(self, organisations: dict[str, Organisation]) -> None:
        """One confirmed contact person per company (they sign in by emailed code, so no
        password). Leyla Karimi (accounts.demo) represents her own company; the consultancy
        takes no part."""
        User = self.User
        rng = random.Random(SEED + 1)
        used: set[str] = set()
        companies = [o for o in organisations.values() if o.kind == Organisation.Kind.COMPANY]
        for company in sorted(companies, key=lambda c: c.organisationsnummer):
            # Drawn for every company, in a fixed order, so a second run makes the same people.
            first, gender = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            background = User.Background.FOREIGN if rng.random() < 0.35 else User.Background.SWEDISH
            states_demographics = rng.random() < 0.8
            if company.name in (CONSULTANCY_NAME, REPRESENTED_COMPANY_NAME):
                continue
            local = f"{ascii_lower(first)}.{ascii_lower(last)}"
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
            self._affiliate(user, company, rng.choice(["VD", "Grundare", "HR-chef", "Ägare", "Platschef"]))


def representatives() -> dict[int, Any]:
    """Each demo company's contact person by company id, found by query: the person with the
    company's first confirmed affiliation (the consultancy, whose affiliate is the
    facilitator, takes no part). What the apps' demo parts book and register with."""
    result: dict[int, Any] = {}
    for affiliation in (Affiliation.objects.filter(organisation__kind=Organisation.Kind.COMPANY,
                                                   confirmed_at__isnull=False)
                        .exclude(organisation__name=CONSULTANCY_NAME)
                        .select_related("person").order_by("pk")):
        result.setdefault(affiliation.organisation_id, affiliation.person)
    return result


def seed(*, stdout: Any = None) -> None:
    """The forum, its organisations, the demo users' ties and roles, and the companies'
    contact people. Side effects: rows through :mod:`forum.services` (with audit events, the
    portal administrator as actor); a summary on ``stdout``."""
    seeder = _Seeder()
    forum = seeder.play()
    if stdout is not None:
        c = seeder.created
        kinds = Organisation.objects.filter(municipality=MUNICIPALITY)
        counts = {kind: kinds.filter(kind=kind).count() for kind in Organisation.Kind.values}
        stdout.write(f"Demodata för {forum.name} (/{forum.slug}/) är på plats.")
        stdout.write(
            f"Nytt i denna körning: {c['organisation']} organisationer, {c['user']} kontaktpersoner, "
            f"{c['role']} roller, {c['affiliation']} organisationskopplingar."
        )
        stdout.write(
            f"Totalt: {counts['company']} företag, {counts['partner']} partnerorganisationer, "
            f"{counts['department']} förvaltningar, {counts['nonprofit']} idéburna organisationer, "
            f"{forum.focus_areas.count()} fokusområden."
        )
