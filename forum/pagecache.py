"""Public pages served to anonymous visitors from the cache.

A view marked with :func:`public_page` (the start page, a forum's page, a meeting page, the
public issues and results…) is rendered once per language and URL and then served from the
cache to every visitor who is not logged in, until either

- any write of the portal commits: every named action records an audit row
  (:func:`forum.services.audit_record`), which bumps one *generation* number after commit;
  cached pages of an older generation are never served again; or
- ``FORUM_PAGE_CACHE_SECONDS`` pass (default 10 s): what changes with the clock alone (a vote
  opening at its time, registration closing when a meeting starts) shows within seconds.

Who made a change is logged in, and logged-in visitors are never served from this cache, so
they see their change at once. A visitor who carries a session or pending messages is not
served from it either. The one per-visitor value on a public page, the CSRF token of the
header's language form, is punched out when a page is stored and the visitor's own token put
back in when it is served.

Failures of the cache (Redis down, the database fallback slow) only mean the page is rendered:
reads and writes of this module never raise.
"""
from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.views.decorators.http import require_safe

from .cache import bump

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
TOKEN_HOLE = "__forum_csrf_token__"
_TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
# Headers worth keeping with a stored page; the others are set per response by the middleware.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark ``view`` as a public page that anonymous visitors may be served from the cache.
    Only for pages that show every anonymous visitor the same thing for the same URL and
    language. No side effects.

    A public page only shows: it answers GET and HEAD, and any other method with 405 (the
    portal's error page, forum.middleware). A POST would otherwise render the page afresh
    past the cache, which is what the cache is there to spare under load."""
    safe = require_safe(view)
    safe.forum_public_page = True  # type: ignore[attr-defined]
    return safe


def _seconds() -> int:
    return int(getattr(settings, "FORUM_PAGE_CACHE_SECONDS", 10))


def _lookup(key: str) -> tuple[int, Any]:
    """The current generation and what is stored under ``key``, in one round trip to the
    cache (a hit costs that and nothing else). Generation -1: the cache cannot be read."""
    try:
        found = cache.get_many([GENERATION_KEY, key])
        value = found.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
            value = cache.get(GENERATION_KEY, 0)
        return int(value), found.get(key)
    except Exception:  # the cache is an optimisation: a failing cache means a rendered page
        logger.warning("page cache: generation unreadable", exc_info=True)
        return -1, None


def _fresh_generation() -> int:
    """A first generation number: the clock in microseconds, above any number an earlier
    generation key reached by counting (one a write) before the cache lost it."""
    return time.time_ns() // 1000


def invalidate() -> None:
    """Make every cached public page stale at once. Side effect: one cache increment (one
    round trip to Redis), and a second write only when the generation had been lost."""
    try:
        if bump(cache, GENERATION_KEY) == 1:
            # It was missing: lost with pages that may still carry any number it reached, 1
            # too. Start again above all of them instead.
            cache.set(GENERATION_KEY, _fresh_generation(), timeout=None)
    except Exception:
        logger.warning("page cache: could not invalidate", exc_info=True)


def invalidate_on_commit() -> None:
    """Invalidate once the current transaction commits (at once outside one)."""
    transaction.on_commit(invalidate, robust=True)


def _key(request: HttpRequest) -> str:
    # The generation is stored with the page (not in the key), so one read fetches both.
    raw = "|".join((request.LANGUAGE_CODE, request.get_host(), request.get_full_path()))
    return "pagecache:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _anonymous_without_state(request: HttpRequest) -> bool:
    """True for a visitor who is not logged in and carries nothing of their own."""
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class PublicPageCacheMiddleware:
    """Serve :func:`public_page` views to anonymous visitors from the cache (see the module).
    Sits below LocaleMiddleware (the key needs the language) and above the CSRF, session and
    messages middleware (it must see the cookies they set on the way out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is not None and not getattr(response, "_from_page_cache", False):
            self._store(key, request._page_cache_generation, response)  # type: ignore[attr-defined]
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if not getattr(view, "forum_public_page", False) or _seconds() <= 0:
            return None
        if not _anonymous_without_state(request):
            return None
        key = _key(request)
        generation, stored = _lookup(key)
        if generation < 0:
            return None
        # A page stored under an older generation is stale: some write has committed since.
        if stored is None or stored[0] != generation:
            request._page_cache_key = key  # type: ignore[attr-defined]
            request._page_cache_generation = generation  # type: ignore[attr-defined]
            return None
        _generation, content, status, headers = stored
        if TOKEN_HOLE.encode() in content:
            # The visitor's own token (and, through the CSRF middleware, its cookie).
            content = content.replace(TOKEN_HOLE.encode(), get_token(request).encode())
        response = HttpResponse(content, status=status)
        for name, value in headers.items():
            response[name] = value
        response["X-Page-Cache"] = "hit"
        response._from_page_cache = True  # type: ignore[attr-defined]
        return response

    def _store(self, key: str, generation: int, response: HttpResponse) -> None:
        if response.status_code != 200 or response.streaming or getattr(response, "_page_cache_refused", False):
            return
        # A cookie other than the CSRF one (a session, messages, a language) is the visitor's own.
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
            return
        content = response.content
        tokens = set(_TOKEN_FIELD.findall(content.decode(response.charset or "utf-8", errors="replace")))
        for token in tokens:
            content = content.replace(token.encode(), TOKEN_HOLE.encode())
        headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
        try:
            # Stored with the generation read before the page was rendered: a write that
            # committed while it rendered makes it stale at once.
            cache.set(key, (generation, content, response.status_code, headers), timeout=_seconds())
        except Exception:
            logger.warning("page cache: write failed", exc_info=True)
        response["X-Page-Cache"] = "miss"
