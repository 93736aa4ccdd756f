"""Followers (double opt-in), mail choices per kind and one-click unsubscribe."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from forum import mail
from forum.models import Forum
from forum.notifications import Kind
from forum.services import audit_record, mail_queue

from .. import delivery
from ..models import (
    DEFAULT_FREQUENCY,
    Follower,
    Frequency,
    MailPreference,
)


# --- Followers --------------------------------------------------------------------------------------
def follow_request(*, actor: Any, forum: Forum, email: str, language: str, network_id: int | None = None,
                   network_title: str = "") -> Follower:
    """Someone asks to follow the forum (or one of its public networks; the caller has checked
    it is public) with an address. An unconfirmed request gets the confirmation mail (double
    opt-in, transactional); one already confirmed gets nothing, and the page says the same in
    both cases, so it tells nobody who follows. Side effects: the follower row, an audit row
    (without the address), maybe one outbox row."""
    address = delivery.normalise(email)
    with transaction.atomic():
        follower, created = Follower.objects.get_or_create(
            forum=forum, network_id=network_id, email=address, defaults={"language": language})
        if follower.confirmed_at is None:
            follower.language = language
            follower.save(update_fields=["language"])
            mail_queue(to=address, template="communication/follow_confirm", language=language, forum=forum,
                       context={"forum": forum, "network_title": network_title,
                                "confirm_url": mail.site_url() + reverse("communication:follow_confirm",
                                                                         args=[follower.token])})
        audit_record(actor=actor, action="communication.follow_request", target=follower, forum=forum,
                     data={"network": network_id, "new": created})
    return follower


def follow_confirm(*, follower: Follower) -> Follower:
    """The second step of the double opt-in (the link holder). Side effects: the row, an audit row."""
    with transaction.atomic():
        follower = Follower.objects.select_for_update().get(pk=follower.pk)
        if follower.confirmed_at is None:
            follower.confirmed_at = timezone.now()
            follower.save(update_fields=["confirmed_at"])
            audit_record(actor=None, action="communication.follow_confirm", target=follower, forum=follower.forum,
                         data={"network": follower.network_id})
    return follower


def follow_end(*, follower: Follower) -> None:
    """Stop following (the link holder). Side effects: the deletion, an audit row."""
    with transaction.atomic():
        audit_record(actor=None, action="communication.follow_end", target=follower, forum=follower.forum,
                     data={"network": follower.network_id})
        follower.delete()


# --- Preferences and unsubscribe --------------------------------------------------------------------
def preferences_set(*, actor: Any, email: str, choices: dict[str, str]) -> dict[str, str]:
    """Set how often ``email`` gets each kind in ``choices`` ({kind: frequency}); the person
    themselves, logged in or through a signed unsubscribe link. Returns the previous values of
    the kinds that changed (for "undo"). Side effects: preference rows, an audit row; for an
    account, ``notify_issue_updates`` follows the issue choice (issues/ still reads it)."""
    address = delivery.normalise(email)
    with transaction.atomic():
        current = preferences_of(address)
        before = {kind: current[kind] for kind in choices}
        changed = {kind: previous for kind, previous in before.items() if choices[kind] != previous}
        for kind in changed:
            MailPreference.objects.update_or_create(email=address, kind=kind, defaults={"frequency": choices[kind]})
        if Kind.ISSUE_UPDATES in changed:
            from django.contrib.auth import get_user_model

            get_user_model().objects.filter(email__iexact=address).update(
                notify_issue_updates=choices[Kind.ISSUE_UPDATES] != Frequency.NEVER)
        if changed:
            audit_record(actor=actor, action="communication.preferences_set",
                         data={"changes": {kind: [changed[kind], choices[kind]] for kind in changed}})
    return changed


def preferences_of(email: str) -> dict[str, str]:
    """Every kind's choice for ``email`` (defaults included). One query."""
    address = delivery.normalise(email)
    chosen = dict(MailPreference.objects.filter(email=address).values_list("kind", "frequency"))
    return {kind: chosen.get(kind, DEFAULT_FREQUENCY[kind]) for kind in Kind.values}


def unsubscribe(*, email: str, kinds: Sequence[str]) -> dict[str, str]:
    """Turn ``kinds`` off for ``email`` (a signed link, no log-in). Returns what they were."""
    return preferences_set(actor=None, email=email, choices={kind: Frequency.NEVER for kind in kinds
                                                             if kind in Kind.values})
