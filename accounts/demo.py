"""Demo data of accounts: one person per role of "11:11 – Meet Malmö", who log in with the demo
password (invented people; addresses on ``forum.example``). Their organisations and forum
roles are the forum's part (:mod:`forum.demo`), which finds them by address.

Idempotent: each person is looked up by address and brought back to the demo's details.
Run by ``python manage.py seed_demo``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress

from .models import User

DEMO_PASSWORD = "Demo-1111-forum"


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    description: str  # shown in the summary
    is_staff: bool = False
    is_superuser: bool = False


USERS = [
    DemoUser("admin@forum.example", "Alva", "Strandberg", "portaladministratör", is_staff=True, is_superuser=True),
    DemoUser("samordnare@forum.example", "Nils", "Ekdahl", "samordnare", is_staff=True),
    DemoUser("kommunikator@forum.example", "Mira", "Lindqvist", "kommunikatör"),
    DemoUser("nominerare@forum.example", "Omar", "Haddad", "nominerar för Företagarna Malmö"),
    DemoUser("processledare@forum.example", "Sara", "Björkman", "processledare"),
    DemoUser("forskare@forum.example", "Elias", "Nyström", "följeforskare"),
    DemoUser("foretag@forum.example", "Leyla", "Karimi", "företagsrepresentant"),
    DemoUser("tjansteperson@forum.example", "Johan", "Sjövall", "kommunal tjänsteperson"),
]


def _user(spec: DemoUser) -> tuple[User, bool]:
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
    EmailAddress.objects.update_or_create(user=user, email=spec.email, defaults={"verified": True, "primary": True})
    return user, created


def seed(*, stdout: Any = None) -> None:
    """Create (or bring back) the demo users with a verified address and the demo password.
    Side effects: User and allauth EmailAddress rows; a summary on ``stdout``."""
    created = sum(_user(spec)[1] for spec in USERS)
    if stdout is not None:
        stdout.write(f"Demoanvändare: {created} nya. Inloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for spec in USERS:
            stdout.write(f"  {spec.email:<30} {spec.first_name} {spec.last_name}, {spec.description}")
