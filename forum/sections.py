"""What the apps built on the forum add to its pages: the registry of sections and links.

``forum/`` imports no app built on it (events, issues, networks, communication…). Instead each
such app registers, in its ``AppConfig.ready()``, what it contributes:

- a :class:`HomeSection` – a block of the start page, given every forum on the portal;
- a :class:`ForumSection` – a block of a forum's page, given that forum; registered as a *work*
  section instead, a block of the forum's to-do page for its coordinators (what needs them now);
- a :class:`ForumLink` – a link of a forum, shown on the forum's page to those its permission
  function lets use it, and in the header menu of each forum where the user acts to those its
  ``menu`` permission function picks (the tools of their role).

The registry is explicit: nothing is discovered by name or imported by magic; an app that
does not register contributes nothing. A provider is a plain function: ``context(request,
forum)`` (or ``context(request, forums)`` on the start page) returns the context of its template,
or None to leave its section out. Providers run a fixed number of queries however many forums,
meetings or issues there are (list pages assert their query counts). Sections and links are
ordered by ``order``, then ``key``. Templates get a :class:`Rendered` section and include it
with ``{% include section.template with section=section.context %}``.

Example (events/apps.py)::

    def ready(self):
        from forum import sections
        from . import sections as events_sections
        sections.register_forum_section(events_sections.COMING_MEETINGS)
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from .models import Forum

HomeContext = Callable[[HttpRequest, Sequence[Forum]], Mapping[str, Any] | None]
ForumContext = Callable[[HttpRequest, Forum], Mapping[str, Any] | None]


class LinkGroup(enum.Enum):
    """Where a link belongs on the forum page: for everyone, or for a role's work."""

    PUBLIC = "public"
    WORK = "work"


@dataclass(frozen=True)
class HomeSection:
    """A block of the start page. ``context(request, forums)`` gets every forum on the portal."""

    key: str
    template: str
    context: HomeContext
    order: int = 100


@dataclass(frozen=True)
class ForumSection:
    """A block of a forum's page. ``context(request, forum)`` gets the forum shown."""

    key: str
    template: str
    context: ForumContext
    order: int = 100


@dataclass(frozen=True)
class ForumLink:
    """A link of a forum. ``url(forum)`` gives its address; ``visible(user, forum)`` is the
    app's permission function deciding who sees it on the forum page; ``menu(user, forum)``,
    another one, who also finds it in the header menu (None: nobody, the forum page is enough).
    Templates decide no rules."""

    key: str
    label: Any  # a lazy translation: read in the language of the request that shows it
    url: Callable[[Forum], str]
    visible: Callable[[Any, Forum], bool]
    group: LinkGroup = LinkGroup.PUBLIC
    order: int = 100
    menu: Callable[[Any, Forum], bool] | None = None


@dataclass(frozen=True)
class Rendered:
    """A section ready for its template."""

    key: str
    template: str
    context: Mapping[str, Any]


@dataclass(frozen=True)
class Link:
    """A link the user may use, ready for the template."""

    key: str
    label: str
    url: str
    group: LinkGroup

    @property
    def is_public(self) -> bool:
        return self.group is LinkGroup.PUBLIC


def _ordered(items):
    return sorted(items, key=lambda item: (item.order, item.key))


class Registry:
    """The sections and links registered by the apps. One instance, :data:`registry`."""

    def __init__(self) -> None:
        self._home: dict[str, HomeSection] = {}
        self._forum: dict[str, ForumSection] = {}
        self._links: dict[str, ForumLink] = {}
        self._work: dict[str, ForumSection] = {}

    @staticmethod
    def _add(store: dict, item) -> None:
        # The same object twice is harmless (ready() run again); two different things under
        # one key are a mistake that would silently hide one of them.
        existing = store.get(item.key)
        if existing is not None and existing != item:
            raise ImproperlyConfigured(f"Two different entries are registered as {item.key!r}.")
        store[item.key] = item

    def register_home_section(self, section: HomeSection) -> None:
        self._add(self._home, section)

    def register_forum_section(self, section: ForumSection) -> None:
        self._add(self._forum, section)

    def register_forum_link(self, link: ForumLink) -> None:
        self._add(self._links, link)

    def register_work_section(self, section: ForumSection) -> None:
        self._add(self._work, section)

    def registered_keys(self) -> dict[str, list[str]]:
        """The keys registered, in order, by place (for tests and for finding who adds what)."""
        return {
            "home": [item.key for item in _ordered(self._home.values())],
            "forum": [item.key for item in _ordered(self._forum.values())],
            "links": [item.key for item in _ordered(self._links.values())],
            "work": [item.key for item in _ordered(self._work.values())],
        }

    def home_sections(self, request: HttpRequest, forums: Sequence[Forum]) -> list[Rendered]:
        """The start page's sections with their context, leaving out those that return None."""
        rendered = []
        for section in _ordered(self._home.values()):
            context = section.context(request, forums)
            if context is not None:
                rendered.append(Rendered(section.key, section.template, context))
        return rendered

    def forum_sections(self, request: HttpRequest, forum: Forum) -> list[Rendered]:
        """A forum page's sections with their context, leaving out those that return None."""
        rendered = []
        for section in _ordered(self._forum.values()):
            context = section.context(request, forum)
            if context is not None:
                rendered.append(Rendered(section.key, section.template, context))
        return rendered

    def work_sections(self, request: HttpRequest, forum: Forum) -> list[Rendered]:
        """The to-do page's sections for ``forum`` (the view has checked that the user
        coordinates it), leaving out those that return None."""
        rendered = []
        for section in _ordered(self._work.values()):
            context = section.context(request, forum)
            if context is not None:
                rendered.append(Rendered(section.key, section.template, context))
        return rendered

    def forum_links(self, user: Any, forum: Forum, *, menu: bool = False) -> list[Link]:
        """The links of ``forum`` that ``user`` sees on the forum page, or with ``menu`` in the
        header menu, in order. Runs the permission functions; with
        :func:`forum.permissions.menu_forums` having read the user's roles, they run no query."""
        return [
            Link(link.key, str(link.label), link.url(forum), link.group)
            for link in _ordered(self._links.values())
            if link.visible(user, forum) and (not menu or (link.menu is not None and link.menu(user, forum)))
        ]


registry = Registry()

# The names apps call in their AppConfig.ready().
register_home_section = registry.register_home_section
register_forum_section = registry.register_forum_section
register_forum_link = registry.register_forum_link
register_work_section = registry.register_work_section
