"""The accessibility report form with its bot guard (forum/antispam.py), in Chromium: a person
fills it in and sends it with the keyboard alone, never landing in the honeypot, and axe finds
no WCAG 2.1 A/AA violations with the honeypot on the page."""
from __future__ import annotations

import pytest

from forum.models import AccessibilityReport

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_report_form_works_by_keyboard_and_passes_axe_with_the_honeypot(live_server, page, axe, settings):
    settings.FORUM_FORM_MIN_SECONDS = 0.5  # the live server runs in this process
    page.goto(live_server.url + "/tillganglighet/")
    honeypot = page.locator("#id_website")
    # Out of the tab order and of sight, but labelled for screen readers.
    assert honeypot.get_attribute("tabindex") == "-1"
    assert honeypot.get_attribute("autocomplete") == "off"
    box = honeypot.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    assert page.locator('label[for="id_website"]').count() == 1
    axe(page)

    page.locator("#id_page_url").focus()
    page.keyboard.type("/forum/meet-malmo/")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_description"
    page.keyboard.type("Menyn går inte att öppna med tangentbordet.")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_email"
    page.keyboard.type("besokare@example.org")
    page.keyboard.press("Tab")
    # Next stop is the send button: the honeypot is skipped.
    assert page.evaluate("document.activeElement.type") == "submit"
    page.wait_for_timeout(600)  # a person takes longer than FORUM_FORM_MIN_SECONDS
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".messages .alert-success").wait_for()
    assert page.locator("#id_description").input_value() == ""  # a fresh form after sending, not the old one again
    report = AccessibilityReport.objects.get()
    assert (report.description, report.email) == ("Menyn går inte att öppna med tangentbordet.", "besokare@example.org")
    axe(page)
