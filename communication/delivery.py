"""Delivering mail people follow: the backend of :func:`forum.notifications.notify`.

For each address the person's choice for that kind decides: immediately → an outbox row now,
with a one-click unsubscribe link in the footer and the List-Unsubscribe and
List-Unsubscribe-Post headers (RFC 8058); a daily or weekly digest → a stored
:class:`~communication.models.DigestItem`; never → nothing. An address whose mail bounced
permanently is skipped until it changes (:func:`flagged_addresses`).

A mail is rendered once per language and the personal unsubscribe address put in afterwards,
so a newsletter to thousands costs thousands of string replacements, not renderings.
Transactional mail never comes here: it is queued with :func:`forum.services.mail_queue`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import translation

from forum import mail
from forum.models import Forum, OutboxMessage
from forum.notifications import Kind
from forum.services import mail_queue_rendered, outbox_release_deferred

from . import hooks
from .audiences import follower_addresses
from .models import DEFAULT_FREQUENCY, DigestItem, Frequency, MailPreference

UNSUBSCRIBE_SALT = "communication.unsubscribe"
# Put in where the personal links go; made of characters no template produces.
PLACEHOLDER = "@@UNSUBSCRIBE-LINK@@"
PREFERENCES_PLACEHOLDER = "@@PREFERENCES-LINK@@"
# A reply code of 5xx in the stored error: the mail server refused the address for good.
PERMANENT_FAILURE = re.compile(r"(?:\(|\b)5\d\d\b")


def normalise(email: str) -> str:
    return (email or "").strip().lower()


# --- unsubscribe tokens ---------------------------------------------------------------------------
def unsubscribe_token(email: str, kinds: Sequence[str]) -> str:
    """A signed, non-expiring token naming the address and the kinds a link turns off."""
    return signing.dumps({"e": normalise(email), "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, list[str]] | None:
    """(email, kinds) of a token, or None when it was altered or is not one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not isinstance(data.get("k"), list):
        return None
    return data["e"], [k for k in data["k"] if isinstance(k, str)]


def unsubscribe_url(email: str, kinds: Sequence[str]) -> str:
    return mail.site_url() + reverse("communication:unsubscribe", args=[unsubscribe_token(email, kinds)])


def preferences_url(email: str, kinds: Sequence[str]) -> str:
    """The address's own preferences page: the same signed token, so a follower without an
    account can choose how often too."""
    return mail.site_url() + reverse("communication:preferences_token", args=[unsubscribe_token(email, kinds)])


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show their own "unsubscribe" and POST to the link."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- choices --------------------------------------------------------------------------------------
def frequencies(emails: Iterable[str], kind: str) -> dict[str, str]:
    """Each address's choice for ``kind`` (its default without a row). One query."""
    emails = list(emails)
    chosen = dict(MailPreference.objects.filter(email__in=emails, kind=kind).values_list("email", "frequency"))
    default = DEFAULT_FREQUENCY.get(kind, Frequency.IMMEDIATELY)
    return {email: chosen.get(email, default) for email in emails}


def flagged_addresses(emails: Iterable[str]) -> set[str]:
    """The addresses whose latest finished outbox mail failed permanently (a 5xx refusal). A
    later mail that went through (a retry, a transactional one) clears the flag; so does a new
    address. One query."""
    emails = list(emails)
    if not emails:
        return set()
    finished = (OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED)
    latest = (OutboxMessage.objects.filter(to_email__iexact=OuterRef("to_email"), status__in=finished)
              .order_by("-created_at", "-pk").values("pk")[:1])
    rows = (OutboxMessage.objects.filter(to_email__in=emails, status=OutboxMessage.Status.FAILED)
            .filter(pk=Subquery(latest)).values_list("to_email", "last_error"))
    return {normalise(email) for email, error in rows if PERMANENT_FAILURE.search(error or "")}


@dataclass
class Plan:
    """What happens to each address: ``immediately``, ``daily``, ``weekly``, ``never`` or ``flagged``."""

    outcomes: dict[str, str]
    languages: dict[str, str]

    def addresses(self, *outcomes: str) -> list[str]:
        return [email for email, outcome in self.outcomes.items() if outcome in outcomes]


def plan(kind: str, recipients: Iterable[tuple[str, str]]) -> Plan:
    """Decide for each distinct address (first language given wins). Two queries."""
    languages: dict[str, str] = {}
    for email, language in recipients:
        address = normalise(email)
        if address:
            languages.setdefault(address, language or settings.LANGUAGE_CODE)
    chosen = frequencies(languages, kind)
    flagged = flagged_addresses(languages)
    outcomes = {email: ("flagged" if email in flagged else chosen[email]) for email in languages}
    return Plan(outcomes=outcomes, languages=languages)


# --- queueing -------------------------------------------------------------------------------------
class Renderer:
    """Renders a template once per language with the unsubscribe placeholder; :meth:`queue`
    puts in each address's own link and writes its outbox row."""

    def __init__(self, *, template: str, context: Mapping[str, Any], forum: Forum | None, kinds: Sequence[str],
                 created_by: Any | None = None, prefix: str = "") -> None:
        self.template, self.context, self.forum, self.kinds = template, dict(context), forum, list(kinds)
        self.created_by, self.prefix = created_by, prefix
        self._rendered: dict[str, mail.RenderedMail] = {}

    def rendered(self, language: str) -> mail.RenderedMail:
        if language not in self._rendered:
            context = {**self.context, "unsubscribe_url": PLACEHOLDER, "preferences_url": PREFERENCES_PLACEHOLDER,
                       "unsubscribe_kinds": [kind_label(k, language) for k in self.kinds]}
            self._rendered[language] = mail.render(f"email/{self.template}", context, language=language,
                                                   forum=self.forum)
        return self._rendered[language]

    def queue(self, email: str, language: str, *, release: bool = True) -> OutboxMessage:
        """The address's outbox row; ``release=False``: the caller hands its rows over together
        (forum.services.outbox_release_deferred)."""
        rendered = self.rendered(language)
        link, choose = unsubscribe_url(email, self.kinds), preferences_url(email, self.kinds)
        # The token is URL-safe, so the links read the same escaped in the HTML part.
        return mail_queue_rendered(
            to=email, subject=self.prefix + rendered.subject, body_text=personal(rendered.text, link, choose),
            body_html=personal(rendered.html, link, choose), language=language, template=self.template,
            headers={**rendered.headers, **unsubscribe_headers(link)}, created_by=self.created_by, forum=self.forum,
            release=release,
        )


def personal(part: str, unsubscribe: str, choose: str) -> str:
    """A rendered part with the address's own links put in."""
    return part.replace(PLACEHOLDER, unsubscribe).replace(PREFERENCES_PLACEHOLDER, choose)


def kind_label(kind: str, language: str) -> str:
    from forum.notifications import Kind

    with translation.override(language):
        return str(Kind(kind).label) if kind in Kind.values else kind


def digest_items(*, kind: str, plan_: Plan, template: str, context: Mapping[str, Any], forum: Forum,
                 network: Any | None = None, issue: Any | None = None) -> list[DigestItem]:
    """Store a digest item for each address of ``plan_`` that chose a digest. The headline is
    the template's subject in the address's language."""
    headlines: dict[str, str] = {}
    url = str(context.get("digest_url") or context.get("issue_url") or context.get("network_url")
              or context.get("url") or "")
    items = []
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        for email in plan_.addresses(frequency):
            language = plan_.languages[email]
            if language not in headlines:
                with translation.override(language):
                    headlines[language] = mail.render(f"email/{template}", dict(context), language=language,
                                                      forum=forum).subject
            items.append(DigestItem(
                email=email, language=language, kind=kind, frequency=frequency, forum=forum,
                network_id=getattr(network, "pk", None), network_label=hooks.network_label(network) if network else "",
                issue_id=getattr(issue, "pk", None), issue_label=(str(issue)[:200] if issue is not None else ""),
                headline=headlines[language][:300], url=url[:500],
            ))
    return DigestItem.objects.bulk_create(items)


def deliver(*, kind: str, recipients: Iterable[tuple[str, str]], template: str, context: Mapping[str, Any],
            forum: Forum, network: Any | None = None, issue: Any | None = None,
            created_by: Any | None = None) -> list[OutboxMessage]:
    """The backend of :func:`forum.notifications.notify` (same contract). Side effects: outbox
    rows for those who want it now, digest items for those who chose a digest, in the caller's
    transaction. Returns the outbox rows.

    A public network's updates also reach the people who follow that network (with an email
    address only); a members-only network's never do."""
    recipients = list(recipients)
    if kind == Kind.NETWORK_UPDATES and network is not None and hooks.public_network(forum, network.pk):
        recipients += follower_addresses(forum, [network.pk])
    decided = plan(kind, recipients)
    renderer = Renderer(template=template, context=context, forum=forum, kinds=[kind], created_by=created_by)
    messages = [renderer.queue(email, decided.languages[email], release=False)
                for email in decided.addresses(Frequency.IMMEDIATELY)]
    outbox_release_deferred(messages)
    digest_items(kind=kind, plan_=decided, template=template, context=context, forum=forum, network=network,
                 issue=issue)
    return messages
