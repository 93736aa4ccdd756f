"""Every write leaves an audit row (forum.services.audit_record) naming who did it: each issue
and vote service with its actor, and the bulk writes of the periodic tasks with no actor (the
clock) but with the forum and what they changed."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts import services as account_services
from events import services as event_services
from events.models import InvitationBatch, Meeting, Registration, SeatPool
from forum.models import AuditEvent, Role
from issues import services as issue_services
from issues.models import Issue
from tests.factories import make_company, make_meeting, make_registration, make_role_holder, make_user, pool_of
from tests.test_voting import make_voter


def audited(action: str, target, actor=None) -> AuditEvent:
    """The one audit row of ``action`` on ``target``; its actor must be ``actor`` (None: the clock)."""
    row = AuditEvent.objects.get(action=action, target_type=target._meta.label_lower, target_id=str(target.pk))
    assert row.actor == actor, (action, row.actor, actor)
    return row


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def meeting(forum):
    meeting = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION)
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    return meeting


@pytest.mark.django_db
def test_each_issue_and_vote_service_records_its_actor(forum, coordinator, meeting):
    raiser, registration = make_voter(meeting)
    supporter, _supporter_registration = make_voter(meeting)
    _by_link, link_registration = make_voter(meeting)
    area = forum.focus_areas.order_by("position").first()

    issue = issue_services.issue_create(actor=raiser, meeting=meeting, text="Snabbare bygglov", side="business",
                                        focus_area=area, registration=registration)
    assert audited("issue.create", issue, raiser).forum == forum
    keyed = issue_services.issue_create(actor=coordinator, meeting=meeting, text="Bygglov tar för lång tid",
                                        side="business", focus_area=area, keyed_in=True)
    audited("issue.key_in", keyed, coordinator)
    assert issue_services.issue_support(issue=issue, person=supporter)
    audited("issue.support", issue, supporter)
    # Support by the personal link alone: no account, the registration is named instead.
    other = issue_services.issue_create(actor=raiser, meeting=meeting, text="Fler praktikplatser", side="business",
                                        focus_area=area, registration=registration)
    assert issue_services.issue_support(issue=other, registration=link_registration)
    assert audited("issue.support", other).data == {"registration": link_registration.pk}
    # Support given twice is recorded once.
    assert not issue_services.issue_support(issue=issue, person=supporter)
    issue_services.issue_edit(actor=coordinator, issue=issue, text="Snabbare bygglov för företag")
    assert audited("issue.edit", issue, coordinator).data == {"fields": ["text"]}
    issue_services.issue_merge(actor=coordinator, survivor=issue, duplicates=[keyed])
    assert audited("issue.merge", issue, coordinator).data == {"merged": [keyed.pk]}
    for candidate in (issue, other):
        issue_services.issue_set_status(actor=coordinator, issue=candidate, status=Issue.Status.CANDIDATE)
        assert audited("issue.status", candidate, coordinator).data == {"from": "new", "to": "candidate"}

    issue.refresh_from_db()
    other.refresh_from_db()
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering",
                                      candidates=[issue, other])
    audited("vote.create", vote, coordinator)
    issue_services.vote_open(actor=coordinator, vote=vote)
    audited("vote.open", vote, coordinator)
    issue_services.ballot_cast(vote=vote, registration=registration, actor=coordinator, paper=True,
                               marks={issue.pk: 1, other.pk: 2})
    audited("vote.paper_ballot", vote, coordinator)
    issue_services.vote_close(actor=coordinator, vote=vote)
    audited("vote.close", vote, coordinator)
    issue_services.vote_confirm(actor=coordinator, vote=vote)
    audited("vote.confirm", vote, coordinator)


@pytest.mark.django_db
def test_bulk_expiry_of_invitations_records_the_forum_and_the_rows(forum, coordinator, meeting):
    now = timezone.now()
    invited = [
        event_services.invitation_create(actor=coordinator, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                         organisation=make_company(), contact_email=f"vd{n}@example.se")
        for n in range(2)
    ]
    Registration.objects.filter(pk__in=[r.pk for r in invited]).update(expires_at=now - dt.timedelta(minutes=1))
    assert event_services.invitations_expire(now=now) == 2
    row = AuditEvent.objects.get(action="registration.expire_bulk")
    assert (row.actor, row.forum) == (None, forum)
    assert sorted(row.data["registrations"]) == sorted(r.pk for r in invited) and row.data["count"] == 2
    # Nothing due: no row.
    assert event_services.invitations_expire(now=now) == 0
    assert AuditEvent.objects.filter(action="registration.expire_bulk").count() == 1


@pytest.mark.django_db
def test_reminders_record_each_reminder_sent(forum, meeting):
    meeting.starts_at = timezone.now() + dt.timedelta(days=5)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=3)
    meeting.save()
    registration = make_registration(meeting, make_company(), attendee=make_user("deltagare@example.se"))
    assert event_services.reminders_send() == 1
    assert audited("registration.remind", registration).data == {"days": 7}
    assert event_services.reminders_send() == 0
    assert AuditEvent.objects.filter(action="registration.remind").count() == 1


@pytest.mark.django_db
def test_bulk_invitation_records_each_invitation_and_the_batch_by_its_creator(forum, coordinator, meeting):
    companies = [make_company(), make_company()]
    batch = InvitationBatch.objects.create(
        meeting=meeting, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK), total=2, created_by=coordinator,
        items=[{"organisation": c.pk, "email": f"vd{n}@example.se"} for n, c in enumerate(companies)],
    )
    while event_services.invitation_batch_step(batch.pk):
        pass
    assert audited("registration.invite_bulk_done", batch, coordinator).data == {"count": 2, "skipped": 0}
    for registration in Registration.objects.filter(meeting=meeting):
        audited("registration.invite", registration, coordinator)


@pytest.mark.django_db
def test_language_choice_is_recorded():
    user = make_user("person@example.se", language="sv")
    account_services.language_set(user=user, language="en")
    assert audited("account.language", user, user).data == {"from": "sv", "to": "en"}
    account_services.language_set(user=user, language="en")  # no change, no row
    assert AuditEvent.objects.filter(action="account.language").count() == 1
