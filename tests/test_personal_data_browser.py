"""A person's own data in Chromium at phone width: the page and the erase page pass axe, the
download link gives the JSON file itself (not the password page), and erasing by keyboard alone
logs them out with a message, after a refusal that keeps them on the page with its reason."""
from __future__ import annotations

import json
import re

import pytest

from accounts.models import User
from events.models import Registration
from tests.factories import (
    PASSWORD,
    company_with_rep,
    log_in_in_browser,
    make_meeting,
    open_with_small_pools,
    register_open,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_and_erase_by_keyboard_at_phone_width(live_server, phone_page, axe, forum):
    page = phone_page
    meeting = open_with_small_pools(make_meeting(forum, title="Vinterträff om kompetens"), size=1)
    company, user = company_with_rep(verified_email=True)
    seat = register_open(meeting, pair=(company, user))
    waiting = register_open(meeting)
    log_in_in_browser(page, live_server, user)

    page.goto(live_server.url + "/konto/dina-uppgifter/")
    # allauth asks for the password again before the page, also right after logging in.
    page.get_by_role("heading", name="Bekräfta att det är du", level=1).wait_for()
    axe(page)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Dina personuppgifter", level=1).wait_for()
    axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner dina uppgifter").click()
    download = info.value
    assert re.fullmatch(r"mina-uppgifter-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(open(download.path(), encoding="utf-8").read())
    assert data["email"] == user.email and "Vinterträff om kompetens" in json.dumps(data, ensure_ascii=False)

    page.get_by_role("link", name="Radera ditt konto").click()
    page.get_by_role("heading", name="Radera ditt konto", level=1).wait_for()
    axe(page)
    # Sent without the box ticked: the reason is told and focus goes to it; nothing happens.
    erase = page.get_by_role("button", name="Radera mitt konto")
    erase.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Kryssa i rutan för att bekräfta att du vill radera ditt konto.").first.wait_for()
    axe(page)
    assert User.objects.filter(pk=user.pk).exists()
    page.get_by_label(re.compile("Jag förstår att mitt konto")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Radera mitt konto").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("Ditt konto är raderat.").is_visible()
    assert page.get_by_role("link", name="Logga in").first.is_visible() or page.get_by_role(
        "button", name="Visa eller dölj menyn").is_visible()

    assert not User.objects.filter(pk=user.pk).exists()
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.status == Registration.Status.CANCELLED and seat.anonymised_at is not None
    assert waiting.status == Registration.Status.OFFERED
