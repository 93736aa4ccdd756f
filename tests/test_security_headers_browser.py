"""The Content-Security-Policy in Chromium: the guard every browser test runs under (the
``page`` fixture, tests/csp.py) really catches a violation, and Django's admin works under the
enforced policy. The portal's own pages are covered by every other browser test; the room
screen, the points counter and the menus have their behaviour checked in tests/test_capture_browser.py,
tests/test_voting_browser.py and tests/test_browser.py."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from forum.middleware import CONTENT_SECURITY_POLICY
from tests.csp import policy_guarded_page
from tests.factories import PASSWORD, log_in_in_browser, make_forum, verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBE = """<!DOCTYPE html><html lang="en"><head><title>Probe</title></head><body>
<p style="color: red">Inline style</p><script>document.title = "ran";</script></body></html>"""


def test_the_guard_fails_a_test_on_inline_script_and_style(browser, live_server):
    """A page with an inline script and a style attribute, served under our policy: the
    browser blocks both and the guard turns that into a failure."""
    with pytest.raises(pytest.fail.Exception) as failure:
        with policy_guarded_page(browser) as page:
            page.route(f"{live_server.url}/probe/", lambda route: route.fulfill(
                status=200, content_type="text/html", body=PROBE,
                headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
            ))
            page.goto(f"{live_server.url}/probe/")
            assert page.title() == "Probe"  # the inline script did not run
    report = str(failure.value)
    assert "script-src-elem blocked inline" in report
    assert "style-src-attr blocked inline" in report


def test_the_admin_works_under_the_policy(live_server, page):
    """A superuser uses the admin's own scripts (action checkboxes, prepopulated slug,
    "add another" inline rows) with the policy enforced; the ``page`` fixture fails the test
    on any violation."""
    forum = make_forum()
    admin = User.objects.create_superuser("admin@forum.example", PASSWORD, first_name="Alva")
    verify_email(admin)
    log_in_in_browser(page, live_server, admin)

    response = page.goto(f"{live_server.url}/admin/")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    expect(page.locator('a[href="/admin/forum/forum/"]').first).to_be_visible()

    # Changelist: ticking a row's checkbox updates the "selected" counter (admin/js/actions.js).
    page.goto(f"{live_server.url}/admin/forum/forum/")
    counter = page.locator(".action-counter")
    before = counter.inner_text()
    page.locator(f'input.action-select[value="{forum.pk}"]').check()
    expect(counter).not_to_have_text(before)
    expect(page.locator("#result_list tbody tr").first).to_have_class(re.compile(r"\bselected\b"))

    # Add form: the slug follows the name (prepopulate.js). (A new forum gets its focus areas
    # from forum.services.forum_create, so the add form has no inline rows.)
    page.goto(f"{live_server.url}/admin/forum/forum/add/")
    page.locator("#id_name").press_sequentially("Företagsforum Lund")  # keyup events, as typed
    expect(page.locator("#id_slug")).to_have_value("foretagsforum-lund")

    # Change form of the existing forum: "add another" adds a focus-area row (inlines.js).
    page.goto(f"{live_server.url}/admin/forum/forum/{forum.pk}/change/")
    expect(page.locator("#id_name")).to_have_value(forum.name)
    rows = page.locator(".inline-group tr.form-row:not(.empty-form)")
    count = rows.count()
    page.locator(".inline-group .add-row a").first.click()
    expect(rows).to_have_count(count + 1)
