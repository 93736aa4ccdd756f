"""The networks app's part of a person's data (forum.personal_data): their memberships."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum.personal_data import PersonalData, Rows, local
from forum.services.people import by_address, person_addresses

from ..models import Membership, Network
from .membership import membership_end


def _theirs(user: Any) -> Q:
    return Q(person=user) | by_address("email", person_addresses(user))


def _export(user: Any) -> Rows:
    return [{
        _("Network"): membership.network.title, _("Role"): membership.get_role_display(),
        _("Status"): membership.get_status_display(), _("Organisation"): membership.organisation_name,
        _("Name"): membership.name, _("Email address"): membership.email, _("Message"): membership.message,
        _("Member from"): local(membership.started_on), _("Member until"): local(membership.ended_on),
        _("Created"): local(membership.created_at),
    } for membership in Membership.objects.filter(_theirs(user)).select_related("network").order_by("created_at", "pk")]


def _sole_leader_of(user: Any) -> list[str]:
    """Networks still running whose only active process leader the person is."""
    led = (Membership.objects.filter(person=user, role=Membership.Role.PROCESS_LEADER, status=Membership.Status.ACTIVE)
           .exclude(network__status=Network.Status.CLOSED).select_related("network"))
    return sorted(membership.network.title for membership in led
                  if not Membership.objects.filter(network=membership.network_id, role=Membership.Role.PROCESS_LEADER,
                                                   status=Membership.Status.ACTIVE).exclude(pk=membership.pk).exists())


def _refusal(user: Any) -> str | None:
    # The rule of membership_end: a running network keeps a process leader.
    networks = _sole_leader_of(user)
    if networks:
        return _("You are the process leader of %(networks)s. Ask the coordinators to appoint another process "
                 "leader first.") % {"networks": ", ".join(networks)}
    return None


def _erase(user: Any, now: dt.datetime) -> int:
    """Open memberships end as if the person left (membership_end: the period keeps its dates
    in the network's history, an invitation counts as declined); then no period names them:
    name, address and message go, the organisation stays (the network's figures)."""
    for membership in Membership.objects.filter(_theirs(user), status__in=Membership.OPEN):
        membership_end(actor=user, membership=membership)
    return Membership.objects.filter(_theirs(user)).update(person=None, name="", email="", message="")


PERSONAL_DATA = PersonalData(key="networks", title=gettext_lazy("Network memberships"),
                             export=_export, erase=_erase, refusal=_refusal, order=30)
