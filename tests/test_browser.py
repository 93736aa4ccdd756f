"""In Chromium (Playwright) against the live server, with the real worker and SMTP sink."""
from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tests.factories import log_in_in_browser, make_forum, verify_email

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sommar-i-Malmö-2026"


def test_sign_up_verify_and_log_in_in_swedish(live_server, page, mailbox, axe):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Skapa konto").click()
    assert page.locator("h1").inner_text() == "Skapa konto"
    page.get_by_label("Förnamn").fill("Ida")
    page.get_by_label("Efternamn").fill("Exempel")
    page.get_by_label("E-post").fill("ida@forum.example")
    page.get_by_label(re.compile(r"^\s*Lösenord\W*$")).fill(PASSWORD)
    page.get_by_label("Lösenord (igen)").fill(PASSWORD)
    page.get_by_role("button", name="Skapa konto").click()
    page.wait_for_url(re.compile(r"/konto/confirm-email/$"))
    assert "Verifiera din e" in page.locator("h1").inner_text()
    axe(page)

    [mail] = mailbox.wait_for(lambda m: "ida@forum.example" in m["To"])
    assert "Forumportalen" in mail["Subject"] and "bekräfta" in mail["Subject"]
    [link] = [url for url in mailbox.links(mail) if "/konto/confirm-email/" in url]
    page.goto(link)
    page.get_by_role("button", name="Verifiera").click()
    assert EmailAddress.objects.get(email="ida@forum.example").verified

    # Log out, then log in with the password.
    page.get_by_role("button", name="Ida").click()
    page.get_by_role("link", name="Logga ut").click()
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("link", name="Logga in").first.click()
    page.get_by_label("E-post").fill("ida@forum.example")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="Ida").is_visible()
    assert User.objects.get(email="ida@forum.example").language == "sv"


@pytest.mark.parametrize("path", ["/", "/konto/login/", "/konto/signup/", "/tillganglighet/", "/forum/meet-malmo/"])
def test_main_pages_have_no_axe_violations(live_server, page, axe, path):
    make_forum()
    page.goto(live_server.url + path)
    assert page.locator("html").get_attribute("lang") == "sv"
    axe(page)


def test_keyboard_reaches_skip_link_and_menu(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_logged_in_pages_have_no_axe_violations(live_server, page, axe):
    forum = make_forum()
    user = User.objects.create_superuser("admin@forum.example", PASSWORD, first_name="Alva")
    verify_email(user)
    log_in_in_browser(page, live_server, user, PASSWORD)
    for path in (f"/forum/{forum.slug}/roller/", "/konto/profil/", "/konto/organisationer/", "/konto/email/"):
        page.goto(live_server.url + path)
        axe(page)
    # A bad organisationsnummer: the message is shown next to the field, and axe is still happy.
    page.goto(live_server.url + "/konto/organisationer/")
    page.get_by_label("Organisationsnummer").fill("559123-4560")
    page.get_by_label("Din titel").fill("VD")
    page.get_by_role("button", name="Lägg till").click()
    assert page.get_by_text("Kontrollsiffran stämmer inte").is_visible()
    axe(page)
