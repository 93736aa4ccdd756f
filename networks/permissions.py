"""Every permission decision about networks, in one place.

Three kinds of people act on a network: the coordinators of its forum (form it, edit it,
allocate money, see everything), its process leaders (run it: members, meetings, actions,
updates, expenses – only they), and its members (see what is for members). A person's open
memberships are read once per request and cached on the user object.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from forum import permissions as forum_permissions
from forum.fields import parse_id

from .models import Membership, Network


def _active_roles(user: Any) -> dict[int, str]:
    """{network id: role} of ``user``'s active memberships (one query per user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    if "_network_roles_cache" not in user.__dict__:
        user.__dict__["_network_roles_cache"] = dict(
            Membership.objects.filter(person=user, status=Membership.Status.ACTIVE).values_list("network_id", "role")
        )
    return user.__dict__["_network_roles_cache"]


def can_form_network(user: Any, forum) -> bool:
    """Form networks, edit them, allocate money, see the overview and the annual report:
    the forum's coordinators."""
    return forum_permissions.can_manage_forum(user, forum)


def is_coordinator(user: Any, network: Network) -> bool:
    return forum_permissions.can_manage_forum(user, network.forum)


def is_process_leader(user: Any, network: Network) -> bool:
    """Run the network: approve members, plan meetings, record actions, write updates and
    record expenses. Only the network's own active process leaders (not coordinators)."""
    return _active_roles(user).get(network.pk) == Membership.Role.PROCESS_LEADER


def is_member(user: Any, network: Network) -> bool:
    """An active member in any role."""
    return network.pk in _active_roles(user)


def can_view_network(user: Any, network: Network) -> bool:
    """A public network's page is for everyone; a members-only network only for its members
    and the forum's coordinators."""
    return network.is_public or is_member(user, network) or is_coordinator(user, network)


def can_view_members_content(user: Any, network: Network) -> bool:
    """The member list, meeting details (online link, notes, attendance) and expenses."""
    return is_member(user, network) or is_coordinator(user, network)


def can_ask_to_join(user: Any, network: Network) -> bool:
    """A logged-in person who may see the network and is not in it (nor waiting)."""
    return (getattr(user, "is_authenticated", False) and can_view_network(user, network)
            and network.status != Network.Status.CLOSED and not is_member(user, network))


def can_view_running(user: Any, network: Network) -> bool:
    """See how the network is run – its members over the years and its money and expenses:
    its process leaders and the forum's coordinators (who see everything). Only process
    leaders change them (:func:`is_process_leader`); coordinators see the pages read-only."""
    return is_process_leader(user, network) or is_coordinator(user, network)


def can_view_receipt(user: Any, network: Network) -> bool:
    """Receipts: the network's process leaders and the forum's coordinators."""
    return is_process_leader(user, network) or is_coordinator(user, network)


def network_for(user: Any, pk: Any, check) -> Network:
    """Fetch a network and apply ``check(user, network)``. Http404 for an unknown network and
    for one the user may not even see (a members-only network is not revealed);
    PermissionDenied when they may see it but not do this."""
    pk = parse_id(pk)
    network = Network.objects.select_related("forum", "focus_area").filter(pk=pk).first() if pk else None
    if network is None or not can_view_network(user, network):
        raise Http404
    if not check(user, network):
        raise PermissionDenied
    return network
