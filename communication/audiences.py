"""The audiences a newsletter can go to, as a registry.

An audience is a *source* ("participants of a meeting", "members of a network", "partner
organisations", "city staff", "followers of the forum" …) and, for sources with several
choices, an id: stored on the newsletter as keys such as ``"meeting:12"``, ``"staff"``,
``"followers"``, ``"network:3"``. Each source resolves its ids to (email, language) pairs;
:func:`resolve` takes the union, one entry per address (lower case), so a person in several
audiences is counted and mailed once.

Networks plug in through :mod:`communication.hooks`; a source whose choices are empty (no
networks yet) is not offered.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forum.models import Affiliation, Forum, ForumRole, Organisation, Role

from . import hooks


@dataclass(frozen=True)
class AudienceSource:
    """``choices(forum)`` gives (id, label) – one choice with id "" for a source without
    ids –, ``resolve(forum, ids)`` the (email, language) pairs of the chosen ids."""

    key: str
    label: Any
    choices: Callable[[Forum], Sequence[tuple[str, str]]]
    resolve: Callable[[Forum, Sequence[str]], Iterable[tuple[str, str]]]
    order: int = 100


_sources: dict[str, AudienceSource] = {}


def register(source: AudienceSource) -> None:
    _sources[source.key] = source


def sources() -> list[AudienceSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def choices(forum: Forum) -> list[tuple[str, list[tuple[str, str]]]]:
    """The grouped choices of a form: [(group label, [(key, label)…])…], groups without choices left out."""
    grouped = []
    for source in sources():
        options = [(f"{source.key}:{ident}" if ident else source.key, label) for ident, label in source.choices(forum)]
        if options:
            grouped.append((str(source.label), options))
    return grouped


def _split(keys: Sequence[str]) -> dict[str, list[str]]:
    wanted: dict[str, list[str]] = {}
    for key in keys:
        source, _colon, ident = str(key).partition(":")
        wanted.setdefault(source, []).append(ident)
    return wanted


def resolve(forum: Forum, keys: Sequence[str]) -> dict[str, str]:
    """Every address the audiences ``keys`` reach, with its language, once each. Unknown keys
    (a source no longer installed) reach nobody."""
    people: dict[str, str] = {}
    for source_key, idents in _split(keys).items():
        source = _sources.get(source_key)
        if source is None:
            continue
        for email, language in source.resolve(forum, [i for i in idents if i] or [""]):
            address = (email or "").strip().lower()
            if address:
                people.setdefault(address, language or settings.LANGUAGE_CODE)
    return people


def labels(forum: Forum, keys: Sequence[str]) -> list[str]:
    """The chosen audiences by name, for the newsletter's page."""
    known = {key: label for _group, options in choices(forum) for key, label in options}
    return [known.get(key, key) for key in keys]


# --- built-in sources ---------------------------------------------------------------------------
def _ints(idents: Sequence[str]) -> list[int]:
    return [int(i) for i in idents if str(i).isdigit()]


def _users(query: Q) -> list[tuple[str, str]]:
    User = get_user_model()
    return list(User.objects.filter(query, is_active=True).values_list("email", "language").distinct())


def meeting_choices(forum: Forum) -> list[tuple[str, str]]:
    from events.models import Meeting

    meetings = Meeting.objects.filter(forum=forum).exclude(status=Meeting.Status.DRAFT).order_by("-starts_at")
    return [(str(m.pk), f"{m.title} ({m.starts_at:%Y-%m-%d})") for m in meetings]


def meeting_participants(forum: Forum, meeting_ids: Sequence[int]) -> list[tuple[str, str]]:
    """The confirmed participants of the meetings: the attendee's account (its language), else the
    address given at registration (the default language)."""
    from events.models import Registration

    rows = Registration.objects.filter(
        meeting__forum=forum, meeting_id__in=meeting_ids, status=Registration.Status.CONFIRMED,
    ).values_list("attendee__email", "attendee__language", "attendee__is_active", "attendee_email", "contact_email")
    people = []
    for account_email, language, active, attendee_email, contact_email in rows:
        if account_email:
            if active:
                people.append((account_email, language))
        else:
            people.append((attendee_email or contact_email, settings.LANGUAGE_CODE))
    return people


def forum_participants(forum: Forum) -> list[tuple[str, str]]:
    """Everyone confirmed at any of the forum's meetings."""
    from events.models import Meeting

    return meeting_participants(forum, list(Meeting.objects.filter(forum=forum).values_list("pk", flat=True)))


def partner_people(forum: Forum) -> list[tuple[str, str]]:
    """The partner organisations of the forum (those with a nominator in it): their nominators
    and their confirmed representatives."""
    partner_ids = ForumRole.objects.filter(forum=forum, role=Role.PARTNER_NOMINATOR).values("partner_organisation")
    return _users(Q(forum_roles__forum=forum, forum_roles__role=Role.PARTNER_NOMINATOR)
                  | Q(affiliations__organisation__in=partner_ids, affiliations__confirmed_at__isnull=False))


def staff_people(forum: Forum) -> list[tuple[str, str]]:
    """City staff: the forum's role holders other than partner nominators, and the confirmed
    representatives of the municipality's departments."""
    return _users(
        Q(forum_roles__forum=forum) & ~Q(forum_roles__role=Role.PARTNER_NOMINATOR)
        | Q(affiliations__organisation__kind=Organisation.Kind.DEPARTMENT,
            affiliations__organisation__municipality__iexact=forum.municipality,
            affiliations__confirmed_at__isnull=False)
    )


def is_staff_member(user: Any, forum: Forum) -> bool:
    """Whether ``user`` counts as city staff of ``forum`` (for reading staff news)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(
        person=user, confirmed_at__isnull=False, organisation__kind=Organisation.Kind.DEPARTMENT,
        organisation__municipality__iexact=forum.municipality,
    ).exists()


def follower_addresses(forum: Forum, network_ids: Sequence[int | None]) -> list[tuple[str, str]]:
    from .models import Follower

    query = Q()
    if None in network_ids:
        query |= Q(network_id__isnull=True)
    ids = [i for i in network_ids if i is not None]
    if ids:
        query |= Q(network_id__in=ids)
    if not query:
        return []
    followers = Follower.objects.filter(query, forum=forum, confirmed_at__isnull=False)
    return list(followers.values_list("email", "language"))


def _single(label: Any) -> Callable[[Forum], list[tuple[str, str]]]:
    return lambda forum: [("", str(label))]


MEETING = AudienceSource(
    key="meeting", label=_("Participants of a meeting"), choices=meeting_choices,
    resolve=lambda forum, ids: meeting_participants(forum, _ints(ids)), order=10,
)
NETWORK = AudienceSource(
    key="network", label=_("Members of a network"),
    choices=lambda forum: [(str(pk), title) for pk, title in hooks.networks(forum)],
    resolve=lambda forum, ids: hooks.network_members(forum, _ints(ids)), order=20,
)
PARTNERS = AudienceSource(
    key="partners", label=_("Partner organisations"), choices=_single(_("Partner organisations")),
    resolve=lambda forum, ids: partner_people(forum), order=30,
)
STAFF = AudienceSource(
    key="staff", label=_("City staff"), choices=_single(_("City staff")),
    resolve=lambda forum, ids: staff_people(forum), order=40,
)
FOLLOWERS = AudienceSource(
    key="followers", label=_("Followers of the forum"), choices=_single(_("Followers of the forum")),
    resolve=lambda forum, ids: follower_addresses(forum, [None]), order=50,
)
NETWORK_FOLLOWERS = AudienceSource(
    key="network_followers", label=_("Followers of a network"),
    choices=lambda forum: [(str(pk), title) for pk, title in hooks.public_networks(forum)],
    resolve=lambda forum, ids: follower_addresses(forum, _ints(ids)), order=60,
)


def register_builtin() -> None:
    """Called once from CommunicationConfig.ready()."""
    for source in (MEETING, NETWORK, PARTNERS, STAFF, FOLLOWERS, NETWORK_FOLLOWERS):
        register(source)


# --- who a news post is mailed to -----------------------------------------------------------------
def news_recipients(forum: Forum, audience: str) -> dict[str, str]:
    """A public post goes to the forum's followers, participants and staff; a post for
    participants to participants and staff; a staff post to staff. Once per address."""
    from .models import Audience

    groups: list[Iterable[tuple[str, str]]] = [staff_people(forum)]
    if audience in (Audience.PUBLIC, Audience.PARTICIPANTS):
        groups.append(forum_participants(forum))
    if audience == Audience.PUBLIC:
        groups.append(follower_addresses(forum, [None]))
    people: dict[str, str] = {}
    for group in groups:
        for email, language in group:
            if email:
                people.setdefault(email.strip().lower(), language or settings.LANGUAGE_CODE)
    return people
