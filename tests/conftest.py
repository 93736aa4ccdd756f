"""Shared fixtures. The suite runs against real services started by scripts/testenv.py
(PostgreSQL, Redis, a Celery worker, an SMTP sink and Chromium): run it with `make test`.

App-specific fixtures go below the harness section.
"""
from __future__ import annotations

import os

import pytest

# --------------------------------------------------------------------------- harness
from tests.csp import policy_guarded_page
from tests.mailbox import Mailbox

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The demo data's people, one per role (accounts/demo.py and forum/demo.py, README "Demo logins");
# None is the anonymous visitor.
DEMO_PEOPLE = {
    "anonymous": None,
    "coordinator": "samordnare@forum.example",
    "communicator": "kommunikator@forum.example",
    "partner_nominator": "nominerare@forum.example",
    "facilitator": "processledare@forum.example",
    "researcher": "forskare@forum.example",
    "company_representative": "foretag@forum.example",
    "municipal_participant": "tjansteperson@forum.example",
}


# Deliberately weak and fast: PBKDF2's million iterations made creating test users most of the
# suite's time. Production keeps Django's default (PBKDF2); test_accounts checks that default
# with the real hasher, and PBKDF2 stays in the list so its hashes still verify here.
FAST_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


# Fixtures that need the services (or Chromium): a test marked ``pure`` may use none of them.
SERVICE_FIXTURES = {
    "db", "transactional_db", "django_db_setup", "client", "admin_client", "live_server", "browser", "page",
    "phone_page", "axe", "mailbox", "forum", "partners",
}


def pytest_sessionstart(session):
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    _flush_retries_a_deadlock_with_the_worker()


def _flush_retries_a_deadlock_with_the_worker() -> None:
    """A transactional test ends by emptying every table (TRUNCATE). The suite's real Celery
    worker may still be delivering a mail the test queued last – inside a transaction that holds
    the outbox row and reads its meeting – and TRUNCATE, which takes every table at once, can then
    deadlock with it. PostgreSQL ends one of the two; when it ends the TRUNCATE, nothing was
    emptied (the flush is one transaction), so it is run again once the worker has finished,
    instead of failing this test's teardown and the next test's set-up."""
    import time

    from django.core.management.base import CommandError
    from django.db import OperationalError
    from django.test import TransactionTestCase

    teardown = TransactionTestCase._fixture_teardown

    def _deadlock(error: BaseException | None) -> bool:
        # The flush command raises CommandError "couldn't be flushed" from the database's error.
        while error is not None:
            if isinstance(error, OperationalError) and "deadlock detected" in str(error):
                return True
            error = error.__cause__
        return False

    def _fixture_teardown(self):
        for attempt in range(5):
            try:
                return teardown(self)
            except (CommandError, OperationalError) as error:
                if not _deadlock(error) or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    TransactionTestCase._fixture_teardown = _fixture_teardown


def _is_pure(item) -> bool:
    return item.get_closest_marker("pure") is not None


def pytest_collection_modifyitems(config, items):
    """A ``pure`` test must not ask for the services: the marker lets it run without them."""
    for item in items:
        if _is_pure(item):
            used = SERVICE_FIXTURES.intersection(item.fixturenames)
            if used or item.get_closest_marker("django_db"):
                raise pytest.UsageError(f"{item.nodeid} is marked pure but uses {sorted(used) or 'django_db'}")


def pytest_collection_finish(session):
    """Tell scripts/testenv.py whether the selected tests are all pure (it then runs them
    without starting the services), and refuse to run others without the services."""
    plan = os.environ.get("FORUM_TEST_PLAN")
    if plan:
        pure = bool(session.items) and all(_is_pure(item) for item in session.items)
        with open(plan, "w") as fh:
            fh.write("pure" if pure else "services")
        return
    if session.config.option.collectonly:
        return
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        if not all(_is_pure(item) for item in session.items):
            pytest.exit("The suite runs on the real services: use `make test`.", returncode=2)


@pytest.fixture
def mailbox() -> Mailbox:
    """The SMTP sink's mailbox, emptied (and failure injection reset) before the test."""
    box = Mailbox(os.environ["SMTP_SINK_DIR"])
    box.clear()
    yield box
    box.fail_file.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    """The cache is real Redis (rate limits live there): start every test empty."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A desktop-sized Swedish page; fails the test on any CSP violation."""
    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": 1280, "height": 900}) as page:
        yield page


@pytest.fixture
def phone_page(browser):
    """A phone-sized Swedish touch page (390 × 844); fails the test on any CSP violation."""
    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": 390, "height": 844}, is_mobile=True,
                             has_touch=True) as page:
        yield page


@pytest.fixture
def axe():
    """Return ``check(page, context=None)`` asserting no WCAG 2.0/2.1 A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    runner = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

    def check(page, context=None):
        results = runner.run(page, context=context, options=options)
        if results.violations_count:
            report = results.generate_report()
            print(report)
            pytest.fail(f"axe found accessibility violations on {page.url}:\n{report}", pytrace=False)
        return results

    return check


# ------------------------------------------------------------------- app fixtures


@pytest.fixture(autouse=True)
def _page_cache(request, settings):
    """Tests write with the ORM behind the services' backs and then read the pages: the public
    page cache (forum/pagecache.py) is off unless a test is marked ``page_cache``."""
    if request.node.get_closest_marker("page_cache") is None:
        settings.FORUM_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _real_smtp(settings):
    """Django's test set-up swaps in the in-memory mail backend; we send to the real SMTP sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def forum():
    """The Malmö forum "11:11 – Meet Malmö" (slug ``meet-malmo``); see tests/factories.py."""
    from tests.factories import make_forum

    return make_forum()


@pytest.fixture
def partners():
    """Two partner organisations: (Företagarna Malmö, MINC)."""
    from tests.factories import make_partners

    return make_partners()
