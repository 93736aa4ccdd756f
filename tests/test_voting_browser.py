"""In a real browser: a participant ranks the candidates with the keyboard only, casts the
ballot, reads the receipt code and checks it; axe-core finds no WCAG A/AA violations on the
ballot, the receipt, the receipt check and the result. On a dot-voting ballot the points-left
counter follows the keyboard under the Content-Security-Policy."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from forum.middleware import CONTENT_SECURITY_POLICY
from forum.models import Role
from issues import services
from tests.factories import log_in_in_browser, make_role_holder
from tests.test_voting import held_meeting, make_candidates, make_voter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with ``element_id`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"Tab never reached #{element_id}")


def test_rank_by_keyboard_cast_and_check_the_receipt(live_server, page, axe, forum):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    meeting = held_meeting(forum)
    a, b, c = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser", "Bättre kollektivtrafik"])
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering 2026", candidates=[a, b, c])
    services.vote_open(actor=coordinator, vote=vote)
    user, _registration = make_voter(meeting, verified_email=True)

    log_in_in_browser(page, live_server, user)
    page.goto(live_server.url + reverse("issues:ballot", args=[vote.pk]))
    page.get_by_role("heading", level=1, name="Prioritering 2026").wait_for()
    axe(page)

    # Rank: Bättre kollektivtrafik 1, Snabbare bygglov 2, Fler praktikplatser 3 – typing the
    # option on each focused select, then Tab to the button and Enter.
    for issue, place in ((a, "2"), (b, "3"), (c, "1")):
        tab_to(page, f"id_c{issue.pk}")
        page.keyboard.type(place)
    assert page.locator(f"#id_c{c.pk}").input_value() == "1"
    assert page.locator(f"#id_c{a.pk}").input_value() == "2"
    assert page.locator(f"#id_c{b.pk}").input_value() == "3"
    tab_to(page, "cast-ballot")
    page.keyboard.press("Enter")

    code_element = page.locator("#receipt-code")
    code_element.wait_for()
    code = code_element.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    axe(page)

    page.goto(live_server.url + reverse("issues:receipt_check", args=[vote.pk]))
    axe(page)
    tab_to(page, "id_code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.locator("#receipt-result").wait_for()
    rows = page.locator("#receipt-result tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).inner_text().split("\t") for i in range(3)] == [
        ["1", "Bättre kollektivtrafik"], ["2", "Snabbare bygglov"], ["3", "Fler praktikplatser"],
    ]
    axe(page)

    services.vote_close(actor=coordinator, vote=vote)
    page.goto(live_server.url + reverse("issues:vote_result", args=[vote.pk]))
    page.locator("#pairwise").wait_for()
    assert "Bättre kollektivtrafik" in page.locator("#ranking tbody tr").first.inner_text()
    axe(page)


def test_points_left_counts_down_while_typing_under_the_policy(live_server, page, forum):
    """Dot voting: the counter (static/js/dots.js) follows what is typed and turns red past
    the total, on a page served with the enforced Content-Security-Policy."""
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    meeting = held_meeting(forum)
    a, b = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser"])
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prickar 2026", candidates=[a, b],
                                method="dots", dots=5)
    services.vote_open(actor=coordinator, vote=vote)
    user, _registration = make_voter(meeting, verified_email=True)

    log_in_in_browser(page, live_server, user)
    response = page.goto(live_server.url + reverse("issues:ballot", args=[vote.pk]))
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    points_left = page.locator("#points-left")
    expect(points_left).to_have_text("5")

    tab_to(page, f"id_c{a.pk}")
    page.keyboard.type("3")
    expect(points_left).to_have_text("2")
    tab_to(page, f"id_c{b.pk}")
    page.keyboard.type("4")
    expect(points_left).to_have_text("-2")
    expect(points_left.locator("xpath=..")).to_have_class(re.compile(r"\btext-danger\b"))
    page.keyboard.press("Backspace")
    page.keyboard.type("2")
    expect(points_left).to_have_text("0")
    expect(points_left.locator("xpath=..")).not_to_have_class(re.compile(r"\btext-danger\b"))
