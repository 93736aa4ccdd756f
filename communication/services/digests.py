"""Digests: what people chose to get daily or weekly, grouped, never empty, never twice."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from forum.models import Forum
from forum.services import audit_record

from .. import delivery
from ..models import (
    Digest,
    DigestItem,
    Frequency,
)
from .subscriptions import preferences_of


# --- Digests -----------------------------------------------------------------------------------------
def digests_send(*, frequency: str) -> int:
    """Send every address its waiting ``frequency`` items as one digest. Each address is
    handled in its own transaction with its items locked, and the items are marked with the
    digest that takes them, so two runs (or two workers) never tell an item twice. Items of a
    kind the person has since turned off are dropped; an address with nothing left gets no
    mail (never an empty digest). The periodic task; no actor. Returns digests queued."""
    emails = list(DigestItem.objects.filter(digest__isnull=True, frequency=frequency)
                  .values_list("email", flat=True).distinct())
    sent = 0
    for email in emails:
        with transaction.atomic():
            items = list(DigestItem.objects.select_for_update(skip_locked=True)
                         .filter(email=email, frequency=frequency, digest__isnull=True).order_by("created_at", "pk"))
            if not items:
                continue
            choices = preferences_of(email)
            dropped = [item.pk for item in items if choices.get(item.kind) == Frequency.NEVER]
            if dropped:
                DigestItem.objects.filter(pk__in=dropped).delete()
            items = [item for item in items if item.pk not in dropped]
            if not items:
                continue
            forums = {f.pk: f for f in Forum.objects.filter(pk__in={item.forum_id for item in items})}
            digest = Digest.objects.create(email=email, frequency=frequency)
            DigestItem.objects.filter(pk__in=[item.pk for item in items]).update(digest=digest)
            language = items[-1].language
            kinds = sorted({item.kind for item in items})
            only_forum = forums[items[0].forum_id] if len(forums) == 1 else None
            renderer = delivery.Renderer(
                template="communication/digest", forum=only_forum, kinds=kinds,
                context={"groups": group_items(items, forums), "frequency": frequency, "count": len(items)})
            digest.message = renderer.queue(email, language)
            digest.save(update_fields=["message"])
            audit_record(actor=None, action="communication.digest_send", target=digest,
                         forum=only_forum, data={"items": len(items), "frequency": frequency})
            sent += 1
    return sent


def group_items(items: Iterable[DigestItem], forums: dict[int, Forum]) -> list[dict[str, Any]]:
    """Items by forum, then by network, issue or neither, in the order they happened."""
    grouped: OrderedDict[int, OrderedDict[tuple, list[DigestItem]]] = OrderedDict()
    for item in items:
        if item.network_id:
            key: tuple = ("network", item.network_id, item.network_label)
        elif item.issue_id:
            key = ("issue", item.issue_id, item.issue_label)
        else:
            key = ("forum", 0, "")
        grouped.setdefault(item.forum_id, OrderedDict()).setdefault(key, []).append(item)
    return [
        {"forum": forums[forum_id],
         "sections": [{"kind": key[0], "label": key[2], "items": section} for key, section in sections.items()]}
        for forum_id, sections in grouped.items()
    ]
