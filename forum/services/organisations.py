"""The register of organisations and the people who represent them."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import (
    Affiliation,
    Organisation,
)
from ..validators import normalise_organisationsnummer
from .audit import audit_record
from .forums import apply_changes

logger = logging.getLogger(__name__)

# --- Organisations ----------------------------------------------------------------------
def organisation_create(*, actor: Any | None, kind: str, name: str, **fields: Any) -> Organisation:
    """Register an organisation. A company's organisationsnummer is normalised to NNNNNN-NNNN."""
    if fields.get("organisationsnummer"):
        fields["organisationsnummer"] = normalise_organisationsnummer(fields["organisationsnummer"])
    else:
        fields["organisationsnummer"] = None
    with transaction.atomic():
        organisation = Organisation.objects.create(kind=kind, name=name, **fields)
        audit_record(actor=actor, action="organisation.create", target=organisation)
    return organisation


# What the portal administrator may change of an organisation in the shared register.
ORGANISATION_EDITABLE_FIELDS = ("kind", "name", "organisationsnummer", "sni_section", "sni_code", "size_class",
                                "postcode", "district", "municipality", "website")


def organisation_update(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    """Change an organisation in the shared register (the admin; the portal administrator –
    the caller has checked). The organisationsnummer is normalised as at creation, so the
    register keeps one row per number however it is typed (the caller's form has already
    checked the number is free; the unique constraint is the last word). Side effects: the
    row and, if anything changed, an audit row naming the changed fields – not their values,
    since a sole trader's number is the owner's personal identity number."""
    if "organisationsnummer" in fields:
        number = fields["organisationsnummer"]
        fields["organisationsnummer"] = normalise_organisationsnummer(number) if number else None
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changes = apply_changes(current, fields, ORGANISATION_EDITABLE_FIELDS)
        if changes:
            current.save(update_fields=list(changes))
            audit_record(actor=actor, action="organisation.update", target=current, data={"fields": sorted(changes)})
    return current


def affiliation_create(
    *, actor: Any, person: Any, organisation: Organisation, title: str, confirmed: bool
) -> Affiliation:
    """Tie ``person`` to ``organisation`` with a title (idempotent: an existing tie keeps its
    confirmation and gets the new title)."""
    with transaction.atomic():
        affiliation, created = Affiliation.objects.get_or_create(
            person=person,
            organisation=organisation,
            defaults={"title": title, "confirmed_at": timezone.now() if confirmed else None},
        )
        if not created and title and affiliation.title != title:
            affiliation.title = title
            affiliation.save(update_fields=["title"])
        audit_record(
            actor=actor,
            action="affiliation.create" if created else "affiliation.update",
            target=affiliation,
            data={"confirmed": affiliation.is_confirmed},
        )
    return affiliation


def affiliation_confirm(*, actor: Any, affiliation: Affiliation) -> Affiliation:
    """Confirm that a person represents an organisation (staff)."""
    with transaction.atomic():
        if affiliation.confirmed_at is None:
            affiliation.confirmed_at = timezone.now()
            affiliation.save(update_fields=["confirmed_at"])
            audit_record(actor=actor, action="affiliation.confirm", target=affiliation)
    return affiliation


def affiliation_delete(*, actor: Any, affiliation: Affiliation) -> None:
    """A person stops representing an organisation."""
    with transaction.atomic():
        audit_record(actor=actor, action="affiliation.delete", target=affiliation,
                     data={"person": affiliation.person_id, "organisation": affiliation.organisation_id})
        affiliation.delete()
