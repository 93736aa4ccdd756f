"""Text and numbers as people type them (forum.fields): a textarea's line breaks count once,
as the browser counts them against ``maxlength``; lengths, ranges and amounts are refused with
one plain message whose numbers are written as the language writes them ("2 000", "0,01");
amounts are taken as Swedes write them ("1 250,50"). Through the real pages and database.
Visible text is matched in Swedish or English, so the tests pass before and after the lead
merges the translations; the numbers are formatted in Swedish either way (the page's language
is Swedish)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from events.models import Meeting, SeatPool
from forum.fields import BoundedCharField, parse_decimal
from forum.models import Role
from issues.models import Issue, Side
from networks import services
from networks.models import Allocation, BudgetPot, Expense, Membership
from tests.factories import company_with_rep, make_meeting, make_registration, make_role_holder, make_user, pool_of
from tests.network_helpers import form_network

NBSP = "\xa0"
PORTAL_APPS = ("accounts", "communication", "events", "forum", "issues", "networks")
YEAR = 2026


def _paragraphs(total: int, breaks: int) -> str:
    """A text of ``total`` characters as the browser counts them (a line break is one), with
    ``breaks`` paragraph breaks, sent as browsers send a textarea: each break as CRLF."""
    words = "x" * (total - breaks * 2)
    chunk = len(words) // (breaks + 1)
    parts = [words[i * chunk:(i + 1) * chunk] for i in range(breaks)] + [words[breaks * chunk:]]
    return "\r\n\r\n".join(parts)


# --- 1. line breaks count once --------------------------------------------------------
@pytest.mark.django_db
def test_an_issue_at_the_limit_with_crlf_paragraphs_is_taken_and_stored_with_lf(client, forum):
    meeting = make_meeting(forum, focus_areas=forum.focus_areas.all())
    meeting.status = Meeting.Status.HELD  # issues are raised on the day
    meeting.save()
    company, user = company_with_rep()
    registration = make_registration(meeting, company, attendee=user, pool=pool_of(meeting, SeatPool.Kind.MUNICIPAL))
    url = reverse("issues:capture_token", args=[registration.token])
    text = _paragraphs(2000, 5)
    assert len(text) == 2010  # what the server received before: refused as "it has 2010"
    data = {"action": "raise", "text": text, "focus_area": forum.focus_areas.first().pk, "side": Side.CITY}
    response = client.post(url, data)
    assert response.status_code == 302
    stored = Issue.objects.get().text
    assert "\r" not in stored and len(stored) == 2000 and stored.count("\n\n") == 5

    # One character more than the browser allows is refused with the limit and the length.
    response = client.post(url, {**data, "text": _paragraphs(2001, 5)})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(f"Texten får vara högst 2{NBSP}000 tecken. Nu är den 2{NBSP}001 tecken."
                     f"|The text can be at most 2{NBSP}000 characters long. It is now 2{NBSP}001 characters.", html)
    assert "Ensure this value" not in html and "Säkerställ" not in html
    assert Issue.objects.count() == 1


@pytest.mark.django_db
def test_a_request_to_join_at_the_limit_with_crlf_paragraphs_is_taken(client, forum):
    network = form_network(forum)
    person = make_user("sokande@example.se")
    client.force_login(person)
    message = _paragraphs(2000, 8)
    response = client.post(reverse("networks:join", args=[network.pk]), {"message": message})
    assert response.status_code == 302
    membership = Membership.objects.get(network=network, person=person)
    assert membership.message == message.replace("\r\n", "\n")


@pytest.mark.pure
def test_every_text_field_of_the_portals_forms_counts_line_breaks_once():
    """Each form class of the portal's apps: its text fields are BoundedCharField (a plain
    Django CharField would count CRLF twice and speak Django's message). Fields that only
    add to the form in ``__init__`` are checked in their modules by the same rule: no
    ``forms.CharField(`` anywhere in the apps."""
    modules = ["accounts.forms", "communication.forms", "events.forms", "forum.forms", "forum.antispam",
               "issues.forms", "networks.forms"]
    checked = 0
    for name in modules:
        module = importlib.import_module(name)
        submodules = [module] + [importlib.import_module(info.name) for info in
                                 pkgutil.iter_modules(getattr(module, "__path__", []), f"{name}.")]
        for mod in submodules:
            for _name, cls in inspect.getmembers(mod, inspect.isclass):
                if not issubclass(cls, forms.BaseForm) or cls.__module__ != mod.__name__:
                    continue
                # Fields a form inherits from allauth or Django are theirs (a username, a password).
                foreign = {n for base in cls.__mro__[1:] if not base.__module__.startswith(PORTAL_APPS)
                           for n in getattr(base, "base_fields", {})}
                for field_name, field in cls.base_fields.items():
                    if type(field) is forms.CharField and field_name not in foreign:
                        raise AssertionError(f"{cls.__module__}.{cls.__name__}.{field_name} is a plain CharField")
                    checked += isinstance(field, BoundedCharField)
    assert checked > 40
    root = Path(__file__).resolve().parent.parent
    for app in PORTAL_APPS:
        for source in (root / app).rglob("*.py"):
            assert "forms.CharField(" not in source.read_text(encoding="utf-8"), source


# --- 3. amounts as Swedes write them -------------------------------------------------------
@pytest.mark.pure
def test_amounts_are_read_as_the_language_writes_them():
    with translation.override("sv"):
        for typed, value in (("1 250,50", "1250.50"), (f"1{NBSP}250,50", "1250.50"), ("1\u202f250,5", "1250.5"),
                             ("1250.50", "1250.50"), ("1250,50", "1250.50"), (" 12 ", "12"), ("−3", "-3")):
            assert parse_decimal(typed) == Decimal(value), typed
        for typed in ("1.250,50", "1,250.50", "12,5,0", "abc", "1e3", "NaN", "٣", "", ","):
            assert parse_decimal(typed) is None, typed
    with translation.override("en"):
        assert parse_decimal("1,250.50") == Decimal("1250.50")
        assert parse_decimal("1 250.50") == Decimal("1250.50")
        # A comma never marks decimals in English: "1250,50" is no number rather than 125 050.
        assert parse_decimal("1250,50") is None and parse_decimal("1,25") is None


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def network(forum, coordinator):
    return form_network(forum, coordinator=coordinator)


RANGE_SV = f"Ange ett belopp från 0,01 till 9{NBSP}999{NBSP}999{NBSP}999,99 kr."
RANGE_EN = f"Enter an amount from 0,01 to 9{NBSP}999{NBSP}999{NBSP}999,99 kr."


def _money_refusal(html: str) -> None:
    """The one message for an amount out of range, with Swedish numbers, and none of Django's."""
    assert RANGE_SV in html or RANGE_EN in html
    assert html.count(RANGE_SV) + html.count(RANGE_EN) == 2  # by the field and in the error summary
    for stock in ("siffror", "digits", "Kontrollera att detta värde", "Ensure this value", "Fyll i ett tal",
                  "Enter a number"):
        assert stock not in html


@pytest.mark.django_db
def test_budget_forms_take_swedish_amounts_and_refuse_out_of_range_once(client, forum, coordinator, network):
    client.force_login(coordinator)
    url = reverse("networks:budget", args=[forum.slug])
    response = client.post(url, {"action": "pot", "year": YEAR, "amount": "500 000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert BudgetPot.objects.get().amount == Decimal("500000.00")
    response = client.post(url, {"action": "allocation", "network": network.pk, "year": YEAR,
                                 "amount": f"12{NBSP}500,50"})
    assert response.status_code == 302
    assert Allocation.objects.get().amount == Decimal("12500.50")
    for huge in ("99999999999", "0", "-5", "mycket"):
        response = client.post(url, {"action": "allocation", "network": network.pk, "year": YEAR, "amount": huge})
        assert response.status_code == 400
        html = response.content.decode()
        _money_refusal(html)
        assert f'value="{huge}"' in html  # what was typed stays
    assert Allocation.objects.count() == 1


@pytest.mark.django_db
def test_an_expense_in_swedish_format_is_recorded(client, forum, coordinator, network):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="10000")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="5000")
    client.force_login(network.memberships.get().person)  # the process leader records expenses
    url = reverse("networks:expenses", args=[network.pk])
    response = client.post(url, {"date": f"{YEAR}-04-01", "category": "analysis", "amount": "1 250,50"})
    assert response.status_code == 302
    assert Expense.objects.get().amount == Decimal("1250.50")
    response = client.post(url, {"date": f"{YEAR}-04-01", "category": "analysis", "amount": "12,345"})
    assert response.status_code == 400
    assert re.search("Ange beloppet med högst två decimaler.|Enter the amount with at most two decimals.",
                     response.content.decode())
    response = client.post(url, {"date": f"{YEAR}-04-01", "category": "analysis", "amount": "12345678901234"})
    assert response.status_code == 400
    _money_refusal(response.content.decode())
    assert Expense.objects.count() == 1
    # What is left: "Kvar" (money), not "Har lämnat" (a member who left).
    page = client.get(url).content.decode()
    assert "Har lämnat" not in page
    assert re.search(r"<dt[^>]*>(Kvar|Left)</dt>", page)


@pytest.mark.django_db
def test_whole_numbers_name_their_range_in_swedish_digits(client, forum, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("events:meeting_create", args=[forum.slug]), {"capacity": "10001"})
    assert response.status_code == 400
    assert re.search(f"(Ange ett heltal|Enter a whole number) (från|from) 1 (till|to) 10{NBSP}000.",
                     response.content.decode())


@pytest.mark.pure
def test_djangos_own_forms_read_plainly_in_swedish_too():
    """Forms the portal does not build (the admin's, allauth's) keep Django's fields: their
    messages are corrected in forum/locale_overrides/sv."""
    with translation.override("sv"):
        with pytest.raises(ValidationError) as refused:
            forms.CharField(max_length=5).clean("abcdefg")
        assert refused.value.messages == ["Texten får vara högst 5 tecken. Nu är den 7 tecken."]
        with pytest.raises(ValidationError) as refused:
            forms.DecimalField(max_value=10, max_digits=3, decimal_places=0).clean("9999")
        assert "Ange ett värde som är högst 10." in refused.value.messages
        assert "Talet får ha högst 3 siffror." in refused.value.messages
        with pytest.raises(ValidationError) as refused:
            forms.IntegerField().clean("x")
        assert refused.value.messages == ["Ange ett heltal."]
