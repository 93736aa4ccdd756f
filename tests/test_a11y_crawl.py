"""axe-core over the whole portal, as everyone who uses it (issue 9, WCAG 2.1 AA).

The demo data (``python manage.py seed_demo``: a forum with meetings in every state, issues in
every status, a closed vote and one user per role) is loaded once for the module. For each role –
anonymous and every demo role – and each language, Chromium crawls the portal from the start page:
it follows the links of the pages it reaches and keeps one address per URL pattern (the first per
resolved view name), so the crawl covers every kind of page a person in that role can reach from
the navigation. Each page is checked at 1280 px and at 320 px: no axe-core violation (WCAG 2.0/2.1
A and AA) at either width, and nothing scrolls sideways at 320 px (WCAG 1.4.10: the document is no
wider than the window). Every Content-Security-Policy violation fails too (tests/csp.py). Each
test reports every problem it found, not just the first.

To keep the run within a few minutes, axe runs once per distinct content in each language and
width: a page whose header (the menu of the role) and main content are both the same as on a page
already checked – the same public page reached by another role – is loaded and checked for reflow,
but axe is not run on it again. Every header and every main content each role can reach is still
checked in both languages at both widths.

Left out of the crawl: the Django admin (Django's own pages), log-out and the language switch
(forms, not pages), downloads (calendar files, the catering list, JSON, the news feed, the research
exports, the annual report as PDF) and static files.
"""
from __future__ import annotations

import hashlib
import io
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from tests.conftest import AXE_TAGS, DEMO_PEOPLE
from tests.csp import policy_guarded_page

# The marker makes pytest-django set up the test database; the tests only read (through the live
# server), what they read is committed by the module's fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROLES = DEMO_PEOPLE
LANGUAGES = ["sv", "en"]
DESKTOP, PHONE = 1280, 320
# Paths the crawl does not open (see the module docstring).
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/konto/logout/", "/sprak/", "/farger.css")
SKIPPED_SUFFIXES = (".ics", ".csv", ".xlsx", ".json", ".atom", ".pdf")
# A bound, so a link that makes new addresses forever cannot make the crawl run away.
MAX_PAGES = 80

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
_AXE_SOURCE: list[str] = []

COLLECT_LINKS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
# What sticks out on the right of a narrow page (for the report).
STICKING_OUT = """width => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > width + 1
               || (getComputedStyle(e).overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1))
  .slice(-3)
  .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
            + ` (${Math.round(e.getBoundingClientRect().right)} px: ${(e.textContent || '').trim().slice(0, 40)})`)"""
# The header's and the main content's markup, without hidden inputs (CSRF tokens, the language
# form's return address, signed start times), so equal content compares equal.
PARTS = """() => ['header', 'main'].map(selector => {
  const element = document.querySelector(selector);
  return element ? element.outerHTML.replace(/<input[^>]*type="hidden"[^>]*>/g, '') : '';
})"""
# The content axe has checked, by language and width (shared by the module's tests).
_CHECKED: set[tuple[str, int, str, str]] = set()


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now, one line per rule and element. The
    script is put into the page once per load (the caller does that) and run at each width."""
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – {node['target']}"
        for violation in results["violations"] for node in violation["nodes"]
    ]


def inject_axe(page) -> None:
    if not _AXE_SOURCE:
        from axe_playwright_python.sync_playwright import Axe

        _AXE_SOURCE.append(Axe().axe_script)
    page.evaluate(_AXE_SOURCE[0])


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo data in the test database, served by a live server of the module's own, for the
    whole module, with a logged-in session for each demo user. Committed (the server's thread
    reads it through its own connection) and flushed afterwards, as pytest-django's
    transactional tests leave the database."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        started = time.monotonic()
        call_command("seed_demo", stdout=io.StringIO())
        print(f"\nseed_demo took {time.monotonic() - started:.1f} s")
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        sessions = {role: _session(email) for role, email in ROLES.items() if email}
        try:
            yield server.url, sessions
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def _session(email: str) -> str:
    """A logged-in session key for the demo user, for the browser's cookie (no log-in form: the
    crawl is about the pages, and the log-in page is crawled anonymously)."""
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _crawlable(url: str, base_url: str) -> str | None:
    """The path of a link the crawl follows, or None."""
    parts = urlsplit(url)
    base = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_SUFFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_passes_axe_and_reflows(demo_site, browser, role, language):
    base_url, sessions = demo_site
    problems: list[str] = []
    seen_views: dict[str, str] = {}
    checked = 0
    started = time.monotonic()
    with policy_guarded_page(browser, locale="sv-SE" if language == "sv" else "en-GB",
                             viewport={"width": DESKTOP, "height": 900}) as page:
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
        if role in sessions:
            cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": sessions[role], "url": base_url})
        page.context.add_cookies(cookies)
        queue = ["/"]
        while queue and len(seen_views) < MAX_PAGES:
            path = queue.pop(0)
            view = _view_name(path)
            if view is None or view in seen_views:
                continue
            seen_views[view] = path
            page.set_viewport_size({"width": DESKTOP, "height": 900})
            page.goto(base_url + path)
            assert page.locator("html").get_attribute("lang") == language, f"{path}: the page is not in {language}"
            if path == "/":  # the crawl runs as the role it is named after
                assert (page.locator("a[href='/konto/logout/']").count() > 0) == (role in sessions), role
            header, main = (hashlib.sha256(part.encode()).hexdigest() for part in page.evaluate(PARTS))
            new = {width: {(language, width, "header", header), (language, width, "main", main)} - _CHECKED
                   for width in (DESKTOP, PHONE)}
            if new[DESKTOP] or new[PHONE]:
                inject_axe(page)
            if new[DESKTOP]:
                problems += [f"{path} at {DESKTOP} px: {line}" for line in axe_violations(page)]
                checked += 1
            for link in page.evaluate(COLLECT_LINKS):
                target = _crawlable(link, base_url)
                if target is not None and _view_name(target) not in seen_views:
                    queue.append(target)
            page.set_viewport_size({"width": PHONE, "height": 800})
            width = page.evaluate(PAGE_WIDTH)
            if width > PHONE:
                problems.append(f"{path} at {PHONE} px: the page is {width} px wide and scrolls sideways: "
                                + "; ".join(page.evaluate(STICKING_OUT, PHONE)))
            if new[PHONE]:
                problems += [f"{path} at {PHONE} px: {line}" for line in axe_violations(page)]
                checked += 1
            _CHECKED.update(new[DESKTOP] | new[PHONE])
    print(f"\n{role}/{language}: {len(seen_views)} kinds of page, {checked} axe runs, "
          f"{time.monotonic() - started:.1f} s: " + ", ".join(sorted(seen_views)))
    assert len(seen_views) >= 8, f"the crawl reached only {sorted(seen_views)}"
    assert not problems, f"{len(problems)} problems as {role} in {language}:\n" + "\n".join(problems)
