"""Networks and communication together (issues 12 and 13): a public network can be followed by
email and its progress updates reach its followers; a members-only or closed network cannot be
followed and tells followers nothing; a newsletter can go to a network's current members."""
from __future__ import annotations

import pytest
from django.urls import reverse

from communication import audiences, hooks
from communication import services as communication_services
from communication.models import DigestItem, MailPreference
from forum.models import OutboxMessage
from forum.notifications import Kind
from networks import services
from networks.models import Network
from tests.factories import make_forum, make_user
from tests.network_helpers import form_network

pytestmark = pytest.mark.django_db


def _follow(forum, email: str, network: Network):
    follower = communication_services.follow_request(actor=None, forum=forum, email=email, language="sv",
                                                     network_id=network.pk, network_title=network.title)
    return communication_services.follow_confirm(follower=follower)


def _leader(network: Network):
    return network.memberships.get(role="process_leader").person


def test_a_public_networks_update_reaches_its_followers(forum):
    network = form_network(forum, title="Unga i arbete")
    _follow(forum, "foljer.natverket@example.se", network)  # the default: network updates at once
    _follow(forum, "vill.ha.sammandrag@example.se", network)
    MailPreference.objects.create(email="vill.ha.sammandrag@example.se", kind=Kind.NETWORK_UPDATES,
                                  frequency="weekly")
    OutboxMessage.objects.all().delete()

    services.update_publish(actor=_leader(network), network=network, title="Läget i december",
                            body="Tio nya praktikplatser.")

    [mail] = OutboxMessage.objects.filter(to_email="foljer.natverket@example.se")
    assert "Unga i arbete" in mail.subject or "Unga i arbete" in mail.body_text
    assert "List-Unsubscribe" in mail.headers
    assert DigestItem.objects.filter(email="vill.ha.sammandrag@example.se").count() == 1


def test_members_only_and_closed_networks_cannot_be_followed(client, forum):
    hidden = form_network(forum, title="Slutet nätverk", visibility=Network.Visibility.MEMBERS)
    open_one = form_network(forum, title="Öppet nätverk")
    assert hooks.public_network(forum, hidden.pk) is None
    assert hooks.public_network(forum, open_one.pk)[0] == "Öppet nätverk"
    assert [title for _pk, title in hooks.public_networks(forum)] == ["Öppet nätverk"]
    other_forum = make_forum(municipality="Lund", name="Lundaforum", slug="lund")
    assert hooks.public_network(other_forum, open_one.pk) is None

    url = reverse("communication:follow_network", args=[forum.slug, hidden.pk])
    assert client.get(url).status_code == 404
    # The public network's page offers following; the members-only one's does not exist for a visitor.
    page = client.get(open_one.get_absolute_url())
    assert reverse("communication:follow_network", args=[forum.slug, open_one.pk]) in page.content.decode()

    services.network_update(actor=None, network=open_one, status=Network.Status.CLOSED)
    assert hooks.public_network(forum, open_one.pk) is None


def test_an_update_of_a_members_only_network_reaches_no_follower(forum):
    network = form_network(forum, title="Slutet nätverk", visibility=Network.Visibility.MEMBERS)
    # A follower row that predates the network becoming members-only.
    communication_services.follow_confirm(follower=communication_services.follow_request(
        actor=None, forum=forum, email="tidigare@example.se", language="sv", network_id=network.pk))
    OutboxMessage.objects.all().delete()
    services.update_publish(actor=_leader(network), network=network, title="Internt", body="Bara för medlemmar.")
    assert not OutboxMessage.objects.filter(to_email="tidigare@example.se").exists()
    assert not DigestItem.objects.filter(email="tidigare@example.se").exists()


def test_a_newsletter_can_go_to_a_networks_current_members(forum):
    network = form_network(forum, title="Unga i arbete")
    member = make_user("medlem@example.se", language="en")
    services.membership_request(actor=member, network=network)
    request = network.memberships.get(person=member)
    services.membership_decide(actor=_leader(network), membership=request, approve=True)
    assert (network.pk, "Unga i arbete") in hooks.networks(forum)
    members = dict(hooks.network_members(forum, [network.pk]))
    assert members == {_leader(network).email: "sv", "medlem@example.se": "en"}
    resolved = audiences.resolve(forum, [f"network:{network.pk}"])
    assert set(resolved) == {_leader(network).email, "medlem@example.se"}
    followers_of = audiences.resolve(forum, [f"network_followers:{network.pk}"])
    assert followers_of == {}
