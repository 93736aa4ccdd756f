"""Mail as the portal writes it: one layout for every mail, rendered as HTML and as text from
the same template, and who it comes from and who a reply reaches.

**One source, two parts.** A mail is ``<prefix>_subject.txt`` and ``<prefix>_message.html``
(for the portal's own mail the prefix is ``email/<name>``, for allauth's ``account/email/<name>``).
The message template starts with ``{% extends mail_base %}`` and writes its content in the
block ``content`` with the tags of ``forum/templatetags/mail_layout.py`` only – ``paragraph``,
``button``, ``link``, ``facts``/``fact``, ``quote``, ``code``. :func:`render` renders it twice:
with ``mail_format`` "html" on ``email/base.html`` (escaped, inline styles, long links wrap on a
phone) and with "text" on ``email/base.txt`` (nothing escaped, a button becomes its label and
its address on the next line). The words exist once, so the two parts cannot say different
things; both end with the same footer (``email/_footer.html``): the forum, the city and how to
reach a person.

**Sender.** Every mail comes from the forum and the city by name, at the address of
``DEFAULT_FROM_EMAIL``: ``"11:11 – Meet Malmö, Malmö stad" <noreply@…>`` (mail about no forum,
such as a log-in code: the portal's name instead of the forum's). The city is ``FORUM_CITY_NAME``,
or the forum's municipality when that is empty. **Reply-To** reaches a person: the forum's
coordinators, or ``FORUM_CONTACT_EMAIL`` when the mail is about no forum or the forum has none.
Both are stored with the outbox row when it is queued (:func:`envelope`), so a later change of
settings or roles does not change mail already waiting.

Nothing here writes to the database; :func:`reply_to_of` reads the forum's coordinators.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from . import branding
from .statements import Param, Statement

# The portal's own blue and its dark header shade (static/css/forum.css), unless the city has
# its own colour (FORUM_BRAND_COLOUR).
DEFAULT_COLOUR = "#0b4a8b"
DEFAULT_DARK = "#07345f"


@dataclass(frozen=True)
class RenderedMail:
    """A mail ready for the outbox: subject, the two parts and the stored headers (From, Reply-To)."""

    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def city_name(forum: Any | None = None) -> str:
    """The city as the sender names itself: the forum's ``organiser`` ("Malmö stad"), else
    ``FORUM_CITY_NAME``, else the forum's municipality; for mail about no forum
    ``FORUM_CITY_NAME`` or "" (several municipalities may share one portal)."""
    if forum is not None and getattr(forum, "organiser", ""):
        return forum.organiser
    return getattr(settings, "FORUM_CITY_NAME", "") or (forum.municipality if forum is not None else "")


def sender_name(forum: Any | None = None) -> str:
    """"<forum>, <city>" – or the portal's name for mail about no forum – as the From name."""
    name = forum.name if forum is not None else branding.site_name()
    city = city_name(forum)
    return f"{name}, {city}" if city and city != name else name


def format_address(name: str, address: str) -> str:
    """``"name" <address>``, quoted so that commas, colons and dashes in a name ("11:11 – Meet
    Malmö, Malmö stad") stay part of it. Non-ASCII is encoded when the mail is sent (Django)."""
    if not name:
        return address
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}" <{address}>'


def from_address(forum: Any | None = None) -> str:
    """The From header: the sender's name at ``DEFAULT_FROM_EMAIL``'s address."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return format_address(sender_name(forum), address or settings.DEFAULT_FROM_EMAIL)


def reply_to_of(forum: Any | None = None) -> list[str]:
    """Who a reply reaches: the forum's active coordinators by name (oldest role first), or
    ``FORUM_CONTACT_EMAIL`` when there is no forum or it has no coordinator."""
    if forum is not None:
        addresses = [format_address(r.user.get_full_name(), r.user.email)
                     for r in _COORDINATORS(forum=forum.pk) if r.user.email]
        if addresses:
            return addresses
    return [settings.FORUM_CONTACT_EMAIL]


def _coordinators() -> Any:
    """A forum's active coordinators, oldest role first (the builder of :data:`_COORDINATORS`)."""
    from .models import ForumRole, Role  # the models import this module

    return (ForumRole.objects.filter(forum=Param("forum"), role=Role.COORDINATOR, user__is_active=True)
            .select_related("user").order_by("granted_at", "pk"))


# Read for every mail a booking queues (issue 14: compiled once, see forum.statements).
_COORDINATORS = Statement(_coordinators)


def envelope(forum: Any | None = None, reply_to: Sequence[str] | None = None) -> dict[str, str]:
    """The headers stored on an outbox row: From and Reply-To (``reply_to`` overrides who a
    reply reaches, e.g. the reporter of an accessibility problem)."""
    return {"From": from_address(forum), "Reply-To": ", ".join(reply_to or reply_to_of(forum))}


def addresses_of(header: str) -> list[str]:
    """The bare addresses in an address header (for tests and the admin)."""
    return [address for _name, address in getaddresses([header]) if address]


def tidy_text(text: str) -> str:
    """The text part as a person reads it: no trailing spaces, at most one empty line between
    paragraphs (the template's own line breaks between tags leave more)."""
    lines = [line if line == "-- " else line.rstrip() for line in text.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    # The footer follows the signature line ("-- ") directly.
    return text.replace("\n-- \n\n", "\n-- \n") + "\n"


def layout_context(forum: Any | None = None) -> dict[str, Any]:
    """What the layout (base templates and footer) needs, in the active language."""
    colour = settings.FORUM_BRAND_COLOUR or DEFAULT_COLOUR
    return {
        "site_url": site_url(),
        "site_name": branding.site_name(),
        "mail_forum": forum,
        "mail_forum_name": forum.name if forum is not None else branding.site_name(),
        "mail_city": city_name(forum),
        "mail_contact_email": settings.FORUM_CONTACT_EMAIL,
        "mail_colour": colour,
        "mail_dark": branding.darker(colour) if settings.FORUM_BRAND_COLOUR else DEFAULT_DARK,
    }


def site_url() -> str:
    """The portal's public base URL (``FORUM_SITE_URL``) without a trailing slash."""
    return getattr(settings, "FORUM_SITE_URL", "").rstrip("/")


def render(
    prefix: str,
    context: dict[str, Any],
    *,
    language: str,
    forum: Any | None = None,
    reply_to: Sequence[str] | None = None,
) -> RenderedMail:
    """Render ``<prefix>_subject.txt`` and ``<prefix>_message.html`` (both parts) in
    ``language``, with the stored headers. ``forum`` is the forum the mail is about (its name
    and coordinators); ``reply_to`` overrides who a reply reaches."""
    with translation.override(language):
        full = {**layout_context(forum), **context, "mail_language": language}
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", full).split())
        full["mail_subject"] = subject
        html = render_to_string(f"{prefix}_message.html",
                                {**full, "mail_format": "html", "mail_base": "email/base.html"})
        text = render_to_string(f"{prefix}_message.html",
                                {**full, "mail_format": "text", "mail_base": "email/base.txt"})
        headers = envelope(forum, reply_to)
    return RenderedMail(subject=subject, text=tidy_text(text), html=html, headers=headers)
