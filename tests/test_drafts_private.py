"""Nothing of an unpublished meeting is visible to anyone but those who manage it, also after
a published meeting has been set back to draft."""
from __future__ import annotations

import pytest
from django.urls import reverse

from events import services as event_services
from events.models import Meeting, Nomination, Registration, SeatPool
from forum.models import Role
from issues import services as issue_services
from issues.models import Issue
from tests.factories import (
    company_with_rep,
    make_meeting,
    make_partners,
    make_registration,
    make_role_holder,
    make_user,
    pool_of,
)


@pytest.fixture
def setup(forum):
    """A meeting that was published, got an issue, a participant and a facilitator, and was
    then set back to draft by its coordinator."""
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    facilitator = make_role_holder(forum, Role.FACILITATOR, "processledare@example.se")
    partner, _other = make_partners()
    nominator = make_role_holder(forum, Role.PARTNER_NOMINATOR, "nom@example.se", partner_organisation=partner)
    meeting = make_meeting(forum, title="Hemlig träff", facilitators=[facilitator])
    event_services.meeting_set_status(actor=coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED)
    company, rep = company_with_rep()
    registration = make_registration(meeting, company, attendee=rep)
    issue = issue_services.issue_create(actor=rep, meeting=meeting, text="En fråga om hemliga saker", side="business",
                                        registration=registration)
    meeting = event_services.meeting_set_status(actor=coordinator, meeting=meeting, status=Meeting.Status.DRAFT)
    return {"meeting": meeting, "issue": issue, "coordinator": coordinator, "facilitator": facilitator,
            "nominator": nominator, "rep": rep, "registration": registration, "company": company}


@pytest.mark.django_db
def test_issues_of_a_draft_meeting_are_hidden_from_the_public(client, forum, setup):
    issue = setup["issue"]
    assert client.get(reverse("issues:issue_detail", args=[issue.pk])).status_code == 404
    listing = client.get(reverse("issues:public_issues", args=[forum.slug]))
    assert listing.status_code == 200
    assert issue.text not in listing.content.decode() and "Hemlig träff" not in listing.content.decode()
    client.force_login(setup["rep"])
    assert client.get(reverse("issues:issue_detail", args=[issue.pk])).status_code == 404
    client.force_login(setup["coordinator"])
    assert client.get(reverse("issues:issue_detail", args=[issue.pk])).status_code == 200


@pytest.mark.django_db
def test_nominators_cannot_see_or_nominate_into_a_draft_meeting(client, setup):
    meeting = setup["meeting"]
    client.force_login(setup["nominator"])
    url = reverse("events:nominations", args=[meeting.pk])
    assert client.get(url).status_code in (403, 404)
    company, _user = company_with_rep()
    response = client.post(url, {"pool": pool_of(meeting, SeatPool.Kind.PARTNER_PICK).pk, "company": company.pk,
                                 "contact_email": "a@example.se"})
    assert response.status_code in (403, 404)
    with pytest.raises(event_services.BookingError):
        event_services.nomination_create(actor=setup["nominator"], pool=pool_of(meeting, SeatPool.Kind.PARTNER_PICK),
                                         company=company, contact_email="a@example.se")
    assert not Nomination.objects.exists()
    client.force_login(setup["coordinator"])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_facilitators_participants_and_links_see_nothing_of_a_draft(client, setup):
    meeting = setup["meeting"]
    client.force_login(setup["facilitator"])
    for name in ("events:checkin", "issues:key_in", "issues:screen"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code in (403, 404), name
    assert client.get(meeting.get_absolute_url()).status_code == 404
    client.logout()
    token = setup["registration"].token
    assert client.get(reverse("events:invitation", args=[token])).status_code == 404
    assert client.get(reverse("issues:capture_token", args=[token])).status_code == 404
    client.force_login(setup["rep"])
    page = client.get(reverse("events:my_registrations"))
    assert page.status_code == 200 and "Hemlig träff" not in page.content.decode()


@pytest.mark.django_db
def test_the_priority_list_of_a_meeting_set_back_to_draft_is_not_shown(client, forum, setup):
    meeting = setup["meeting"]
    coordinator = setup["coordinator"]
    meeting.kind = Meeting.Kind.PRIORITISATION
    meeting.status = Meeting.Status.HELD
    meeting.save()
    texts = ["Prioriterad fråga ett", "Prioriterad fråga två"]
    candidates = [Issue.objects.create(forum=forum, meeting=meeting, text=t, side="business",
                                       status=Issue.Status.CANDIDATE) for t in texts]
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Omröstning", candidates=candidates)
    vote = issue_services.vote_open(actor=coordinator, vote=vote)
    company, voter = company_with_rep()
    issue_services.ballot_cast(vote=vote, registration=make_registration(meeting, company, attendee=voter),
                               marks={candidates[0].pk: 1})
    vote = issue_services.vote_close(actor=coordinator, vote=vote)
    issue_services.vote_confirm(actor=coordinator, vote=vote)
    assert texts[0] in client.get(forum.get_absolute_url()).content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.DRAFT)
    assert texts[0] not in client.get(forum.get_absolute_url()).content.decode()
    assert client.get(reverse("issues:vote_result", args=[vote.pk])).status_code == 404


@pytest.mark.django_db
def test_a_stranger_still_sees_published_meetings(client, forum):
    meeting = make_meeting(forum, title="Öppen träff")
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    client.force_login(make_user("annan@example.se"))
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert Registration.objects.count() == 0
