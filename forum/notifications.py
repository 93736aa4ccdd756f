"""One door for mail that is not transactional: updates people may turn off or bundle.

Transactional mail (invitations, confirmations, offers, sign-in codes) is queued directly with
:func:`forum.services.mail_queue`. Everything a person *follows* – an issue's status, a
network's progress, news, newsletters – goes through :func:`notify`, so that the person's
choice (immediately, in a digest, or never) and the unsubscribe link are applied in one place
whatever app the update comes from.

Callers pass everyone the update concerns, as (email, language) pairs, and say what it is
about (``forum``, and ``network``/``issue`` where there is one) so a digest can group it. The
communication app owns the preferences and digests behind this door; the signature is the
contract the apps built on the forum rely on.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Forum, OutboxMessage


class Kind(models.TextChoices):
    """What a person can choose to receive, kind by kind."""

    ISSUE_UPDATES = "issue_updates", _("Issue updates")
    NETWORK_UPDATES = "network_updates", _("Network updates")
    NEWS = "news", _("News")
    NEWSLETTERS = "newsletters", _("Newsletters")


Backend = Callable[..., list[OutboxMessage]]
_backend: Backend | None = None


def register_backend(backend: Backend) -> None:
    """Let an app deliver what :func:`notify` is given (the communication app registers its
    preferences, digests and unsubscribe here in its ``ready()``): forum/ imports no app.
    ``backend`` takes the same keyword arguments as :func:`notify`."""
    global _backend
    _backend = backend


def notify(
    *,
    kind: str,
    recipients: Iterable[tuple[str, str]],
    template: str,
    context: Mapping[str, Any],
    forum: Forum,
    network: Any | None = None,
    issue: Any | None = None,
    created_by: Any | None = None,
) -> list[OutboxMessage]:
    """Queue the update ``template`` (``templates/email/<template>_{subject.txt,message.html}``)
    for each distinct address in ``recipients`` that wants this ``kind`` of mail now.

    Side effects: outbox rows in the caller's transaction (sent after commit), or digest items
    for those who chose a digest. Permission: the caller has decided the update may be told to
    these people. Returns the rows queued now.

    For a digest, ``context`` may give ``digest_url`` (the page the item links to; else
    ``issue_url``, ``network_url`` or ``url`` is used) and the template's subject is the
    item's headline.
    """
    if _backend is not None:
        return _backend(kind=kind, recipients=recipients, template=template, context=context, forum=forum,
                        network=network, issue=issue, created_by=created_by)
    # Without a backend (the communication app not installed): everyone, at once.
    from . import services  # services imports this module's users; import late.

    messages: list[OutboxMessage] = []
    seen: set[str] = set()
    for email, language in recipients:
        address = (email or "").strip().lower()
        if not address or address in seen:
            continue
        seen.add(address)
        messages.append(
            services.mail_queue(
                to=address, template=template, context=dict(context), language=language,
                forum=forum, created_by=created_by,
            )
        )
    return messages
