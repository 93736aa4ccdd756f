"""Writes about people: profile and the organisations they represent."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Affiliation, Organisation
from forum.services import affiliation_create, audit_record, organisation_create

from .models import User


def profile_update(
    *, actor: User, user: User, first_name: str, last_name: str, language: str, gender: str = "",
    background: str = "", demographics_consent: bool = False, notify_issue_updates: bool | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Update a person's name and language, whether they want mail when an issue they raised
    or support changes (``notify_issue_updates``; left as it is when None), and their
    voluntary gender and background.

    Gender and background are stored only with ``demographics_consent``; without it (and when
    an earlier consent is withdrawn) both are cleared and the consent time removed. The time
    of consent is recorded when it is first given and kept while it lasts. The caller is the
    person or staff. Side effect: an audit event (which never records the answers).
    """
    now = now or timezone.now()
    with transaction.atomic():
        user.first_name, user.last_name, user.language = first_name, last_name, language
        if notify_issue_updates is not None:
            user.notify_issue_updates = notify_issue_updates
        had_consent = user.demographics_consent_at is not None
        if demographics_consent:
            user.gender, user.background = gender, background
            user.demographics_consent_at = user.demographics_consent_at or now
        else:
            user.gender = user.background = ""
            user.demographics_consent_at = None
        user.save(update_fields=["first_name", "last_name", "language", "gender", "background",
                                 "demographics_consent_at", "notify_issue_updates"])
        data = {}
        if demographics_consent != had_consent:
            data["demographics_consent"] = "given" if demographics_consent else "withdrawn"
        audit_record(actor=actor, action="account.profile_update", target=user, data=data)
    return user


def language_set(*, user: User, language: str) -> None:
    """Remember the language a logged-in person chose in the language switch. Side effect
    when it changes: the user row and an audit event."""
    if user.language != language:
        previous = user.language
        with transaction.atomic():
            user.language = language
            user.save(update_fields=["language"])
            audit_record(actor=user, action="account.language", target=user, data={"from": previous, "to": language})


def representation_add(*, actor: User, organisationsnummer: str, title: str, new_company: dict[str, Any],
                       existing: Organisation | None) -> Affiliation:
    """The person ``actor`` says they represent a company.

    A company new to the register is created and the person is confirmed as its
    representative at once; for an already registered company the tie waits for staff to
    confirm it, so nobody can act for a company just by knowing its number.
    """
    with transaction.atomic():
        if existing is None:
            organisation = organisation_create(
                actor=actor, kind=Organisation.Kind.COMPANY, organisationsnummer=organisationsnummer, **new_company
            )
            return affiliation_create(actor=actor, person=actor, organisation=organisation, title=title, confirmed=True)
        return affiliation_create(actor=actor, person=actor, organisation=existing, title=title, confirmed=False)


# --- A person's own data: download and erasure (DESIGN, "Rules that always hold") -----------
class AccountEraseRefused(Exception):
    """The account cannot be erased yet; ``reasons`` say what must happen first (translated)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def account_erase_refusals(user: User) -> list[str]:
    """Why ``user``'s account cannot be erased now (a role or a network someone must take over
    first), from every app's part of the person's data; empty when it can. No side effects."""
    from forum.personal_data import providers

    return [reason for provider in providers() if provider.refusal
            for reason in [provider.refusal(user)] if reason]


def personal_data_export(*, user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the portal keeps about ``user``, by app, as a JSON-ready dict with labels in
    the active language. The person themself only (the view passes request.user). Side effect:
    an audit event (that it was downloaded, not what)."""
    from forum.branding import site_name
    from forum.personal_data import local, providers

    now = now or timezone.now()
    sections = [{"title": str(provider.title), "rows": provider.export(user)} for provider in providers()]
    audit_record(actor=user, action="account.data_export", target=user)
    return {"portal": str(site_name()), "exported_at": local(now), "email": user.email, "sections": sections}


def account_erase(*, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Erase ``user``'s account: each app removes or anonymises its data about them (see
    forum.personal_data; coming seats are cancelled and go to the next in line), then the
    person's row is deleted with what belongs to it alone (addresses, affiliations). What the
    aggregates count stays without anything that names them. The person themself only.

    Refused (:class:`AccountEraseRefused`, nothing changed) while :func:`account_erase_refusals`
    names a reason. Side effects, in one transaction: the apps' rows, mail to the next in line
    for freed seats, mail waiting for the person's addresses removed, an audit event that counts
    the rows changed per app and names nobody. Returns those counts."""
    from forum.personal_data import providers

    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        reasons = account_erase_refusals(user)
        if reasons:
            raise AccountEraseRefused(reasons)
        changed = {provider.key: provider.erase(user, now) for provider in providers()}
        audit_record(actor=None, action="account.erase", target=user, data={"changed": changed})
        user.delete()
    return changed


def _account_export(user: User) -> list[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    from forum.personal_data import local

    rows: list[dict[str, Any]] = [{
        _("Email address"): user.email, _("First name"): user.first_name, _("Last name"): user.last_name,
        _("Language"): user.get_language_display(), _("Gender"): user.get_gender_display(),
        _("Background"): user.get_background_display(),
        _("Consent to use gender and background"): local(user.demographics_consent_at),
        _("Email me when an issue I raised or support changes"): _("Yes") if user.notify_issue_updates else _("No"),
        _("Account created"): local(user.date_joined), _("Last logged in"): local(user.last_login),
    }]
    rows += [{_("Email address"): address.email, _("Verified"): _("Yes") if address.verified else _("No"),
              _("Primary"): _("Yes") if address.primary else _("No")}
             for address in EmailAddress.objects.filter(user=user).order_by("pk")]
    return rows


def _account_erase(user: User, now: dt.datetime) -> int:
    # The person's row itself is deleted last, by account_erase, with what cascades from it.
    return 0


def personal_data_provider():
    """The accounts app's part of a person's data (registered in AccountsConfig.ready)."""
    from django.utils.translation import gettext_lazy

    from forum.personal_data import PersonalData

    return PersonalData(key="accounts", title=gettext_lazy("Your account"), export=_account_export,
                        erase=_account_erase, order=0)
