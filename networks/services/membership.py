"""Membership over the years: invitations, requests to join, decisions, leaving. Each period
is its own row (see :class:`networks.models.Membership`), so the history stays."""
from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from forum.mail import format_address, site_url
from forum.services import audit_record

from ..models import Membership, Network
from .common import NetworkError, mail_member, mail_process_leaders, organisation_of
from .networks import MAX_PROCESS_LEADERS


def _check_open(network: Network) -> None:
    if network.status == Network.Status.CLOSED:
        raise NetworkError(_("The network is closed."))


def _check_leader_room(network: Network, role: str, *, excluding: int | None = None) -> None:
    if role != Membership.Role.PROCESS_LEADER:
        return
    leaders = network.memberships.filter(role=Membership.Role.PROCESS_LEADER, status=Membership.Status.ACTIVE)
    if excluding:
        leaders = leaders.exclude(pk=excluding)
    if leaders.count() >= MAX_PROCESS_LEADERS:
        raise NetworkError(_("A network has at most two process leaders."))


def membership_invite(
    *, actor: Any, network: Network, email: str, role: str = Membership.Role.MEMBER, organisation=None,
    name: str = "",
) -> Membership:
    """Invite a person (by email address; an account is found by it, or made on accepting) to
    the network in ``role``; they get mail with a personal link to accept or decline.
    Process leaders of the network."""
    email = (email or "").strip().lower()
    if not email:
        raise NetworkError(_("Write the email address of the person to invite."))
    if role not in Membership.Role.values:
        raise NetworkError(_("Choose a role."))
    with transaction.atomic():
        network = Network.objects.select_for_update().get(pk=network.pk)
        _check_open(network)
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        organisation = organisation_of(person, organisation)
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    network=network, person=person, email=email,
                    name=(person.get_full_name() if person else "") or name.strip() or email,
                    organisation=organisation, organisation_name=organisation.name if organisation else "",
                    role=role, status=Membership.Status.INVITED, invited_by=actor,
                )
        except IntegrityError:
            raise NetworkError(_("The person is already a member, invited or waiting for an answer.")) from None
        mail_member(membership, "networks/invitation", actor=actor,
                    invitation_url=site_url() + reverse("networks:invitation", args=[membership.token]))
        audit_record(actor=actor, action="network.member_invite", target=membership, forum=network.forum,
                     data={"role": role})
    return membership


def membership_request(*, actor: Any, network: Network, organisation=None, message: str = "") -> Membership:
    """``actor`` asks to join the network (for ``organisation``); its process leaders are told
    and decide. Any logged-in person who may see the network."""
    with transaction.atomic():
        network = Network.objects.select_for_update().get(pk=network.pk)
        _check_open(network)
        organisation = organisation_of(actor, organisation)
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    network=network, person=actor, email=actor.email, name=actor.get_full_name() or actor.email,
                    organisation=organisation, organisation_name=organisation.name if organisation else "",
                    role=Membership.Role.MEMBER, status=Membership.Status.REQUESTED, message=message.strip(),
                )
        except IntegrityError:
            raise NetworkError(_("You are already a member, invited or waiting for an answer.")) from None
        mail_process_leaders(network, "networks/join_request", actor=actor, request=membership)
        audit_record(actor=actor, action="network.member_request", target=membership, forum=network.forum)
    return membership


def membership_accept(*, actor: Any, membership: Membership) -> Membership:
    """The invited person accepts through their personal link, logged in as ``actor``: the
    invited account, or, for an invitation to an address that had no account, the account
    with that address (which becomes the member). Refused for anyone else."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update(of=("self",)).select_related(
            "network__forum").get(pk=membership.pk)
        if membership.status != Membership.Status.INVITED:
            raise NetworkError(_("The invitation has already been answered."))
        _check_open(membership.network)
        _check_leader_room(membership.network, membership.role)
        # An invitation to an address without an account is for whoever logs in with that
        # address, not for anyone the link is forwarded to.
        if (membership.person_id and membership.person_id != actor.pk) or (
                not membership.person_id and (actor.email or "").strip().lower() != membership.email.lower()):
            raise NetworkError(_("The invitation is for another person. Log in with the invited email address."))
        if Membership.objects.filter(network=membership.network, person=actor, status__in=Membership.OPEN).exclude(
                pk=membership.pk).exists():
            raise NetworkError(_("You are already a member, invited or waiting for an answer."))
        membership.person = actor
        membership.name = actor.get_full_name() or actor.email
        if membership.organisation_id is None:
            organisation = organisation_of(actor)
            membership.organisation = organisation
            membership.organisation_name = organisation.name if organisation else ""
        membership.status = Membership.Status.ACTIVE
        membership.started_on = timezone.localdate()
        membership.save()
        audit_record(actor=actor, action="network.member_accept", target=membership, forum=membership.network.forum)
    return membership


def membership_decline_invitation(*, actor: Any, membership: Membership) -> Membership:
    """The invited person declines (through the personal link; no log-in needed)."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update(of=("self",)).select_related(
            "network__forum").get(pk=membership.pk)
        if membership.status != Membership.Status.INVITED:
            raise NetworkError(_("The invitation has already been answered."))
        membership.status = Membership.Status.DECLINED
        membership.save(update_fields=["status"])
        audit_record(actor=actor, action="network.member_decline", target=membership, forum=membership.network.forum)
    return membership


def membership_decide(*, actor: Any, membership: Membership, approve: bool) -> Membership:
    """Approve or decline a request to join; the person is told by mail. Process leaders of
    the network."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update(of=("self",)).select_related("network__forum", "person").get(
            pk=membership.pk)
        if membership.status != Membership.Status.REQUESTED:
            raise NetworkError(_("The request has already been decided."))
        if approve:
            _check_open(membership.network)
        membership.status = Membership.Status.ACTIVE if approve else Membership.Status.DECLINED
        membership.started_on = timezone.localdate() if approve else None
        membership.decided_by = actor
        membership.save()
        mail_member(membership, "networks/request_approved" if approve else "networks/request_declined", actor=actor)
        audit_record(actor=actor, action="network.member_approve" if approve else "network.member_decline_request",
                     target=membership, forum=membership.network.forum)
    return membership


def membership_end(*, actor: Any, membership: Membership) -> Membership:
    """End a membership period (the member leaves, or a process leader ends it); the period
    stays in the history with its dates and organisation. A network that is not closed keeps
    at least one process leader. The member themself, or a process leader of the network; a
    member removed by someone else is told once by mail, and a reply reaches who removed them."""
    with transaction.atomic():
        network = Network.objects.select_for_update().get(pk=membership.network_id)
        membership = Membership.objects.select_for_update(of=("self",)).select_related(
            "network__forum", "person").get(pk=membership.pk)
        if membership.status not in Membership.OPEN:
            raise NetworkError(_("The membership has already ended."))
        if (membership.role == Membership.Role.PROCESS_LEADER and membership.status == Membership.Status.ACTIVE
                and network.status != Network.Status.CLOSED
                and not network.memberships.filter(role=Membership.Role.PROCESS_LEADER,
                                                   status=Membership.Status.ACTIVE).exclude(pk=membership.pk).exists()):
            raise NetworkError(_("The network needs a process leader. Invite another process leader first."))
        was_active = membership.status == Membership.Status.ACTIVE
        membership.status = Membership.Status.ENDED if was_active else Membership.Status.DECLINED
        membership.ended_on = timezone.localdate() if was_active else None
        membership.save()
        if was_active and membership.person_id and actor is not None and membership.person_id != actor.pk:
            ended_by = actor.get_full_name() or actor.email
            mail_member(membership, "networks/membership_ended", actor=actor, ended_by=ended_by,
                        reply_to=[format_address(actor.get_full_name(), actor.email)] if actor.email else None)
        audit_record(actor=actor, action="network.member_end", target=membership, forum=network.forum)
    return membership
