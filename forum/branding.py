"""The city's own name, logo and colour on the portal, and the site's name and domain in mail.

Read from settings (the README's configuration table): ``FORUM_SITE_NAME``, ``FORUM_SITE_URL``,
``FORUM_LOGO`` and ``FORUM_BRAND_COLOUR``. The settings module validates the logo and the
colour with :func:`parse_logo` and :func:`parse_brand_colour` at start-up, so a deployment with
a colour too light for white text (WCAG 2.1 AA: 4.5:1) does not start.

The colour reaches the pages without inline style (the Content-Security-Policy forbids it,
forum/middleware.py): :func:`stylesheet` is served as a small cacheable CSS file by
``forum.views.brand_css`` and linked from base.html after the portal's own stylesheet. Nothing
here touches the database or the request, so the error pages (500 is rendered without either)
use it too.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

# WCAG 2.1 AA, 1.4.3: normal text needs 4.5:1. The brand colour carries white text (header,
# buttons) and is itself text on white (links), so it must reach this against white.
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# The header is the colour darkened by this factor (as the portal's own blue #0b4a8b and its
# header #07345f): darker than the colour, so white on it contrasts even more.
DARK_FACTOR = 0.7


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(colour: str) -> float:
    """Relative luminance as WCAG 2.1 defines it."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker_ = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker_ + 0.05)


def parse_brand_colour(value: str) -> str:
    """``value`` as ``#rrggbb`` (lower case), or "" when unset (the portal's own blue).

    Raises ImproperlyConfigured for anything but a hex colour, and for a colour whose contrast
    with white is below 4.5:1: the deployment stops at start-up with the reason, rather than
    running with pages some people cannot read.
    """
    value = value.strip()
    if not value:
        return ""
    match = _HEX.match(value)
    if not match:
        raise ImproperlyConfigured(f"FORUM_BRAND_COLOUR must be a hex colour such as #0b4a8b, not {value!r}.")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    colour = f"#{digits}"
    ratio = contrast_ratio(colour, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ImproperlyConfigured(
            f"FORUM_BRAND_COLOUR {colour} has a contrast of {ratio:.2f}:1 with white; white text on it and "
            f"links in it need at least {MIN_CONTRAST}:1 (WCAG 2.1 AA). Choose a darker shade."
        )
    return colour


def darker(colour: str, factor: float = DARK_FACTOR) -> str:
    """``colour`` darkened towards black (each channel times ``factor``)."""
    return "#" + "".join(f"{round(v * factor):02x}" for v in _rgb(colour))


def stylesheet(colour: str) -> str:
    """The CSS that gives the portal ``colour``: it sets the variables static/css/forum.css
    builds on (buttons, links, the header)."""
    dark = darker(colour)
    rgb, dark_rgb = ", ".join(map(str, _rgb(colour))), ", ".join(map(str, _rgb(dark)))
    return (
        "/* The city's colour (FORUM_BRAND_COLOUR), served by forum.views.brand_css. */\n"
        ":root {\n"
        f"  --forum-blue: {colour};\n"
        f"  --forum-blue-rgb: {rgb};\n"
        f"  --forum-blue-dark: {dark};\n"
        f"  --forum-blue-dark-rgb: {dark_rgb};\n"
        "}\n"
    )


def parse_logo(value: str) -> str:
    """``FORUM_LOGO`` checked: "" (no logo), a path on the portal's own origin ("/media/logo.svg")
    or a static file path ("brand/logo.svg"). An address on another origin is refused: the
    Content-Security-Policy allows images only from the portal itself."""
    value = value.strip()
    if value.startswith(("//", "http:", "https:", "data:")) or "://" in value:
        raise ImproperlyConfigured(
            "FORUM_LOGO must be a static file path (brand/logo.svg) or a path on the portal (/media/logo.svg): "
            "the Content-Security-Policy allows images only from the portal's own origin."
        )
    return value


@dataclass(frozen=True)
class Site:
    """The site as mail names it (the shape of django.contrib.sites' Site, which is not installed)."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.domain


def site_name() -> str:
    """The portal's name: ``FORUM_SITE_NAME``, or "Forumportalen" in the current language."""
    return settings.FORUM_SITE_NAME or _("Forum portal")


def current_site() -> Site:
    """The site's name and domain (from ``FORUM_SITE_URL``), for mail."""
    return Site(name=site_name(), domain=urlsplit(settings.FORUM_SITE_URL).netloc)


def logo_url() -> str:
    """The logo's address, or "" for none."""
    # Imported here: the settings module imports this one, before templates and URLs exist.
    from django.templatetags.static import static

    logo = settings.FORUM_LOGO
    if not logo:
        return ""
    return logo if logo.startswith("/") else static(logo)


def stylesheet_url() -> str:
    """The address of the colour stylesheet, or "" when the portal keeps its own colour. The
    query string changes with the colour, so a browser's cached copy never outlives it."""
    from django.urls import reverse

    colour = settings.FORUM_BRAND_COLOUR
    if not colour:
        return ""
    version = hashlib.sha256(colour.encode()).hexdigest()[:10]
    return f"{reverse('forum:brand_css')}?v={version}"
