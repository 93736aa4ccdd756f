"""A person's data across the apps: the registry behind "download your data" and "erase your
account" (DESIGN, "Rules that always hold": a person can download their data and have it
erased; aggregates stay).

``forum/`` imports no app built on it, so each app that keeps data about people registers one
:class:`PersonalData` in its ``AppConfig.ready()`` (as with forum/sections.py). The account
pages (accounts.services) only walk the registry:

- ``export(user)`` returns the app's rows about the person, each a dict of translated labels
  to values (read-only, in the language of the request);
- ``refusal(user)`` returns why the account cannot be erased yet (a duty someone must take over
  first), or None;
- ``erase(user, now)`` removes or anonymises the app's data about the person, inside the
  erasure's transaction, before the person's row is deleted; it returns how many rows it
  changed. Rows that aggregates count (registrations, attendance, supports kept through a
  registration or naming nobody, answered surveys) stay, without anything that names the person.

Erasure runs the providers by ``order``, lowest first: those whose writes queue mail (the
events app cancelling coming seats, so the next in line gets them) before the forum's own,
which removes mail still waiting for the person's address.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class PersonalData:
    """One app's part of a person's data. ``title`` is a lazy translation."""

    key: str
    title: Any
    export: Callable[[Any], Rows]
    erase: Callable[[Any, dt.datetime], int]
    refusal: Callable[[Any], str | None] | None = None
    order: int = 100


_registry: dict[str, PersonalData] = {}


def register(provider: PersonalData) -> None:
    """Register an app's part (in ``AppConfig.ready()``); a key registered twice is a mistake."""
    if provider.key in _registry and _registry[provider.key] != provider:
        raise ImproperlyConfigured(f"personal data {provider.key!r} registered twice")
    _registry[provider.key] = provider


def providers() -> list[PersonalData]:
    """Every registered part, in erasure order."""
    return sorted(_registry.values(), key=lambda provider: (provider.order, provider.key))


def local(value: dt.datetime | dt.date | None) -> str:
    """A time or date as the export writes it: ISO 8601, times in the portal's time zone."""
    from django.utils import timezone

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()
