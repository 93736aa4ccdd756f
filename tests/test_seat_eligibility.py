"""Who may sit in which pool is decided in the booking services (events.services.pool_refusal),
whichever way a booking arrives: open registration, invitation, bulk invitation, nomination."""
from __future__ import annotations

import pytest
from django.urls import reverse

from events import services
from events.models import InvitationBatch, Meeting, Nomination, Registration, SeatPool
from forum import services as forum_services
from forum.models import AuditEvent, Organisation, OutboxMessage, Role
from tests.factories import (
    company_with_rep,
    make_meeting,
    make_partners,
    make_representative,
    make_role_holder,
    pool_of,
)


def organisation(kind: str, name: str) -> Organisation:
    return forum_services.organisation_create(actor=None, kind=kind, name=name)


@pytest.fixture
def meeting(forum):
    meeting = make_meeting(forum)
    meeting.status = Meeting.Status.REGISTRATION_OPEN
    meeting.save()
    return meeting


@pytest.fixture
def others():
    """A department, a partner organisation and a non-profit, each with a confirmed representative."""
    result = {}
    for kind, name in ((Organisation.Kind.DEPARTMENT, "Miljöförvaltningen"),
                       (Organisation.Kind.PARTNER, "Företagarna Malmö"),
                       (Organisation.Kind.NONPROFIT, "Föreningen Grannsamverkan")):
        org = organisation(kind, name)
        result[kind] = (org, make_representative(org, f"{kind}@example.se"))
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Organisation.Kind.DEPARTMENT, Organisation.Kind.PARTNER, Organisation.Kind.NONPROFIT])
def test_open_registration_refuses_organisations_that_are_not_companies(meeting, others, kind):
    org, user = others[kind]
    with pytest.raises(services.BookingError):
        services.registration_open_create(actor=user, meeting=meeting, organisation=org, attendee_name="A",
                                          attendee_email=user.email, consent=True)
    assert not Registration.objects.filter(organisation=org).exists()
    assert not OutboxMessage.objects.filter(to_email=user.email).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Organisation.Kind.DEPARTMENT, Organisation.Kind.PARTNER, Organisation.Kind.NONPROFIT])
def test_registration_page_offers_nothing_to_representatives_of_other_organisations(client, meeting, others, kind):
    org, user = others[kind]
    client.force_login(user)
    page = client.get(meeting.get_absolute_url())
    assert reverse("events:register", args=[meeting.pk]) not in page.content.decode()
    response = client.post(reverse("events:register", args=[meeting.pk]), {
        "organisation": org.pk, "attendee_name": "A", "attendee_email": user.email, "consent": "on"})
    assert response.status_code in (400, 403)
    assert not Registration.objects.filter(organisation=org).exists()


@pytest.mark.django_db
def test_a_company_is_never_invited_into_a_municipal_pool(meeting):
    company, _user = company_with_rep()
    with pytest.raises(services.BookingError):
        services.invitation_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.MUNICIPAL), organisation=company,
                                   contact_email="x@example.se")
    assert not Registration.objects.filter(organisation=company).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Organisation.Kind.DEPARTMENT, Organisation.Kind.PARTNER, Organisation.Kind.NONPROFIT])
def test_only_companies_are_invited_into_company_pools(meeting, others, kind):
    org, _user = others[kind]
    for pool_kind in (SeatPool.Kind.CITY_PICK, SeatPool.Kind.OPEN, SeatPool.Kind.PARTNER_PICK):
        with pytest.raises(services.BookingError):
            services.invitation_create(actor=None, pool=pool_of(meeting, pool_kind), organisation=org,
                                       contact_email="x@example.se")
    assert not Registration.objects.filter(organisation=org).exists()


@pytest.mark.django_db
def test_a_department_pool_takes_only_its_own_department(meeting, others):
    own = others[Organisation.Kind.DEPARTMENT][0]
    other = organisation(Organisation.Kind.DEPARTMENT, "Fritidsförvaltningen")
    pool = pool_of(meeting, SeatPool.Kind.MUNICIPAL)
    pool.department = own
    pool.save()
    with pytest.raises(services.BookingError):
        services.invitation_create(actor=None, pool=pool, organisation=other, contact_email="y@example.se")
    invited = services.invitation_create(actor=None, pool=pool, organisation=own, contact_email="z@example.se")
    assert invited.status == Registration.Status.INVITED


@pytest.mark.django_db
def test_invitation_form_says_it_early_with_the_service_message(client, forum, meeting, others):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    client.force_login(coordinator)
    company, _user = company_with_rep()
    response = client.post(reverse("events:invite", args=[meeting.pk]), {
        "action": "single", "pool": pool_of(meeting, SeatPool.Kind.MUNICIPAL).pk, "organisation": company.pk,
        "contact_email": "x@example.se"})
    assert response.status_code == 400
    assert not Registration.objects.filter(organisation=company).exists()


@pytest.mark.django_db
def test_bulk_invitation_skips_what_is_not_eligible(meeting, others):
    company, _user = company_with_rep()
    nonprofit = others[Organisation.Kind.NONPROFIT][0]
    batch = services.invitation_batch_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK), items=[
        {"organisation": company.pk, "email": "a@example.se"}, {"organisation": nonprofit.pk, "email": "b@example.se"}])
    while services.invitation_batch_step(batch.pk):
        pass
    batch.refresh_from_db()
    assert batch.status == InvitationBatch.Status.DONE
    assert [item["organisation"] for item in batch.skipped] == [nonprofit.name]
    assert Registration.objects.filter(organisation=company).exists()
    assert not Registration.objects.filter(organisation=nonprofit).exists()


@pytest.mark.django_db
def test_nominations_go_only_into_partner_pools_and_only_for_companies(meeting, others):
    partner, _other_partner = make_partners()
    nominator = make_role_holder(meeting.forum, Role.PARTNER_NOMINATOR, "nom@example.se", partner_organisation=partner)
    company, _user = company_with_rep()
    with pytest.raises(services.BookingError):
        services.nomination_create(actor=nominator, pool=pool_of(meeting, SeatPool.Kind.OPEN), company=company,
                                   contact_email="a@example.se")
    with pytest.raises(services.BookingError):
        services.nomination_create(actor=nominator, pool=pool_of(meeting, SeatPool.Kind.PARTNER_PICK),
                                   company=others[Organisation.Kind.PARTNER][0], contact_email="a@example.se")
    assert not Nomination.objects.exists()
    services.nomination_create(actor=nominator, pool=pool_of(meeting, SeatPool.Kind.PARTNER_PICK), company=company,
                               contact_email="a@example.se")
    assert Nomination.objects.count() == 1


@pytest.mark.django_db
def test_invitations_wait_until_the_meeting_is_published(forum):
    draft = make_meeting(forum)
    company, _user = company_with_rep()
    with pytest.raises(services.BookingError):
        services.invitation_create(actor=None, pool=pool_of(draft, SeatPool.Kind.CITY_PICK), organisation=company,
                                   contact_email="a@example.se")
    assert not OutboxMessage.objects.exists()


# --- an invitation answered too late ------------------------------------------------------
@pytest.mark.django_db
def test_an_invitation_answered_after_it_expired_is_recorded_as_expired(client, meeting):
    company, _user = company_with_rep()
    invitation = services.invitation_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                            organisation=company, contact_email="a@example.se")
    Registration.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    # By the service …
    with pytest.raises(services.BookingError):
        services.invitation_accept(registration_id=invitation.pk, attendee_name="A", attendee_email="a@example.se",
                                   consent=True)
    invitation.refresh_from_db()
    assert invitation.status == Registration.Status.EXPIRED
    assert AuditEvent.objects.filter(action="registration.expire", target_id=str(invitation.pk)).count() == 1


@pytest.mark.django_db
def test_declining_by_the_link_after_expiry_records_the_expiry(client, meeting):
    company, _user = company_with_rep()
    invitation = services.invitation_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                            organisation=company, contact_email="a@example.se")
    url = reverse("events:invitation", args=[invitation.token])
    assert client.get(url).status_code == 200
    Registration.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    response = client.post(url, {"action": "decline"})
    assert response.status_code == 410
    invitation.refresh_from_db()
    assert invitation.status == Registration.Status.EXPIRED


@pytest.mark.django_db
def test_the_expiry_task_audits_what_it_expired(meeting):
    company, _user = company_with_rep()
    invitation = services.invitation_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                            organisation=company, contact_email="a@example.se")
    Registration.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    assert services.invitations_expire() == 1
    event = AuditEvent.objects.get(action="registration.expire_bulk")
    assert event.data["registrations"] == [invitation.pk] and event.forum_id == meeting.forum_id
    assert services.invitations_expire() == 0
