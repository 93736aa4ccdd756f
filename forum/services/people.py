"""The forum-wide part of a person's data (forum.personal_data): the organisations they
represent, their roles, their accessibility reports and the mail the portal sent them."""
from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import AccessibilityReport, Affiliation, ForumRole, OutboxMessage, Role
from ..personal_data import PersonalData, Rows, local


def person_addresses(user: Any) -> list[str]:
    """The person's addresses that data about them may be found by: the account's address and
    every address they have verified (an unverified one may be someone else's). One query."""
    from allauth.account.models import EmailAddress

    addresses = {user.email.lower()}
    addresses.update(address.lower() for address in
                     EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    return sorted(address for address in addresses if address)


def by_address(field: str, addresses: list[str]) -> Q:
    """Rows whose ``field`` is one of ``addresses``, in any case (addresses typed elsewhere
    keep the case they were typed in)."""
    return reduce(or_, (Q(**{f"{field}__iexact": address}) for address in addresses), Q(pk__in=[]))


def _export(user: Any) -> Rows:
    addresses = person_addresses(user)
    rows: Rows = []
    for affiliation in Affiliation.objects.filter(person=user).select_related("organisation"):
        rows.append({_("What"): _("You represent an organisation"), _("Organisation"): affiliation.organisation.name,
                     _("Organisation number"): affiliation.organisation.organisationsnummer,
                     _("Title"): affiliation.title, _("Confirmed"): local(affiliation.confirmed_at),
                     _("Created"): local(affiliation.created_at)})
    for role in ForumRole.objects.filter(user=user).select_related("forum", "partner_organisation"):
        rows.append({_("What"): _("Role in a forum"), _("Forum"): role.forum.name, _("Role"): role.get_role_display(),
                     _("Organisation"): role.partner_organisation.name if role.partner_organisation else "",
                     _("Created"): local(role.granted_at)})
    for report in AccessibilityReport.objects.filter(Q(reporter=user) | by_address("email", addresses)):
        rows.append({_("What"): _("Accessibility report"), _("Page"): report.page_url,
                     _("Description"): report.description, _("Email address"): report.email,
                     _("Created"): local(report.created_at)})
    for mail in (OutboxMessage.objects.filter(by_address("to_email", addresses))
                 .only("to_email", "subject", "status", "created_at", "sent_at").order_by("created_at", "pk")):
        rows.append({_("What"): _("Email to you"), _("Email address"): mail.to_email, _("Subject"): mail.subject,
                     _("Status"): mail.get_status_display(), _("Created"): local(mail.created_at),
                     _("Sent"): local(mail.sent_at)})
    return rows


def _refusal(user: Any) -> str | None:
    # A role carries duties others rely on (meetings, networks, the register's confirmations):
    # whoever grants roles takes it away first, and so knows the work needs a new owner.
    # (Holding a role makes a person staff, for the admin: the role is the reason to name.)
    roles = list(ForumRole.objects.filter(user=user).select_related("forum"))
    coordinating = sorted({role.forum.name for role in roles if role.role == Role.COORDINATOR})
    if coordinating:
        # A coordinator removes roles themself (the forum's page "Roles"): asking "the
        # coordinators" would send the only one in a circle.
        return _("You are a coordinator of %(forums)s. Give the role to someone who takes over your work, then "
                 "remove your own roles on the forum's page “Roles”.") % {"forums": ", ".join(coordinating)}
    forums = sorted({role.forum.name for role in roles})
    if forums:
        return _("You have a role in %(forums)s. Ask the forum's coordinators to remove the role first, "
                 "so that someone else can take over your work.") % {"forums": ", ".join(forums)}
    if user.is_superuser or user.is_staff:
        return _("You administer the portal. Ask another administrator to erase your account.")
    return None


def _erase(user: Any, now: dt.datetime) -> int:
    """Reports keep their description (the problem, not the person) without who sent it;
    mail waiting for the person's addresses is not sent; mail already handled keeps its subject
    and status (the outbox's counts) without address or content. Affiliations go with the
    person's row (CASCADE)."""
    addresses = person_addresses(user)
    changed = AccessibilityReport.objects.filter(Q(reporter=user) | by_address("email", addresses)).update(
        reporter=None, email="")
    mail = OutboxMessage.objects.filter(by_address("to_email", addresses))
    deleted, _by_model = mail.filter(status=OutboxMessage.Status.QUEUED).delete()
    changed += deleted
    changed += mail.exclude(status=OutboxMessage.Status.QUEUED).update(
        to_email="", body_text="", body_html="", headers={}, render_spec=None)
    return changed


PERSONAL_DATA = PersonalData(key="forum", title=gettext_lazy("Organisations, roles and email"),
                             export=_export, erase=_erase, refusal=_refusal, order=90)
