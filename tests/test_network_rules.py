"""Rules of thematic networks tried through the real pages, as an outside tester would:
what closing a network does to what it had planned."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import OutboxMessage, Role
from networks import services
from networks.models import Network, NetworkMeeting
from tests.factories import make_company, make_representative, make_role_holder, make_user
from tests.network_helpers import form_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def leader():
    return make_representative(make_company("Ledarbolaget AB"), "ledare@example.se", first_name="Lea",
                               last_name="Ledare")


def _edit(network, **changes) -> dict:
    return {"action": "edit", "title": network.title, "goal": network.goal, "status": network.status,
            "visibility": network.visibility, "focus_area": "", **changes}


def test_closing_a_network_cancels_its_meetings_ahead_and_no_reminder_goes_out(client, forum, coordinator, leader):
    """A network closed on its edit page with a meeting planned next week: the meeting was
    left planned, and the week's and the day's reminders went to the members of a network
    that had ended. Now the meeting is cancelled, the members are told once with a calendar
    file that removes it, and no reminder follows. A meeting already held stays held."""
    network = form_network(forum, coordinator=coordinator, leader=leader)
    member = make_user("deltar@example.se", language="en")
    services.membership_decide(actor=leader, membership=services.membership_request(actor=member, network=network),
                               approve=True)
    past = timezone.now() - dt.timedelta(days=20)
    held = services.meeting_create(actor=leader, network=network, title="Förra träffen", starts_at=past,
                                   ends_at=past + dt.timedelta(hours=2), venue="Stadshuset",
                                   now=past - dt.timedelta(days=7))
    services.meeting_record(actor=leader, meeting=held, notes="Bra träff.", present=[])
    starts = timezone.now() + dt.timedelta(days=6)
    ahead = services.meeting_create(actor=leader, network=network, title="Nästa träff", starts_at=starts,
                                    ends_at=starts + dt.timedelta(hours=2), venue="Stadshuset")
    OutboxMessage.objects.all().delete()

    client.force_login(coordinator)
    response = client.post(reverse("networks:network_edit", args=[network.pk]),
                           _edit(network, status=Network.Status.CLOSED), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    network.refresh_from_db()
    ahead.refresh_from_db()
    held.refresh_from_db()
    assert network.status == Network.Status.CLOSED
    assert ahead.status == NetworkMeeting.Status.CANCELLED
    assert held.status == NetworkMeeting.Status.HELD
    cancelled = OutboxMessage.objects.filter(template="networks/meeting_cancelled")
    assert sorted(m.to_email for m in cancelled) == ["deltar@example.se", "ledare@example.se"]
    assert all(b"METHOD:CANCEL" in bytes(m.attachments.get().content) or b"STATUS:CANCELLED"
               in bytes(m.attachments.get().content) for m in cancelled)
    assert {m.language for m in cancelled} == {"en", "sv"}

    assert services.meeting_reminders_send() == 0
    assert services.meeting_reminders_send(now=starts - dt.timedelta(hours=20)) == 0
    assert not OutboxMessage.objects.filter(template="networks/meeting_reminder").exists()

    # Saving the closed network again tells no one a second time.
    response = client.post(reverse("networks:network_edit", args=[network.pk]),
                           _edit(network, title="Matchning unga (avslutat)"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(template="networks/meeting_cancelled").count() == 2
