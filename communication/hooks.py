"""Where the networks app plugs in, without this app importing it.

The networks app registers one :class:`NetworkProvider` in its ``AppConfig.ready()``::

    from django.apps import apps
    if apps.is_installed("communication"):
        from communication import hooks
        hooks.register_network_provider(hooks.NetworkProvider(
            networks=..., members=..., public_network=...))

Until then there are no network audiences and no network to follow: the forms leave them out.
Every function gets the forum, so a network of another forum is never reached.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from forum.models import Forum


@dataclass(frozen=True)
class NetworkProvider:
    """What communication needs to know about networks.

    - ``networks(forum)``: the forum's networks a newsletter may go to, as (id, title), in order;
    - ``members(forum, ids)``: (email, language) of the current members of those networks;
    - ``public_network(forum, id)``: (title, absolute URL) of a public network of the forum
      that anyone may follow, or None (unknown, another forum's, or not public);
    - ``public_networks(forum)``: the public networks of the forum as (id, title).
    """

    networks: Callable[[Forum], Sequence[tuple[int, str]]]
    members: Callable[[Forum, Sequence[int]], Iterable[tuple[str, str]]]
    public_network: Callable[[Forum, int], tuple[str, str] | None]
    public_networks: Callable[[Forum], Sequence[tuple[int, str]]]


_provider: NetworkProvider | None = None


def register_network_provider(provider: NetworkProvider) -> None:
    global _provider
    _provider = provider


def network_provider() -> NetworkProvider | None:
    return _provider


def networks(forum: Forum) -> list[tuple[int, str]]:
    return list(_provider.networks(forum)) if _provider else []


def network_members(forum: Forum, ids: Sequence[int]) -> list[tuple[str, str]]:
    return list(_provider.members(forum, ids)) if _provider and ids else []


def public_network(forum: Forum, network_id: int) -> tuple[str, str] | None:
    return _provider.public_network(forum, network_id) if _provider else None


def public_networks(forum: Forum) -> list[tuple[int, str]]:
    return list(_provider.public_networks(forum)) if _provider else []


def network_label(network: Any) -> str:
    """How a network passed to ``notify(network=…)`` is named in a digest."""
    return str(getattr(network, "title", "") or network)[:200]
