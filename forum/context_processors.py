"""Template context for the navigation: the forums where the user acts, with their links."""
from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Forum
from .permissions import menu_forums
from .sections import Link, registry


@dataclass(frozen=True)
class MenuForum:
    """A forum in the header menu with the links (forum/sections.py) of the user's role."""

    forum: Forum
    links: list[Link]


def _menu(request: HttpRequest) -> list[MenuForum]:
    user = getattr(request, "user", None)
    # menu_forums reads the user's roles once, so the links' permission checks run no query.
    return [MenuForum(forum, registry.forum_links(user, forum, menu=True)) for forum in menu_forums(user)]


def navigation(request: HttpRequest) -> dict:
    # Lazy: pages that do not render the menu run no query for it.
    return {"nav_forums": SimpleLazyObject(lambda: _menu(request))}
