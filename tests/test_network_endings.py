"""What ends in a network, tried through the real pages: a meeting that has started is not
cancelled, closing a network ends its invitations, a removed member is told, an expense is not
dated ahead and a closed network gets no money, and a closed network's actions are not
listed as overdue work."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import AuditEvent, OutboxMessage, Role
from networks import services
from networks.models import Allocation, Expense, Membership, Network, NetworkMeeting
from tests.factories import make_company, make_representative, make_role_holder, make_user
from tests.network_helpers import form_network

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def leader():
    return make_representative(make_company("Ledarbolaget AB"), "ledare@example.se", first_name="Lea",
                               last_name="Ledare", language="en")


@pytest.fixture
def network(forum, coordinator, leader):
    return form_network(forum, coordinator=coordinator, leader=leader)


def _member(network, leader, email="deltar@example.se"):
    person = make_user(email, language="en", first_name="Dag", last_name="Deltar")
    services.membership_decide(actor=leader, membership=services.membership_request(actor=person, network=network),
                               approve=True)
    return person


def test_a_meeting_that_has_started_is_not_cancelled(client, network, leader):
    """A meeting that had started (or lay in the past) could still be cancelled from its page,
    and the members were mailed "cancelled" about a meeting that had taken place. Now the page
    offers no button and the service refuses with a message; a meeting ahead still can be."""
    _member(network, leader)
    started = timezone.now() - dt.timedelta(minutes=30)
    meeting = services.meeting_create(actor=leader, network=network, title="Pågående träff", starts_at=started,
                                      ends_at=started + dt.timedelta(hours=2), venue="Stadshuset",
                                      now=started - dt.timedelta(days=7))
    ahead = timezone.now() + dt.timedelta(days=3)
    later = services.meeting_create(actor=leader, network=network, title="Nästa träff", starts_at=ahead,
                                    ends_at=ahead + dt.timedelta(hours=2), venue="Stadshuset")
    OutboxMessage.objects.all().delete()
    client.force_login(leader)
    page = client.get(meeting.get_absolute_url(), **EN).content.decode()
    assert "Cancel the meeting" not in page
    response = client.post(meeting.get_absolute_url(), {"action": "cancel"}, follow=True, **EN)
    assert "The meeting has already started, so it can no longer be cancelled." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == NetworkMeeting.Status.PLANNED
    assert not OutboxMessage.objects.filter(template="networks/meeting_cancelled").exists()
    assert not AuditEvent.objects.filter(action="network.meeting_cancel").exists()

    assert "Cancel the meeting" in client.get(later.get_absolute_url(), **EN).content.decode()
    client.post(later.get_absolute_url(), {"action": "cancel"}, **EN)
    later.refresh_from_db()
    assert later.status == NetworkMeeting.Status.CANCELLED
    assert OutboxMessage.objects.filter(template="networks/meeting_cancelled").count() == 2


def test_closing_a_network_ends_its_invitations_and_tells_the_invited_once(client, network, coordinator, leader):
    """Closing a network left invitations waiting; accepting one later was refused with "The
    network is closed." Now closing declines them, each invited person is told once in their
    language, and the invitation's page says the network has closed instead of offering to
    accept."""
    invited = make_user("inbjuden@example.se", language="en")
    to_person = services.membership_invite(actor=leader, network=network, email=invited.email)
    to_address = services.membership_invite(actor=leader, network=network, email="utan.konto@example.se",
                                            role=Membership.Role.PROCESS_LEADER)
    OutboxMessage.objects.all().delete()
    client.force_login(coordinator)
    edit = {"action": "edit", "title": network.title, "goal": network.goal, "status": Network.Status.CLOSED,
            "visibility": network.visibility, "focus_area": ""}
    assert client.post(reverse("networks:network_edit", args=[network.pk]), edit, **EN).status_code == 302
    for invitation in (to_person, to_address):
        invitation.refresh_from_db()
        assert invitation.status == Membership.Status.DECLINED
    told = {m.to_email: m for m in OutboxMessage.objects.filter(template="networks/invitation_closed")}
    assert sorted(told) == ["inbjuden@example.se", "utan.konto@example.se"]
    assert told["inbjuden@example.se"].language == "en" and told["utan.konto@example.se"].language == "sv"
    mail = told["inbjuden@example.se"]
    assert network.title in mail.subject and "has closed" in mail.body_text and "has closed" in mail.body_html
    assert AuditEvent.objects.filter(action="network.member_decline", data__network_closed=True).count() == 2

    client.force_login(invited)
    page = client.get(reverse("networks:invitation", args=[to_person.token]), **EN).content.decode()
    assert "The network has closed, so the invitation has ended." in page
    assert 'value="accept"' not in page

    # Saving the closed network again tells no one a second time.
    client.force_login(coordinator)
    client.post(reverse("networks:network_edit", args=[network.pk]), {**edit, "title": "Nytt namn"}, **EN)
    assert OutboxMessage.objects.filter(template="networks/invitation_closed").count() == 2


def test_a_member_removed_by_a_process_leader_is_told_once(client, network, leader):
    """A member removed by a process leader got no mail. Now they are told once, in their
    language, who ended it, and a reply reaches that process leader. Leaving oneself, or a
    withdrawn invitation, sends nothing."""
    member = _member(network, leader)
    leaving = _member(network, leader, email="gar@example.se")
    invitation = services.membership_invite(actor=leader, network=network, email="kanske@example.se")
    OutboxMessage.objects.all().delete()
    membership = network.memberships.get(person=member, status=Membership.Status.ACTIVE)
    client.force_login(leader)
    response = client.post(reverse("networks:membership_end", args=[membership.pk]), **EN)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    mail = OutboxMessage.objects.get(template="networks/membership_ended")
    assert (mail.to_email, mail.language) == ("deltar@example.se", "en")
    assert network.title in mail.subject
    assert "Lea Ledare has ended your membership" in mail.body_text
    assert "ledare@example.se" in mail.headers["Reply-To"]
    client.post(reverse("networks:membership_end", args=[invitation.pk]), **EN)
    client.force_login(leaving)
    client.post(reverse("networks:leave", args=[network.pk]), **EN)
    assert network.memberships.get(person=leaving).status == Membership.Status.ENDED
    assert OutboxMessage.objects.filter(template="networks/membership_ended").count() == 1


def test_no_expense_dated_ahead_and_no_money_for_a_closed_network(client, forum, coordinator, network, leader):
    """An expense could be dated in the future, and money could be allocated to a closed
    network. Now both pages refuse with a message at the field, keep what was typed and
    change nothing; today's date and an open network still work."""
    today = timezone.localdate()
    services.pot_set(actor=coordinator, forum=forum, year=today.year, amount="10000")
    services.allocation_create(actor=coordinator, network=network, year=today.year, amount="1000")
    client.force_login(leader)
    url = reverse("networks:expenses", args=[network.pk])
    tomorrow = today + dt.timedelta(days=1)
    response = client.post(url, {"date": tomorrow.isoformat(), "category": "room", "amount": "100",
                                 "note": "Lokal"}, **EN)
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == [
        "The date is in the future. Record an expense on the day it was paid or later."]
    assert "Lokal" in response.content.decode()
    assert not Expense.objects.exists()
    assert client.post(url, {"date": today.isoformat(), "category": "room", "amount": "100"},
                       **EN).status_code == 302

    other = form_network(forum, coordinator=coordinator, title="Avslutat nätverk")
    services.network_update(actor=coordinator, network=other, status=Network.Status.CLOSED)
    client.force_login(coordinator)
    budget = reverse("networks:budget", args=[forum.slug]) + f"?ar={today.year}"
    response = client.post(budget, {"action": "allocate", "network": other.pk, "year": today.year,
                                    "amount": "500"}, **EN)
    assert response.status_code == 400
    assert response.context["allocation_form"].errors["network"] == [
        "The network is closed. Money is allocated only to a network that is still running."]
    assert Allocation.objects.filter(network=other).count() == 0
    assert client.post(budget, {"action": "allocate", "network": network.pk, "year": today.year,
                                "amount": "500"}, **EN).status_code == 302


def test_a_closed_networks_actions_are_not_overdue_work(client, forum, coordinator, network, leader):
    """A closed network's unfinished actions stayed "overdue" for good on the coordinators'
    overview and the process leader's page. Now those lists leave them out (an open network's
    overdue action stays listed); the network's own page still shows them."""
    open_network = form_network(forum, coordinator=coordinator, leader=leader, title="Öppet nätverk")
    past = timezone.localdate() - dt.timedelta(days=5)
    for net, text in ((network, "Stängd uppgift"), (open_network, "Öppen uppgift")):
        action = services.action_create(actor=leader, network=net, text=text, due_date=timezone.localdate())
        type(action).objects.filter(pk=action.pk).update(due_date=past)
    services.network_update(actor=coordinator, network=network, status=Network.Status.CLOSED)
    client.force_login(coordinator)
    overview = client.get(reverse("networks:overview", args=[forum.slug]), **EN).content.decode()
    assert "Öppen uppgift" in overview and "Stängd uppgift" not in overview
    client.force_login(leader)
    dashboard = client.get(reverse("networks:dashboard"), **EN).content.decode()
    assert "Öppen uppgift" in dashboard and "Stängd uppgift" not in dashboard
    assert "Stängd uppgift" in client.get(network.get_absolute_url(), **EN).content.decode()


def test_the_mail_to_a_removed_member_is_plain_swedish(client, network, leader):
    """The removed member's mail in Swedish, their language (needs the merged catalogue):
    what happened, nothing to do, and who a reply reaches."""
    member = make_user("medlem@example.se", language="sv")
    services.membership_decide(actor=leader, membership=services.membership_request(actor=member, network=network),
                               approve=True)
    client.force_login(leader)
    client.post(reverse("networks:membership_end",
                        args=[network.memberships.get(person=member, status=Membership.Status.ACTIVE).pk]))
    mail = OutboxMessage.objects.get(template="networks/membership_ended")
    assert mail.language == "sv"
    assert mail.subject == "Du är inte längre medlem i Matchning unga"
    assert "Lea Ledare har avslutat ditt medlemskap i nätverket ”Matchning unga”." in mail.body_text
    assert "Du behöver inte göra något." in mail.body_text
