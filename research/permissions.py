"""Every permission decision of the research exports."""
from __future__ import annotations

from typing import Any

from forum import permissions as forum_permissions
from forum.models import Forum


def can_export(user: Any, forum: Forum) -> bool:
    """Download the forum's pseudonymised exports: its researchers and coordinators (and the
    portal administrator). Another forum's researcher may not (forum.permissions)."""
    return forum_permissions.can_view_research_data(user, forum)
