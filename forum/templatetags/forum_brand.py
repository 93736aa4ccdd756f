"""The portal's name, logo, colour stylesheet and contact address in templates.

Tags rather than a context processor, because the 400 and 500 pages are rendered without
a request or context processors: these read only settings (forum/branding.py), never the
database, so every page – the error pages too – shows the same header.
"""
from __future__ import annotations

from django import template
from django.conf import settings

from forum import branding

register = template.Library()


@register.simple_tag
def site_name() -> str:
    """The portal's name in the current language (``FORUM_SITE_NAME``)."""
    return branding.site_name()


@register.simple_tag
def brand_logo_url() -> str:
    """The logo's address, or "" when there is none (``FORUM_LOGO``)."""
    return branding.logo_url()


@register.simple_tag
def brand_stylesheet_url() -> str:
    """The colour stylesheet's address, or "" for the portal's own colour (``FORUM_BRAND_COLOUR``)."""
    return branding.stylesheet_url()


@register.simple_tag
def contact_email() -> str:
    """Where people write to the forum (``FORUM_CONTACT_EMAIL``)."""
    return settings.FORUM_CONTACT_EMAIL
