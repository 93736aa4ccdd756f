"""What the communication app may know about networks (``communication.hooks.NetworkProvider``),
registered in :meth:`networks.apps.NetworksConfig.ready` when communication is installed.

Newsletters can go to a network's current members; anyone may follow a public network with an
email address. Every function is given the forum and answers only for that forum's networks.
Reads only; no side effects.
"""
from __future__ import annotations

from collections.abc import Sequence

from forum.mail import site_url
from forum.models import Forum

from .models import Membership, Network

# A closed network has ended: newsletters and followers are for the ones that still run.
_RUNNING = (Network.Status.FORMING, Network.Status.ACTIVE, Network.Status.PAUSED)


def networks(forum: Forum) -> list[tuple[int, str]]:
    """The forum's running networks a newsletter may go to, as (id, title)."""
    return list(Network.objects.filter(forum=forum, status__in=_RUNNING).order_by("title").values_list("pk", "title"))


def members(forum: Forum, ids: Sequence[int]) -> list[tuple[str, str]]:
    """(email, language) of the current members, with an account, of those networks of the forum."""
    rows = (
        Membership.objects.filter(network__forum=forum, network_id__in=list(ids), status=Membership.Status.ACTIVE,
                                  person__isnull=False, person__is_active=True)
        .values_list("person__email", "person__language")
    )
    return [(email, language) for email, language in rows if email]


def public_network(forum: Forum, network_id: int) -> tuple[str, str] | None:
    """(title, absolute URL) of a running public network of the forum, else None."""
    network = Network.objects.filter(forum=forum, pk=network_id).first()
    if network is None or not network.accepts_followers:
        return None
    return network.title, site_url() + network.get_absolute_url()


def public_networks(forum: Forum) -> list[tuple[int, str]]:
    """The forum's running public networks, as (id, title)."""
    return list(
        Network.objects.filter(forum=forum, status__in=_RUNNING, visibility=Network.Visibility.PUBLIC)
        .order_by("title").values_list("pk", "title")
    )
