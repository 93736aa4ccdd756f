"""Exports are safe to open in a spreadsheet: no cell is ever read as a formula."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from events import services
from events.models import Meeting, Registration, SeatPool
from forum.exports import csv_response, safe_cell
from forum.models import Role
from tests.factories import company_with_rep, make_meeting, make_role_holder, pool_of


@pytest.mark.pure
@pytest.mark.parametrize("value", [
    "=HYPERLINK(\"https://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1+1", "＝1+1",
])
def test_formula_like_text_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.pure
@pytest.mark.parametrize("value,expected", [
    ("Vegetarisk", "Vegetarisk"), ("Laktosfri, glutenfri", "Laktosfri, glutenfri"), ("", ""), (None, ""),
    (12, 12), (-3, -3), ("Rullstol – ramp behövs", "Rullstol – ramp behövs"),
])
def test_ordinary_values_pass_unchanged(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.pure
def test_decimals_get_a_comma_for_swedish_excel_and_formulas_stay_neutralised():
    """Swedish Excel reads "3,57" as a number and "3.57" as text; text that looks like a
    formula still gets its apostrophe, numbers (negative ones too) none."""
    response = csv_response(filename="x", header=["a"], rows=[
        [3.57, Decimal("-0.50"), 1e-05, 7, "=1+1", "-2+3", "3.57"],
    ])
    line = response.content.decode("utf-8-sig").splitlines()[1]
    assert line.split(";") == ["3,57", "-0,50", "0,00001", "7", "'=1+1", "'-2+3", "3.57"]


@pytest.mark.django_db
def test_a_formula_typed_through_the_invitation_link_is_text_in_the_catering_file(client, forum):
    meeting = make_meeting(forum)
    meeting.status = Meeting.Status.REGISTRATION_OPEN
    meeting.save()
    company, _user = company_with_rep()
    invitation = services.invitation_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                            organisation=company, contact_email="gast@example.se")
    formula = '=HYPERLINK("https://evil.example","x")'
    response = client.post(reverse("events:invitation", args=[invitation.token]), {
        "action": "accept", "attendee_name": "@Gäst", "attendee_email": "gast@example.se",
        "dietary_needs": formula, "accessibility_needs": "+46 hörslinga", "consent": "on"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=invitation.pk).dietary_needs == formula  # stored as typed

    client.force_login(make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se"))
    export = client.get(reverse("events:catering", args=[meeting.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    text = export.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1] == [company.name, "'@Gäst", "'" + formula, "'+46 hörslinga"]
    for row in rows:
        for cell in row:
            assert not cell.lstrip().startswith(("=", "+", "-", "@")), cell
