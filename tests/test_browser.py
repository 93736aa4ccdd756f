"""In Chromium (Playwright) against the live server, with the real worker and SMTP sink."""
from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import User
from forum.models import Role
from tests.factories import log_in_in_browser, make_forum, make_role_holder, verify_email

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
    assert "Bekräfta din e-postadress" in page.locator("h1").inner_text()
    axe(page)

    [mail] = mailbox.wait_for(lambda m: "ida@forum.example" in m["To"])
    # The subject's words are in i18n-pending/mail.po until the catalogue is merged.
    assert "Forumportalen" in mail["Subject"] and re.search("bekräfta|confirm", mail["Subject"], re.IGNORECASE)
    [link] = [url for url in mailbox.links(mail) if "/konto/confirm-email/" in url]
    page.goto(link)
    page.get_by_role("button", name="Bekräfta").click()
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
    # Next to the field, and as a link to it in the error summary that has the focus.
    assert page.locator("#id_organisationsnummer_error").get_by_text("Kontrollsiffran stämmer inte").is_visible()
    assert page.locator("[data-error-summary] a[href='#id_organisationsnummer']").is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    axe(page)


def test_header_menus_open_and_close_with_the_keyboard(live_server, page):
    """Both dropdowns of the header (Bootstrap's script, under the enforced policy): Enter on
    the toggle opens the menu, Arrow down reaches the first link, Escape closes it and gives the
    focus back to the toggle."""
    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example", verified_email=True,
                                   first_name="Saga")
    log_in_in_browser(page, live_server, coordinator)
    for toggle_name, first_link in ((forum.name, "Forumets sida"), ("Saga", "Mina uppgifter")):
        toggle = page.get_by_role("button", name=toggle_name, exact=True)
        menu = toggle.locator("xpath=following-sibling::ul")
        expect(menu).to_be_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        expect(menu).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        expect(menu.get_by_role("link", name=first_link)).to_be_focused()
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(toggle).to_be_focused()


def test_phone_menu_opens_with_the_keyboard(live_server, phone_page):
    """On a phone the header collapses behind a button; Enter opens it (Bootstrap's collapse
    animates through element.style, which the policy allows)."""
    phone_page.goto(live_server.url + "/")
    menu = phone_page.locator("#main-nav")
    expect(menu).to_be_hidden()
    phone_page.get_by_role("button", name="Visa eller dölj menyn").focus()
    phone_page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Logga in")).to_be_visible()
