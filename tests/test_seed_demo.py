"""The demo data command: complete, valid and idempotent, and its users can log in."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from forum.models import Affiliation, Forum, ForumRole, Organisation, Role
from forum.validators import normalise_organisationsnummer

PARTNERS = ["Företagarna Malmö", "Svenskt Näringsliv Skåne", "MINC", "Media Evolution City", "Arbetsförmedlingen"]


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": get_user_model().objects.count(),
        "roles": ForumRole.objects.count(),
        "affiliations": Affiliation.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_is_complete_and_idempotent(client):
    call_command("seed_demo")
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before

    forum = Forum.objects.get(slug="meet-malmo")
    assert Forum.objects.filter(slug="meet-malmo").count() == 1
    assert forum.municipality == "Malmö"
    assert forum.focus_areas.count() == 3

    companies = Organisation.objects.filter(kind=Organisation.Kind.COMPANY)
    numbers = list(companies.values_list("organisationsnummer", flat=True))
    assert 100 <= len(numbers) <= 140
    assert all(number and normalise_organisationsnummer(number) == number for number in numbers)
    assert len(set(numbers)) == len(numbers)
    assert len(set(companies.values_list("sni_section", flat=True))) >= 8
    assert set(companies.values_list("size_class", flat=True)) == set(Organisation.SizeClass.values)

    for name in PARTNERS:
        assert Organisation.objects.filter(kind=Organisation.Kind.PARTNER, name=name).exists(), name

    for role in (Role.COORDINATOR, Role.COMMUNICATOR, Role.PARTNER_NOMINATOR, Role.FACILITATOR, Role.RESEARCHER):
        assert ForumRole.objects.filter(forum=forum, role=role).values("user").distinct().count() == 1, role
    nominator = ForumRole.objects.get(forum=forum, role=Role.PARTNER_NOMINATOR)
    assert nominator.partner_organisation.name == "Företagarna Malmö"
    assert nominator.user.email == "nominerare@forum.example"

    admin = get_user_model().objects.get(email="admin@forum.example")
    assert admin.is_superuser and admin.is_staff

    response = client.post(
        reverse("account_login"), {"login": "samordnare@forum.example", "password": "Demo-1111-forum"}
    )
    assert response.status_code == 302, response.content[:2000]
    assert client.get(reverse("profile")).status_code == 200
