"""The demo data command: complete, valid and idempotent, and its users can log in."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from communication.sections import follow_up_work
from events.models import DiversityTarget, Meeting, Nomination, Registration
from forum.models import Affiliation, Forum, ForumRole, Organisation, OutboxMessage, Role
from forum.validators import normalise_organisationsnummer
from issues.models import Ballot, Issue, IssueSupport, PriorityListEntry, Vote, VoterRecord

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
    assert client.get(reverse("accounts:profile")).status_code == 200

    # The demo coordinator got admin access with the role (role_grant), and sees the forum's
    # meetings and issues there.
    coordinator = get_user_model().objects.get(email="samordnare@forum.example")
    assert coordinator.is_staff and coordinator.groups.filter(name="Samordnare").exists()
    for model in (Meeting, Issue):
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(prefix)
        assert response.status_code == 200
        listed = {int(pk) for pk in re.findall(re.escape(prefix) + r"(\d+)/change/", response.content.decode())}
        assert listed and listed <= set(model.objects.filter(forum=forum).values_list("pk", flat=True))


@pytest.mark.django_db
def test_seed_demo_plays_out_the_startup_year():
    call_command("seed_demo")
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before

    forum = Forum.objects.get(slug="meet-malmo")
    now = timezone.now()
    # Last year: the start-up year's three meetings, all held; this year: the spring meeting a
    # few weeks ahead, open for registration, and the autumn meeting published.
    first, second, third, spring, autumn = forum.meetings.order_by("starts_at")
    assert [m.kind for m in (first, second, third, spring, autumn)] == [
        Meeting.Kind.CITY_FOR_BUSINESS, Meeting.Kind.BUSINESS_FOR_CITY, Meeting.Kind.PRIORITISATION,
        Meeting.Kind.COMBINED, Meeting.Kind.COMBINED]
    assert {first.starts_at.year, second.starts_at.year, third.starts_at.year} == {timezone.localdate().year - 1}
    for held in (first, second, third):
        assert held.starts_at < now
    # Documented means its documentation was sent (communication.services.follow_up_publish): meeting
    # 1's was; meeting 2 has a draft; 2 and 3 are held and wait on the coordinators' to-do page.
    assert first.status == Meeting.Status.DOCUMENTED and first.follow_up.published_at is not None
    assert second.status == third.status == Meeting.Status.HELD
    assert second.follow_up.published_at is None and not hasattr(third, "follow_up")
    assert follow_up_work(None, forum)["meetings"] == [second, third]
    assert spring.status == Meeting.Status.REGISTRATION_OPEN and now < spring.starts_at < now + dt.timedelta(days=60)
    assert autumn.status == Meeting.Status.PUBLISHED and autumn.starts_at > spring.starts_at
    # Each named after the season it falls in (Dec–Feb winter … Sep–Nov autumn).
    for moved in (spring, autumn):
        local = timezone.localtime(moved.starts_at)
        season = ["Vinterträff", "Vårträff", "Sommarträff", "Höstträff"][(local.month % 12) // 3]
        assert moved.title == f"{season} {local.year}"

    # A registration in every status, and the waiting list and offers where they belong.
    assert set(Registration.objects.values_list("status", flat=True)) == set(Registration.Status.values)
    assert spring.registrations.filter(status=Registration.Status.WAITING).exists()
    assert spring.registrations.filter(status=Registration.Status.OFFERED, offer_expires_at__gt=now).exists()
    assert spring.registrations.filter(status=Registration.Status.INVITED, expires_at__gt=now).exists()
    assert not autumn.registrations.exists()

    # The held meetings: attendance recorded on the day, only for confirmed participants.
    for held in (first, second, third):
        checked_in = held.registrations.filter(checked_in_at__isnull=False)
        assert checked_in.count() >= 40, held
        assert set(checked_in.values_list("status", flat=True)) == {Registration.Status.CONFIRMED}
        assert all(abs(r.checked_in_at - held.starts_at) < dt.timedelta(hours=2) for r in checked_in)

    # Never overbooked: occupied seats within every pool and the meeting's capacity.
    for meeting in (first, second, third, spring):
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
    assert Registration.objects.filter(organisation__name="Sofielunds Cykelverkstad AB", meeting=spring).exists()

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


@pytest.mark.django_db
def test_seed_demo_issues_and_the_closed_vote():
    call_command("seed_demo")
    forum = Forum.objects.get(slug="meet-malmo")
    first, second, third, _spring, _autumn = forum.meetings.order_by("starts_at")
    today = timezone.localdate()

    # Issues raised at meetings 1 and 2, in every status.
    issues = Issue.objects.filter(forum=forum)
    assert issues.count() >= 35
    assert set(issues.values_list("meeting", flat=True)) == {first.pk, second.pk}
    assert set(issues.values_list("status", flat=True)) == set(Issue.Status.values)
    assert all(first.starts_at <= i.created_at < first.ends_at + dt.timedelta(hours=1)
               for i in issues.filter(meeting=first))
    assert set(issues.values_list("side", flat=True)) == {"business", "city"}
    assert issues.filter(anonymous=True).exists()
    assert issues.filter(keyed_in_by__isnull=False).exists()
    assert IssueSupport.objects.filter(issue__forum=forum).count() >= 20
    quick = issues.filter(status=Issue.Status.QUICK_FIX)
    assert not quick.filter(Q(department__isnull=True) | Q(responsible__isnull=True) | Q(due_date__isnull=True))
    assert quick.filter(due_date__lt=today).exists() and quick.filter(due_date__gte=today).exists()
    assert set(quick.values_list("department__kind", flat=True)) == {Organisation.Kind.DEPARTMENT}
    assert not issues.filter(status__in=[Issue.Status.RESOLVED, Issue.Status.OUT_OF_SCOPE], answer="").exists()
    merged = issues.filter(status=Issue.Status.MERGED)
    assert merged.count() >= 3
    assert all(m.merged_into.status != Issue.Status.MERGED for m in merged)
    # Triage reached the raisers and supporters, and none of the demo's mail is left to send.
    assert OutboxMessage.objects.filter(template="issues/status_changed").exists()
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).exists()

    # The vote at meeting 3: Schulze over the candidates, closed and its list confirmed.
    vote = Vote.objects.get(meeting__forum=forum)
    assert vote.meeting == third
    assert vote.method == Vote.Method.SCHULZE and vote.status == Vote.Status.CONFIRMED
    candidates = set(vote.candidates.values_list("pk", flat=True))
    assert len(candidates) == 10
    # networks/demo.py took the list's top issue up (and resolved it); the rest are still candidates.
    still = set(issues.filter(status=Issue.Status.CANDIDATE).values_list("pk", flat=True))
    assert still <= candidates <= still | set(issues.filter(network_link__isnull=False).values_list("pk", flat=True))
    assert third.starts_at < vote.opened_at < vote.closed_at < third.ends_at < vote.confirmed_at
    ballots = Ballot.objects.filter(vote=vote)
    assert 50 <= ballots.count() <= third.registrations.filter(status=Registration.Status.CONFIRMED).count()
    assert ballots.count() == VoterRecord.objects.filter(vote=vote).count() == vote.result["turnout"]["ballots"]
    assert set(ballots.values_list("side", flat=True)) == {"business", "city"}
    assert VoterRecord.objects.filter(vote=vote, paper=True).count() == 2 == vote.result["turnout"]["paper"]
    # Enough voters on each side for the demo to show both sides' own rankings.
    assert not vote.result["by_side"]["city"]["withheld"] and not vote.result["by_side"]["business"]["withheld"]
    assert not VoterRecord.objects.filter(vote=vote).exclude(
        registration__meeting=third, registration__status=Registration.Status.CONFIRMED).exists()
    # The published priority list follows the frozen result.
    entries = list(PriorityListEntry.objects.filter(vote=vote).order_by("rank", "pk"))
    assert [e.issue_id for e in entries] == vote.result["ordered"]
    assert {e.issue_id for e in entries} == candidates
    assert entries[0].rank == 1
    assert [e.rank for e in entries] == sorted(e.rank for e in entries)
