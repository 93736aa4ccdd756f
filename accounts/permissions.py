"""Permission decisions about people's own data."""
from __future__ import annotations

from typing import Any

from forum.models import Affiliation


def can_edit_affiliation(user: Any, affiliation: Affiliation) -> bool:
    """A person manages their own ties to organisations; the portal administrator all."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or affiliation.person_id == user.pk
