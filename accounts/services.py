"""Writes about people: profile and the organisations they represent."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

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
