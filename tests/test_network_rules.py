"""Rules of thematic networks tried through the real pages, as an outside tester would:
which issues a network may take up, and what closing a network does to what it had planned."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Meeting
from forum.models import OutboxMessage, Role
from issues import services as issue_services
from issues.models import Issue, Vote
from networks import services
from networks.models import Action, Membership, Network, NetworkMeeting
from tests.factories import make_company, make_meeting, make_representative, make_role_holder, make_user
from tests.network_helpers import form_network, raiser_and_issue

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
    that had ended; a request to join stayed "waiting for the process leader's answer", which
    no process leader could approve any more. Now the meeting is cancelled, the members are
    told once with a calendar file that removes it, and no reminder follows; the request is
    declined and its asker told why. A meeting already held stays held."""
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
    asker = make_user("vill@example.se", language="en")
    waiting = services.membership_request(actor=asker, network=network, message="Jag vill vara med.")
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
    # The request to join that waited is answered: no process leader can approve it any more.
    waiting.refresh_from_db()
    assert waiting.status == Membership.Status.DECLINED
    told = OutboxMessage.objects.get(template="networks/request_closed")
    assert (told.to_email, told.language) == ("vill@example.se", "en")
    assert "has closed" in told.body_text and network.title in told.subject
    client.force_login(asker)
    page = client.get(network.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have asked to join" not in page and "The network is closed." in page
    client.force_login(coordinator)

    assert services.meeting_reminders_send() == 0
    assert services.meeting_reminders_send(now=starts - dt.timedelta(hours=20)) == 0
    assert not OutboxMessage.objects.filter(template="networks/meeting_reminder").exists()

    # Saving the closed network again tells no one a second time.
    response = client.post(reverse("networks:network_edit", args=[network.pk]),
                           _edit(network, title="Matchning unga (avslutat)"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(template="networks/meeting_cancelled").count() == 2
    assert OutboxMessage.objects.filter(template="networks/request_closed").count() == 1


def test_an_issue_on_the_ballot_of_an_open_vote_is_not_taken_up_by_a_network(client, forum, coordinator, leader):
    """The coordinator formed a network from an issue while the participants were still
    voting on it: the issue left the candidates ("taken up by a network") under the voters,
    which every other change of an issue's status is refused for. Now the page refuses with
    a message, and nothing changes: no network, the issue still a candidate, no mail."""
    meeting = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION)
    _raiser, voted = raiser_and_issue(meeting, "Fler praktikplatser för unga", email="rut@example.se")
    _other, other = raiser_and_issue(meeting, "Snabbare bygglov")
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering",
                                      candidates=[voted, other], method=Vote.Method.SCHULZE)
    issue_services.vote_open(actor=coordinator, vote=vote)
    OutboxMessage.objects.all().delete()
    client.force_login(coordinator)
    url = reverse("networks:network_create", args=[forum.slug])
    data = {"title": "Unga i arbete", "goal": "Fler unga i arbete.", "issues": [voted.pk],
            "leader_1": leader.email, "status": Network.Status.FORMING, "visibility": Network.Visibility.PUBLIC}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert "vote that is open" in errors and "Fler praktikplatser" in errors
    assert response.context["form"]["title"].value() == "Unga i arbete"  # nothing typed is lost
    assert not Network.objects.exists()
    voted.refresh_from_db()
    assert voted.status == Issue.Status.CANDIDATE and not hasattr(voted, "network_link")
    assert not OutboxMessage.objects.exists()

    # Added to a running network, the same.
    network = form_network(forum, coordinator=coordinator, leader=leader)
    response = client.post(reverse("networks:network_edit", args=[network.pk]),
                           {"action": "add_issues", "issues": [voted.pk]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    voted.refresh_from_db()
    assert voted.status == Issue.Status.CANDIDATE

    # Once the vote has closed, the network takes it up.
    issue_services.vote_close(actor=coordinator, vote=vote)
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    voted.refresh_from_db()
    assert voted.status == Issue.Status.NETWORK


def test_a_members_only_network_is_not_named_in_the_mail_to_those_who_raised_its_issues(
        client, forum, coordinator, leader):
    """The issue's public page says only "Taken up by a network" of a members-only network to
    those who are not its members; the mail to everyone who raised or supported the issue
    named the network in its subject and quoted its goal, and the outcome's mail named it
    too. Now neither mail names it nor quotes its goal; a public network's still does."""
    meeting = make_meeting(forum)
    raiser, issue = raiser_and_issue(meeting, "Fler praktikplatser för unga", email="rut@example.se")
    raiser.language = "en"
    raiser.save(update_fields=["language"])
    OutboxMessage.objects.all().delete()
    client.force_login(coordinator)
    response = client.post(reverse("networks:network_create", args=[forum.slug]), {
        "title": "Hemliga gruppen", "goal": "Ett internt mål om lönesättning.", "issues": [issue.pk],
        "leader_1": leader.email, "status": Network.Status.ACTIVE, "visibility": Network.Visibility.MEMBERS,
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    network = Network.objects.get()
    mail = OutboxMessage.objects.get(template="networks/issue_taken_up", to_email="rut@example.se")
    for part in (mail.subject, mail.body_text, mail.body_html):
        assert "Hemliga gruppen" not in part and "lönesättning" not in part
    assert "taken up by a network" in mail.subject and "Fler praktikplatser" in mail.subject

    OutboxMessage.objects.all().delete()
    client.force_login(leader)
    response = client.post(reverse("networks:outcome_create", args=[network.pk]),
                           {"issue": issue.pk, "outcome": "40 nya praktikplatser."}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    mail = OutboxMessage.objects.get(template="networks/issue_outcome", to_email="rut@example.se")
    assert "40 nya praktikplatser." in mail.body_text
    for part in (mail.subject, mail.body_text, mail.body_html):
        assert "Hemliga gruppen" not in part

    # A public network is named, with its goal.
    _other, public_issue = raiser_and_issue(meeting, "Snabbare bygglov", email="bo@example.se")
    OutboxMessage.objects.all().delete()
    form_network(forum, coordinator=coordinator, leader=leader, issues=[public_issue], title="Öppna gruppen")
    mail = OutboxMessage.objects.get(template="networks/issue_taken_up", to_email="bo@example.se")
    assert "Öppna gruppen" in mail.subject and "Fler unga i arbete." in mail.body_text


def test_attendance_is_recorded_only_for_those_who_were_members_on_the_day(client, forum, coordinator, leader):
    """A meeting held three weeks ago, recorded today: someone who joined last week was
    offered on the attendance form and could be marked present at a meeting they were
    neither a member of nor invited to (and counted in the annual report's attendance).
    Now the page refuses at the field and saves nothing; a member who has left since is
    still offered."""
    network = form_network(forum, coordinator=coordinator, leader=leader)
    day = timezone.now() - dt.timedelta(days=21)
    leadership = network.memberships.get()
    Membership.objects.filter(pk=leadership.pk).update(started_on=timezone.localdate(day) - dt.timedelta(days=30))
    early, late = make_user("tidig@example.se"), make_user("sen@example.se")
    was = services.membership_decide(actor=leader, approve=True,
                                     membership=services.membership_request(actor=early, network=network))
    Membership.objects.filter(pk=was.pk).update(started_on=timezone.localdate(day) - dt.timedelta(days=5))
    services.membership_end(actor=early, membership=was)  # left last week
    Membership.objects.filter(pk=was.pk).update(ended_on=timezone.localdate() - dt.timedelta(days=7))
    newcomer = services.membership_decide(actor=leader, approve=True,
                                          membership=services.membership_request(actor=late, network=network))
    meeting = services.meeting_create(actor=leader, network=network, title="Träff", starts_at=day,
                                      ends_at=day + dt.timedelta(hours=2), venue="Stadshuset",
                                      now=day - dt.timedelta(days=7))
    client.force_login(leader)
    url = reverse("networks:meeting_detail", args=[meeting.pk])
    response = client.post(url, {"action": "record", "notes": "Bra träff.",
                                 "present": [leadership.pk, newcomer.pk]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "present" in response.context["form"].errors
    assert response.context["form"]["notes"].value() == "Bra träff."
    meeting.refresh_from_db()
    assert meeting.status == NetworkMeeting.Status.PLANNED and not meeting.attendance.exists()
    with pytest.raises(services.NetworkError) as refused:
        services.meeting_record(actor=leader, meeting=meeting, notes="", present=[newcomer])
    assert refused.value.field == "present"

    response = client.post(url, {"action": "record", "notes": "Bra träff.", "present": [leadership.pk, was.pk]},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert set(meeting.attendance.values_list("membership", flat=True)) == {leadership.pk, was.pk}


def test_an_invitation_to_an_address_without_an_account_is_not_accepted_by_someone_else(
        client, forum, coordinator, leader):
    """A process leader invites a second process leader by an address that has no account
    yet. The link was forwarded: anyone logged in could accept it and became process leader
    (with the network's members, money and receipts). Now only an account with the invited
    address can accept; the page says so and nothing changes."""
    network = form_network(forum, coordinator=coordinator, leader=leader)
    invitation = services.membership_invite(actor=leader, network=network, email="ny.ledare@example.se",
                                            role=Membership.Role.PROCESS_LEADER)
    assert invitation.person is None
    url = reverse("networks:invitation", args=[invitation.token])
    client.force_login(make_user("nagon.annan@example.se"))
    response = client.post(url, {"answer": "accept"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Log in with the invited email address" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Membership.Status.INVITED and invitation.person is None
    assert not network.memberships.filter(person__email="nagon.annan@example.se").exists()

    invited = make_user("Ny.Ledare@example.se")
    client.force_login(invited)
    response = client.post(url, {"answer": "accept"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.person) == (Membership.Status.ACTIVE, invited)


def test_a_closed_network_takes_up_no_issues(client, forum, coordinator, leader):
    """A closed network's edit page still let the coordinator add issues: each moved to
    "taken up by a network" and its raisers were told that the network "will drive it
    further". A network could also be formed as closed. Both are refused now, with the
    message on the page; the issue stays a candidate and no one is told anything."""
    network = form_network(forum, coordinator=coordinator, leader=leader)
    services.network_update(actor=coordinator, network=network, status=Network.Status.CLOSED)
    _raiser, issue = raiser_and_issue(make_meeting(forum), "Fler praktikplatser", email="rut@example.se")
    OutboxMessage.objects.all().delete()
    client.force_login(coordinator)
    response = client.post(reverse("networks:network_edit", args=[network.pk]),
                           {"action": "add_issues", "issues": [issue.pk]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "A closed network takes up no issues" in " ".join(response.context["issues_form"].non_field_errors())
    response = client.post(reverse("networks:network_create", args=[forum.slug]), {
        "title": "Redan slut", "goal": "Inget.", "issues": [issue.pk], "leader_1": leader.email,
        "status": Network.Status.CLOSED, "visibility": Network.Visibility.PUBLIC}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "A closed network takes up no issues" in " ".join(response.context["form"].non_field_errors())
    assert not Network.objects.filter(title="Redan slut").exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANDIDATE and not hasattr(issue, "network_link")
    assert not OutboxMessage.objects.exists()


def test_an_action_whose_owner_has_left_is_marked_done_without_losing_its_owner(client, forum, coordinator, leader):
    """The owner of an action leaves the network; the process leader then marks the action
    done. The form did not offer the owner any more, so the page refused the action as it
    stood ("not one of the available choices") and made the leader pick another owner or
    none: who did the work was lost. Now the owner is kept, as an overdue due date is; a
    new owner must still be an active member."""
    network = form_network(forum, coordinator=coordinator, leader=leader)
    person = make_user("agare@example.se")
    owner = services.membership_decide(actor=leader, approve=True,
                                       membership=services.membership_request(actor=person, network=network))
    action = services.action_create(actor=leader, network=network, text="Kartlägg praktikplatser", owner=owner)
    services.membership_end(actor=person, membership=owner)
    client.force_login(leader)
    edit = reverse("networks:action_edit", args=[action.pk])
    assert f'value="{owner.pk}" selected' in client.get(edit, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(edit, {"text": action.text, "owner": owner.pk, "status": Action.Status.DONE},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.owner_id) == (Action.Status.DONE, owner.pk) and action.done_at

    # A new action cannot be given to someone who has left.
    response = client.post(reverse("networks:action_create", args=[network.pk]),
                           {"text": "Ring arbetsgivare", "owner": owner.pk, "status": Action.Status.OPEN},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "owner" in response.context["form"].errors
    with pytest.raises(services.NetworkError) as refused:
        services.action_create(actor=leader, network=network, text="Ring arbetsgivare", owner=owner)
    assert refused.value.field == "owner"
