"""What the network services share: the error type and the mail helpers."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from forum.mail import site_url
from forum.models import Affiliation
from forum.services import Attachment, mail_queue

from ..models import Membership, Network


class NetworkError(ValueError):
    """A change that breaks a rule; the message is for the user (translated). ``field``, when
    given, names the form field the rule is about, so the page shows the message there."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def language_of(person: Any) -> str:
    return getattr(person, "language", None) or settings.LANGUAGE_CODE


def network_context(network: Network, **extra: Any) -> dict[str, Any]:
    """What every mail about a network shows: the network and the address of its page."""
    return {
        "network": network,
        "network_url": site_url() + network.get_absolute_url(),
        "forum": network.forum,
        **extra,
    }


def organisation_of(person: Any, organisation=None):
    """The organisation a period is for: the one given, else the person's only confirmed one."""
    if organisation is not None or person is None:
        return organisation
    confirmed = list(Affiliation.objects.filter(person=person, confirmed_at__isnull=False)
                     .select_related("organisation")[:2])
    return confirmed[0].organisation if len(confirmed) == 1 else None


def profile_url() -> str:
    """Where a person turns mail off (their profile's notification choices)."""
    try:
        path = reverse("accounts:profile")
    except NoReverseMatch:  # before the accounts URLs had their namespace
        path = reverse("profile")
    return site_url() + path + "#notifications"


def mail_member(membership: Membership, template: str, *, actor: Any = None, attachments=(), reply_to=None,
                **extra: Any) -> None:
    """Queue transactional mail about ``membership`` to its person (or invited address);
    ``reply_to`` overrides who a reply reaches (default: the forum's coordinators)."""
    person = membership.person
    address = person.email if person is not None else membership.email
    if not address:
        return
    mail_queue(
        to=address, template=template, language=language_of(person),
        context=network_context(membership.network, membership=membership, **extra),
        forum=membership.network.forum, created_by=actor, attachments=attachments, reply_to=reply_to,
    )


def mail_process_leaders(network: Network, template: str, *, actor: Any = None, **extra: Any) -> None:
    """Queue mail to each active process leader of ``network``."""
    for leader in network.memberships.filter(
        status=Membership.Status.ACTIVE, role=Membership.Role.PROCESS_LEADER, person__isnull=False,
    ).select_related("person", "network__forum"):
        mail_member(leader, template, actor=actor, members_url=site_url() + reverse(
            "networks:members", args=[network.pk]), **extra)


def active_members(network: Network):
    """The network's active memberships with a person, for mail."""
    return network.memberships.filter(status=Membership.Status.ACTIVE, person__isnull=False,
                                      person__is_active=True).select_related("person")


__all__ = ["Attachment", "NetworkError", "active_members", "language_of", "mail_member", "mail_process_leaders",
           "network_context", "organisation_of", "profile_url"]
