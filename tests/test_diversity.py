"""Diversity while picking: profile consent, aggregated composition with suppression,
targets, candidate ranking and the coordinators' page."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from events import diversity
from events.forms import DiversityTargetsForm
from events.models import DiversityTarget, Meeting, Registration
from forum.models import AuditEvent, Organisation, Role
from tests.factories import (
    make_company,
    make_meeting,
    make_registration,
    make_role_holder,
    make_user,
    staff_and_representative,
)


@pytest.fixture
def meeting(forum):
    return make_meeting(forum, kind=Meeting.Kind.CITY_FOR_BUSINESS, title="Tematräff 1")


def consenting(email: str, gender: str = "", background: str = "") -> User:
    return make_user(email, gender=gender, background=background, demographics_consent_at=timezone.now())


def table(comp, dimension):
    return next(t for t in comp.tables if t.dimension == dimension)


def cell(comp, dimension, category):
    return next(c for c in table(comp, dimension).cells if c.category == category)


# ------------------------------------------------------------------ suppression


def _cells(*counts):
    return [diversity.Cell(category=str(i), label=str(i), count=n) for i, n in enumerate(counts)]


def test_suppression_small_cells_and_zero():
    cells = _cells(0, 3, 5, 7, 2)
    hide_total = diversity.suppress(cells, 17)
    assert not hide_total
    assert [c.suppressed for c in cells] == [False, True, False, False, True]
    assert not any(c.complementary for c in cells)


def test_complementary_suppression_hides_next_smallest():
    cells = _cells(1, 6, 9, 0)
    diversity.suppress(cells, 16)
    assert [c.suppressed for c in cells] == [True, True, False, False]
    assert cells[1].complementary and not cells[0].complementary
    # What is still visible cannot give the small one away.
    visible = sum(c.count for c in cells if not c.suppressed)
    assert 16 - visible == 7


def test_tiny_total_is_suppressed():
    cells = _cells(3, 0)
    assert diversity.suppress(cells, 3)
    assert cells[0].suppressed


# ------------------------------------------------------------------ composition


@pytest.mark.django_db
def test_composition_counts_consent_and_suppression(meeting):
    # Confirmed: 5 women, 2 men, 1 with gender set but no consent, 1 company without attendee.
    for i in range(5):
        make_registration(meeting, make_company(f"Kvinna AB {i}", sni="J", size="0-9"),
                          attendee=consenting(f"k{i}@example.se", "woman", "foreign" if i < 3 else "swedish"))
    for i in range(2):
        make_registration(meeting, make_company(f"Man AB {i}", sni="C", size="10-49"),
                          attendee=consenting(f"m{i}@example.se", "man", "swedish"))
    make_registration(meeting, make_company("Utan samtycke AB", sni="C", size="10-49"),
                      attendee=make_user("x@example.se", gender="non_binary", background="foreign"))
    make_registration(meeting, make_company("Ingen deltagare AB", sni="F", size="250+"))
    # Invited but not confirmed, and a cancelled one that counts nowhere.
    make_registration(meeting, make_company("Inbjuden AB", sni="F", size="250+"), status=Registration.Status.INVITED)
    make_registration(meeting, make_company("Avbokad AB", sni="F", size="250+"), status=Registration.Status.CANCELLED)

    confirmed = diversity.composition(meeting, "confirmed")
    gender = table(confirmed, "gender")
    assert gender.total == 9
    assert cell(confirmed, "gender", "woman").count == 5 and not cell(confirmed, "gender", "woman").suppressed
    assert cell(confirmed, "gender", "woman").shown_share == Decimal("55.6")
    man = cell(confirmed, "gender", "man")
    assert man.suppressed and man.shown_share is None
    # Not consented counts as not stated even though the fields are set.
    assert cell(confirmed, "gender", "non_binary").count == 0 and not cell(confirmed, "gender", "non_binary").suppressed
    not_stated = cell(confirmed, "gender", diversity.NOT_STATED)
    assert not_stated.count == 2 and not_stated.suppressed
    # Background: 3 foreign (suppressed), 4 swedish (suppressed), 2 not stated (suppressed).
    assert all(c.suppressed for c in table(confirmed, "background").cells if c.count)
    # Industry: J 5 shown, C 3 suppressed, F 1 suppressed.
    assert not cell(confirmed, "industry", "J").suppressed
    assert cell(confirmed, "industry", "C").suppressed and cell(confirmed, "industry", "F").suppressed
    assert table(confirmed, "industry").total == 9

    invited = diversity.composition(meeting, "invited")
    assert table(invited, "size").total == 10
    assert cell(invited, "size", "250+").count == 2


@pytest.mark.django_db
def test_invited_group_leaves_out_what_the_clock_has_expired(meeting):
    """"Invited and registered" are those with a live claim: invitations past their answer-by
    date and offers past their deadline were counted until the periodic task wrote them
    expired. Expected figures counted here from the rows by their effective status."""
    import datetime as dt

    now = timezone.now()
    Status = Registration.Status
    for i in range(5):
        make_registration(meeting, make_company(f"Svarade aldrig AB {i}", sni="F", size="250+"),
                          status=Status.INVITED, expires_at=now - dt.timedelta(days=1))
        make_registration(meeting, make_company(f"Inbjuden AB {i}", sni="J", size="0-9"),
                          status=Status.INVITED, expires_at=now + dt.timedelta(days=5))
    make_registration(meeting, make_company("Erbjudande ute AB", sni="F", size="250+"), status=Status.OFFERED,
                      offer_expires_at=now - dt.timedelta(hours=2))
    for status in (Status.DECLINED, Status.EXPIRED, Status.CANCELLED):
        make_registration(meeting, make_company(f"{status} AB", sni="F", size="250+"), status=status)
    live = [r for r in Registration.objects.all() if r.meeting_id == meeting.pk
            and r.effective_status(now) in Registration.ACTIVE]
    expected = {size: sum(1 for r in live if r.organisation.size_class == size) for size in ("0-9", "250+")}
    assert expected == {"0-9": 5, "250+": 0}

    invited = diversity.composition(meeting, "invited")
    assert table(invited, "size").total == len(live) == 5
    assert {size: cell(invited, "size", size).count for size in expected} == expected
    assert table(invited, "gender").total == len(live)


@pytest.mark.django_db
def test_composition_complementary_in_a_dimension(meeting):
    # Size: 6 micro, 7 small, 2 large -> the 2 is hidden and the 6 with it.
    for i, size in enumerate(["0-9"] * 6 + ["10-49"] * 7 + ["250+"] * 2):
        make_registration(meeting, make_company(f"AB {i}", size=size))
    comp = diversity.composition(meeting, "confirmed")
    large, micro, small = (cell(comp, "size", s) for s in ("250+", "0-9", "10-49"))
    assert large.suppressed and not large.complementary
    assert micro.suppressed and micro.complementary and micro.shown_share is None
    assert not small.suppressed and small.count == 7
    assert cell(comp, "size", "50-249").count == 0 and not cell(comp, "size", "50-249").suppressed


# ------------------------------------------------------------------ targets


@pytest.mark.django_db
def test_targets_form_validates_sum_per_dimension(forum):
    form = DiversityTargetsForm({"gender_0": "60", "gender_1": "50", "size_0": "40"}, current={})
    assert not form.is_valid()
    assert any("100" in e for e in form.non_field_errors())
    form = DiversityTargetsForm({"gender_0": "50", "gender_1": "45", "gender_2": "5", "size_3": "100"}, current={})
    assert form.is_valid(), form.errors
    assert form.targets()[("size", "250+")] == Decimal("100")
    assert not DiversityTargetsForm({"industry_0": "-1"}, current={}).is_valid()


@pytest.mark.django_db
def test_targets_page_saves_and_rejects(client, forum):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    client.force_login(coordinator)
    url = reverse("events:diversity_targets", args=[forum.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"gender_0": "50", "gender_1": "50", "industry_9": "20"})
    assert response.status_code == 302
    assert {(t.dimension, t.category, t.share) for t in DiversityTarget.objects.filter(forum=forum)} == {
        ("gender", "woman", Decimal("50")), ("gender", "man", Decimal("50")), ("industry", "J", Decimal("20"))}
    assert AuditEvent.objects.filter(action="diversity.targets").exists()
    # Too much: 400, what was typed is kept, nothing changes.
    response = client.post(url, {"gender_0": "70", "gender_1": "50"})
    assert response.status_code == 400
    assert 'value="70"' in response.content.decode()
    assert DiversityTarget.objects.get(forum=forum, dimension="gender", category="woman").share == 50
    # Emptying a field removes the target.
    client.post(url, {"gender_0": "50"})
    assert not DiversityTarget.objects.filter(forum=forum, category__in=["man", "J"]).exists()
    # Others may not.
    facilitator = make_role_holder(forum, Role.FACILITATOR, "pl@example.se")
    client.force_login(facilitator)
    assert client.get(url).status_code == 403


# ------------------------------------------------------------------ ranking


@pytest.mark.django_db
def test_candidate_ranking_order(meeting, forum):
    DiversityTarget.objects.create(forum=forum, dimension="industry", category="J", share=50)
    DiversityTarget.objects.create(forum=forum, dimension="industry", category="C", share=50)
    DiversityTarget.objects.create(forum=forum, dimension="size", category="0-9", share=50)
    DiversityTarget.objects.create(forum=forum, dimension="size", category="250+", share=50)
    # Invited so far: two J companies with 0–9 employees.
    make_registration(meeting, make_company("Redan 1", sni="J", size="0-9"), status=Registration.Status.INVITED)
    already = make_company("Redan 2", sni="J", size="0-9")
    make_registration(meeting, already)
    best = make_company("Bäst AB", sni="C", size="250+")   # moves both dimensions towards the targets
    half = make_company("Halv AB", sni="C", size="0-9")    # industry better, size worse
    other = make_company("Annan AB", sni="Q", size="250+")  # size better, untargeted industry
    worst = make_company("Sämst AB", sni="J", size="0-9")  # more of the same
    ranked = diversity.candidate_ranking(meeting, Organisation.objects.filter(kind="company"))
    names = [c.name for c in ranked]
    assert names[0] == "Bäst AB" and names[-1] == "Sämst AB"
    assert "Redan 2" not in names and "Redan 1" not in names
    scores = {c.name: c.score for c in ranked}
    # Now J 100 %, 0-9 100 %: deviation 100 + 100. With Bäst: J 66.7/C 33.3 (deviation 33.3) and
    # 0-9 66.7/250+ 33.3 (33.3): 66.7 better in each dimension.
    assert scores["Bäst AB"] == Decimal("133.3")
    assert scores["Bäst AB"] > scores["Halv AB"] and scores["Bäst AB"] > scores["Annan AB"]
    assert scores["Sämst AB"] == Decimal("0.0")
    assert {best.pk, half.pk, other.pk, worst.pk} <= {c.pk for c in ranked}


# ------------------------------------------------------------------ profile


@pytest.mark.django_db
def test_profile_without_consent_saves_nothing_and_withdrawing_clears():
    user = make_user("anna@example.se")
    account_services.profile_update(actor=user, user=user, first_name="Anna", last_name="A", language="sv",
                                    gender="woman", background="foreign", demographics_consent=False)
    user.refresh_from_db()
    assert (user.gender, user.background, user.demographics_consent_at) == ("", "", None)

    now = timezone.now()
    account_services.profile_update(actor=user, user=user, first_name="Anna", last_name="A", language="sv",
                                    gender="woman", background="foreign", demographics_consent=True, now=now)
    user.refresh_from_db()
    assert (user.gender, user.background, user.demographics_consent_at) == ("woman", "foreign", now)

    account_services.profile_update(actor=user, user=user, first_name="Anna", last_name="A", language="sv",
                                    gender="woman", background="foreign", demographics_consent=False)
    user.refresh_from_db()
    assert (user.gender, user.background, user.demographics_consent_at) == ("", "", None)
    assert AuditEvent.objects.filter(action="account.profile_update", data__demographics_consent="withdrawn").exists()


@pytest.mark.django_db
def test_profile_page_consent(client):
    user = make_user("bo@example.se")
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="demographics_consent"' in page and 'name="gender"' in page
    base = {"first_name": "Bo", "last_name": "B", "language": "sv"}
    # Answers without consent: refused with a message, the choice kept, nothing saved.
    response = client.post(reverse("accounts:profile"), {**base, "gender": "man"})
    assert response.status_code == 400
    assert response.context["form"]["gender"].value() == "man"
    assert 'name="gender" value="man"' in response.content.decode()
    user.refresh_from_db()
    assert user.gender == "" and user.demographics_consent_at is None
    # With consent: saved, consent time recorded.
    assert client.post(reverse("accounts:profile"), {**base, "gender": "man", "background": "swedish",
                                            "demographics_consent": "on"}).status_code == 302
    user.refresh_from_db()
    assert (user.gender, user.background) == ("man", "swedish") and user.demographics_consent_at is not None
    # Unticking withdraws: the answers are cleared even though they are still posted.
    response = client.post(reverse("accounts:profile"), {**base, "gender": "man", "background": "swedish"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.gender, user.background, user.demographics_consent_at) == ("", "", None)


# ------------------------------------------------------------------ the page


@pytest.fixture
def people(forum):
    return staff_and_representative(forum)


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [(Role.COORDINATOR, 200), (Role.FACILITATOR, 403), (Role.RESEARCHER, 403),
                                        ("company", 403)])
def test_diversity_page_permissions(client, meeting, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("events:diversity", args=[meeting.pk])).status_code == status


@pytest.mark.django_db
def test_diversity_page_anonymous_goes_to_login(client, meeting):
    response = client.get(reverse("events:diversity", args=[meeting.pk]))
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 40])
def test_diversity_page_fixed_queries_and_no_names(
    client, meeting, people, forum, count, django_assert_max_num_queries
):
    DiversityTarget.objects.create(forum=forum, dimension="size", category="250+", share=25)
    sections = "CFGJQ"
    for i in range(count):
        attendee = consenting(f"deltagare{i}@example.se", "woman" if i % 2 else "man", "swedish",)
        attendee.first_name, attendee.last_name = "Hemlig", f"Person{i}"
        attendee.save()
        make_registration(meeting, make_company(f"Deltagande AB {i}", sni=sections[i % 5], size="10-49"),
                          attendee=attendee)
    for i in range(3):
        make_company(f"Kandidat AB {i}", sni="F", size="250+")
    client.force_login(people[Role.COORDINATOR])
    url = reverse("events:diversity", args=[meeting.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hemlig" not in page and "Person1" not in page and "deltagare1@" not in page
    assert "Kandidat AB 0" in page and "Deltagande AB 0" not in page
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    # Filter by industry and size.
    response = client.get(url, {"sni_section": "F", "size_class": "250+"})
    assert response.status_code == 200 and "Kandidat AB 2" in response.content.decode()
    response = client.get(url, {"sni_section": "C"})
    assert "Kandidat AB" not in response.content.decode()


@pytest.mark.django_db
def test_diversity_page_shows_fewer_than_five_in_swedish(client, meeting, people):
    for i in range(3):
        make_registration(meeting, make_company(f"Liten AB {i}", sni="J", size="0-9"))
    client.force_login(people[Role.COORDINATOR])
    page = client.get(reverse("events:diversity", args=[meeting.pk])).content.decode()
    # Swedish once the fragment is merged into the catalogue.
    assert "färre än 5" in page
