"""Forums and their focus areas."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils.text import slugify

from ..models import (
    FocusArea,
    Forum,
)
from .audit import audit_record

logger = logging.getLogger(__name__)

# The three focus areas of seed 002, given to every new forum (editable afterwards).
DEFAULT_FOCUS_AREAS: list[tuple[str, str]] = [
    (
        "Arbete och utbildning",
        "Arbete, självförsörjning och utbildning – matchning mellan näringslivets behov och Malmöbornas kompetens.",
    ),
    (
        "Stadens attraktivitet för nyetableringar, besöksort och inflyttning",
        "Hur staden blir attraktiv för företag som etablerar sig, för besökare och för nya invånare.",
    ),
    ("Investeringar", "Investeringar som gynnar en socialt hållbar utveckling av staden."),
]

# --- Forums -----------------------------------------------------------------------------
def forum_create(
    *, actor: Any | None, municipality: str, name: str, description: str = "", slug: str = "", organiser: str = "",
) -> Forum:
    """Create a forum with the three default focus areas of seed 002. Portal administrators only."""
    with transaction.atomic():
        forum = Forum.objects.create(
            municipality=municipality, organiser=organiser, name=name, slug=slug or slugify(name),
            description=description,
        )
        FocusArea.objects.bulk_create(
            FocusArea(forum=forum, position=index, name=area_name, description=area_description)
            for index, (area_name, area_description) in enumerate(DEFAULT_FOCUS_AREAS, start=1)
        )
        audit_record(actor=actor, action="forum.create", target=forum, forum=forum)
    return forum


FORUM_EDITABLE_FIELDS = ("municipality", "organiser", "name", "description", "slug")


def apply_changes(instance: models.Model, fields: dict[str, Any], editable: Sequence[str]) -> dict[str, list]:
    """Set ``fields`` on ``instance``; return the changed ones as ``{name: [old, new]}`` (for
    the audit row). Unknown field names are a programming error."""
    changes: dict[str, list] = {}
    for name, value in fields.items():
        if name not in editable:
            raise ValueError(f"{type(instance).__name__}.{name} cannot be changed here")
        old = getattr(instance, name)
        if old != value:
            changes[name] = [old, value]
            setattr(instance, name, value)
    return changes


def forum_update(*, actor: Any, forum: Forum, **fields: Any) -> Forum:
    """Change a forum's municipality, name, description or slug (the admin; coordinators of
    the forum, the slug only the portal administrator – the caller has checked). Side effects:
    the row and, if anything changed, an audit row with the old and new values. Returns the
    forum as saved."""
    with transaction.atomic():
        current = Forum.objects.select_for_update().get(pk=forum.pk)
        changes = apply_changes(current, fields, FORUM_EDITABLE_FIELDS)
        if changes:
            current.save(update_fields=list(changes))
            audit_record(actor=actor, action="forum.update", target=current, forum=current, data={"changes": changes})
    return current


FOCUS_AREA_EDITABLE_FIELDS = ("position", "name", "description")


def focus_area_save(*, actor: Any, forum: Forum, focus_area: FocusArea | None = None, **fields: Any) -> FocusArea:
    """Add a focus area to ``forum`` (``focus_area`` None) or change one of its focus areas
    (the admin; coordinators of the forum – the caller has checked). Side effects: the row
    and, if anything changed, an audit row with the old and new values."""
    with transaction.atomic():
        if focus_area is None:
            current = FocusArea(forum=forum)
            changes = apply_changes(current, fields, FOCUS_AREA_EDITABLE_FIELDS)
            current.save()
            action = "forum.focus_area_create"
        else:
            current = FocusArea.objects.select_for_update().get(pk=focus_area.pk, forum=forum)
            changes = apply_changes(current, fields, FOCUS_AREA_EDITABLE_FIELDS)
            if changes:
                current.save(update_fields=list(changes))
            action = "forum.focus_area_update"
        if changes:
            audit_record(actor=actor, action=action, target=current, forum=forum, data={"changes": changes})
    return current


def focus_area_delete(*, actor: Any, focus_area: FocusArea) -> None:
    """Remove a focus area (the admin; the portal administrator). Issues and meetings keep
    their other data but lose the focus area. Side effects: the deletion and an audit row."""
    with transaction.atomic():
        audit_record(actor=actor, action="forum.focus_area_delete", target=focus_area, forum=focus_area.forum,
                     data={"position": focus_area.position, "name": focus_area.name})
        focus_area.delete()
