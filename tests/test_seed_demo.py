"""The demo data command: complete, valid and idempotent, and its users can log in."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import DiversityTarget, Meeting, Nomination, Registration
from forum.models import Affiliation, Forum, ForumRole, Organisation, OutboxMessage, Role
from forum.validators import normalise_organisationsnummer

PARTNERS = ["Företagarna Malmö", "Svenskt Näringsliv Skåne", "MINC", "Media Evolution City", "Arbetsförmedlingen"]


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": get_user_model().objects.count(),
        "roles": ForumRole.objects.count(),
        "affiliations": Affiliation.objects.count(),
        "meetings": Meeting.objects.count(),
        "registrations": Registration.objects.count(),
        "nominations": Nomination.objects.count(),
        "targets": DiversityTarget.objects.count(),
        "mail": OutboxMessage.objects.count(),
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


@pytest.mark.django_db
def test_seed_demo_plays_out_the_startup_year():
    call_command("seed_demo")
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before

    forum = Forum.objects.get(slug="meet-malmo")
    now = timezone.now()
    first, second, third = forum.meetings.order_by("starts_at")
    assert [m.kind for m in (first, second, third)] == [
        Meeting.Kind.CITY_FOR_BUSINESS, Meeting.Kind.BUSINESS_FOR_CITY, Meeting.Kind.PRIORITISATION]
    assert first.status == Meeting.Status.HELD and first.starts_at < now
    assert second.status == Meeting.Status.REGISTRATION_OPEN and now < second.starts_at < now + dt.timedelta(days=60)
    assert third.status == Meeting.Status.PUBLISHED and third.starts_at > second.starts_at

    # A registration in every status, and the waiting list and offers where they belong.
    assert set(Registration.objects.values_list("status", flat=True)) == set(Registration.Status.values)
    assert second.registrations.filter(status=Registration.Status.WAITING).exists()
    assert second.registrations.filter(status=Registration.Status.OFFERED, offer_expires_at__gt=now).exists()
    assert second.registrations.filter(status=Registration.Status.INVITED, expires_at__gt=now).exists()
    assert not third.registrations.exists()

    # The held meeting: attendance recorded on the day, only for confirmed participants.
    checked_in = first.registrations.filter(checked_in_at__isnull=False)
    assert checked_in.count() >= 40
    assert set(checked_in.values_list("status", flat=True)) == {Registration.Status.CONFIRMED}
    assert all(abs(r.checked_in_at - first.starts_at) < dt.timedelta(hours=2) for r in checked_in)

    # Never overbooked: occupied seats within every pool and the meeting's capacity.
    for meeting in (first, second):
        for pool in meeting.pools.all():
            taken = pool.seated.filter(status__in=Registration.OCCUPYING).count()
            assert taken <= pool.size, (meeting, pool)
        assert meeting.registrations.filter(status__in=Registration.OCCUPYING).count() <= meeting.capacity
    assert first.pools.get(kind="open").seated.filter(status=Registration.Status.CONFIRMED).count() == 30

    # Nominations from Företagarna Malmö's nominator in every state.
    nominator = get_user_model().objects.get(email="nominerare@forum.example")
    assert set(Nomination.objects.filter(nominated_by=nominator).values_list("status", flat=True)) == set(
        Nomination.Status.values)

    # Some attendees have dietary needs; the demo's representative has a registration.
    assert Registration.objects.filter(status=Registration.Status.CONFIRMED).exclude(dietary_needs="").count() >= 5
    assert Registration.objects.filter(organisation__name="Sofielunds Cykelverkstad AB", meeting=second).exists()

    # Diversity targets: each dimension adds up to 100 %.
    targets = DiversityTarget.objects.filter(forum=forum)
    assert {(t.category, t.share) for t in targets.filter(dimension="gender")} == {
        ("woman", Decimal(50)), ("man", Decimal(50))}
    assert {(t.category, t.share) for t in targets.filter(dimension="background")} == {
        ("foreign", Decimal(35)), ("swedish", Decimal(65))}
    for dimension in ("industry", "size"):
        total = sum(t.share for t in targets.filter(dimension=dimension))
        assert abs(total - 100) < 1, (dimension, total)
    assert targets.filter(dimension="industry").count() >= 10

    # The demo's mail is never sent to the invented addresses.
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).exists()
