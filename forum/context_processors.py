"""Template context for the navigation: the forums where the user has a role."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import user_forum_roles


def navigation(request: HttpRequest) -> dict:
    # Lazy: pages that do not render the role menu run no query for it.
    return {"nav_forum_roles": SimpleLazyObject(lambda: user_forum_roles(getattr(request, "user", None)))}
