"""Security headers Django 5.2 does not set itself: Content-Security-Policy and Permissions-Policy.

The policy is strict: scripts and styles only from our own origin, no inline code at all. The
templates keep to it (scripts in static/js/, styles in static/css/forum.css, data for scripts in
data- attributes or ``json_script`` blocks, which are not executed). Django's admin and Bootstrap
5 work under it: they set styles only through the CSSOM (``element.style``), which CSP does not
restrict. ``settings.FORUM_CSP`` chooses between enforcing the policy, only reporting
violations in the browser's console, and leaving the header out.
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

CSP_ENFORCE = "enforce"
CSP_REPORT_ONLY = "report-only"
CSP_OFF = "off"
CSP_MODES = (CSP_ENFORCE, CSP_REPORT_ONLY, CSP_OFF)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Bootstrap's CSS draws its icons (menu button, select arrow, check marks) as data: SVGs.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

# Powerful browser features the portal never uses, switched off for every page and any frame.
# Only names Chromium knows: an unknown one makes it log an error on every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy (as ``settings.FORUM_CSP`` says) and Permissions-Policy to
    every response, unless the view set them itself. No side effects beyond the headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read per response, not at start-up, so a test can switch the mode with settings.
        mode = getattr(settings, "FORUM_CSP", CSP_ENFORCE)
        if mode == CSP_ENFORCE:
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        elif mode == CSP_REPORT_ONLY:
            response.headers.setdefault("Content-Security-Policy-Report-Only", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class MethodNotAllowedPageMiddleware:
    """Give a refused method (405) the portal's error page instead of Django's empty answer.

    ``require_POST`` and ``require_safe`` answer with an empty ``HttpResponseNotAllowed``, which
    a browser shows as a blank page: someone who opens the address of a button (a bookmark, a
    link copied from the address bar) or a form that posts to a page that only shows
    information. The status and the ``Allow`` header stay; nothing has been changed, since the
    view never ran. Last in MIDDLEWARE, so the request has its user, language and CSRF token
    when the page is rendered. No side effects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response
