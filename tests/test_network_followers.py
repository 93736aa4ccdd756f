"""Networks and communication together (issues 12 and 13): a public network can be followed by
email and its progress updates reach its followers; a members-only or closed network cannot be
followed and tells followers nothing; a newsletter can go to a network's current members."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from communication import audiences, hooks
from communication import services as communication_services
from communication.forms import FollowForm
from communication.models import DigestItem, Follower, MailPreference
from forum.models import OutboxMessage
from forum.notifications import Kind
from networks import services
from networks.models import Network
from tests.factories import bot_guard_fields, make_forum, make_user
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


def test_following_a_network_speaks_of_the_network_in_form_mail_and_pages(client, forum):
    """The network's page promises its progress updates: the form, the confirmation mail (subject,
    text and HTML) and the confirm, confirmed and ended pages say so, not the forum's news."""
    network = form_network(forum, title="Unga i arbete")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("communication:follow_network", args=[forum.slug, network.pk])
    form = client.get(url).content.decode()
    assert "progress updates of the network Unga i arbete" in form
    assert "news and newsletters" not in form
    OutboxMessage.objects.all().delete()
    client.post(url, {"email": "natverksfoljare@example.se", **bot_guard_fields(FollowForm)})
    follower = Follower.objects.get(email="natverksfoljare@example.se")
    [mail] = OutboxMessage.objects.filter(template="communication/follow_confirm")
    # Asked for in English: the mail is in the language of the page.
    assert "Unga i arbete" in mail.subject and "network" in mail.subject
    for part in (mail.body_text, mail.body_html):
        assert "progress updates of the network" in part
    link = reverse("communication:follow_confirm", args=[follower.token])
    confirm = client.get(link).content.decode()
    assert "progress updates of the network" in confirm and "news and newsletters" not in confirm
    confirmed = client.post(link, {"action": "confirm"}).content.decode()
    assert re.search("now gets the progress updates of the network.*Unga i arbete", confirmed)
    assert "news and newsletters" not in confirmed
    ended = client.post(link, {"action": "end"}).content.decode()
    assert "followers of the network" in ended and url in ended
    assert not Follower.objects.filter(email="natverksfoljare@example.se").exists()
