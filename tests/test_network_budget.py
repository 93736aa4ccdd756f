"""The networks' budget: the forum's yearly pot, allocations and expenses in exact decimals,
refused beyond what is left – also when two are saved at the same moment (threads with their
own PostgreSQL connections, serialised on the pot's row lock) – and receipts checked by content
and served only to those allowed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forum.models import AuditEvent, Role
from networks import services
from networks.models import Allocation, Expense, Receipt
from tests.factories import make_forum, make_role_holder, make_user, run_concurrently
from tests.network_helpers import form_network

YEAR = 2026
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def network(forum, coordinator):
    return form_network(forum, coordinator=coordinator)


@pytest.fixture
def leader(network):
    return network.memberships.get().person


@pytest.mark.django_db
def test_allocations_never_exceed_the_pot(forum, coordinator, network):
    with pytest.raises(services.NetworkError):
        services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="100")
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="500000")
    other = form_network(forum, coordinator=coordinator, title="Besöksnäring")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="300000.50")
    with pytest.raises(services.NetworkError, match="199"):
        services.allocation_create(actor=coordinator, network=other, year=YEAR, amount="200000")
    services.allocation_create(actor=coordinator, network=other, year=YEAR, amount=Decimal("199999.50"))
    assert sum(a.amount for a in Allocation.objects.all()) == Decimal("500000.00")
    with pytest.raises(services.NetworkError):
        services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="400000")
    assert AuditEvent.objects.filter(action="network.allocate").count() == 2


@pytest.mark.django_db
def test_expenses_never_exceed_the_allocation(forum, coordinator, network, leader):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="10000")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="1000")
    services.expense_create(actor=leader, network=network, date=dt.date(YEAR, 3, 1), category="lunch_fika",
                            amount="999.99")
    with pytest.raises(services.NetworkError, match="0,01"):
        services.expense_create(actor=leader, network=network, date=dt.date(YEAR, 3, 2), category="room",
                                amount="0.02")
    services.expense_create(actor=leader, network=network, date=dt.date(YEAR, 3, 2), category="room", amount="0.01")
    money = services.money_left(network, YEAR)
    assert (money.allocated, money.spent, money.left) == (Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00"))
    with pytest.raises(services.NetworkError):  # no money for another year
        services.expense_create(actor=leader, network=network, date=dt.date(YEAR + 1, 1, 2), category="room",
                                amount="1")
    with pytest.raises(services.NetworkError):
        services.expense_create(actor=leader, network=network, date=dt.date(YEAR, 3, 2), category="room",
                                amount="-5")


@pytest.mark.django_db(transaction=True)
def test_two_expenses_at_the_same_moment_cannot_both_fit(forum, coordinator, network, leader):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="10000")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="1000")

    def spend():
        return services.expense_create(actor=leader, network=network, date=dt.date(YEAR, 5, 1), category="room",
                                       amount="700")

    results, errors = run_concurrently([spend, spend])
    assert sum(1 for e in errors if e is None) == 1
    assert sum(1 for e in errors if isinstance(e, services.NetworkError)) == 1
    assert Expense.objects.count() == 1
    assert services.money_left(network, YEAR).left == Decimal("300.00")


@pytest.mark.django_db(transaction=True)
def test_two_allocations_at_the_same_moment_cannot_both_fit(forum, coordinator, network):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="1000")
    other = form_network(forum, coordinator=coordinator, title="Andra")
    results, errors = run_concurrently([
        lambda: services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="600"),
        lambda: services.allocation_create(actor=coordinator, network=other, year=YEAR, amount="600"),
    ])
    assert sorted(type(e).__name__ for e in errors) == ["NetworkError", "NoneType"]
    assert Allocation.objects.count() == 1


@pytest.mark.django_db
def test_expense_page_checks_receipts_by_content(client, forum, coordinator, network, leader):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="10000")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="5000")
    client.force_login(leader)
    url = reverse("networks:expenses", args=[network.pk])
    fake = SimpleUploadedFile("kvitto.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(url, {"date": f"{YEAR}-04-01", "category": "analysis", "amount": "1250,50",
                                 "note": "Enkät", "receipt": fake})
    assert response.status_code == 400
    assert Expense.objects.count() == 0
    assert 'value="Enkät"' in response.content.decode()  # nothing the user typed is lost
    big = SimpleUploadedFile("stor.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    assert client.post(url, {"date": f"{YEAR}-04-01", "category": "analysis", "amount": "10",
                             "receipt": big}).status_code == 400
    good = SimpleUploadedFile("kvitto", PDF, content_type="application/octet-stream")
    response = client.post(url, {"date": f"{YEAR}-04-01", "category": "analysis", "amount": "1250,50",
                                 "note": "Enkät", "receipt": good})
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.amount == Decimal("1250.50")
    stored = Receipt.objects.get(expense=expense)
    assert (stored.content_type, stored.filename, bytes(stored.content)) == ("application/pdf", "kvitto.pdf", PDF)
    too_much = client.post(url, {"date": f"{YEAR}-04-02", "category": "room", "amount": "4000"})
    assert too_much.status_code == 400
    assert Expense.objects.count() == 1
    # The refusal is at the amount, which is kept (not only in the summary at the top).
    assert "3 749,50" in " ".join(too_much.context["form"].errors["amount"]).replace("\xa0", " ")
    # Newest first, as the table's caption says (2026-04-01 before an older one).
    client.post(url, {"date": f"{YEAR}-02-01", "category": "room", "amount": "10"})
    page = client.get(url).content.decode()
    assert page.index(f"{YEAR}-04-01") < page.index(f"{YEAR}-02-01")


@pytest.mark.django_db
def test_receipt_served_only_to_leaders_and_coordinators(client, forum, coordinator, network, leader):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="10000")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="5000")
    expense = services.expense_create(actor=leader, network=network, date=dt.date(YEAR, 2, 1), category="room",
                                      amount="100", receipt=("kvitto.png", "image/png", PNG))
    url = reverse("networks:receipt", args=[expense.pk])
    member = make_user("medlem@example.se")
    services.membership_decide(actor=leader, membership=services.membership_request(actor=member, network=network),
                               approve=True)
    other_forum = make_forum(name="Göteborg", slug="gbg", municipality="Göteborg")
    for person in (member, make_role_holder(other_forum, Role.COORDINATOR, "gbg@example.se")):
        client.force_login(person)
        assert client.get(url).status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page
    for person in (leader, coordinator):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == PNG
        assert response["Content-Type"] == "image/png" and "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_only_process_leaders_record_expenses(client, forum, coordinator, network):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="10000")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="5000")
    client.force_login(coordinator)
    response = client.post(reverse("networks:expenses", args=[network.pk]),
                           {"date": f"{YEAR}-04-01", "category": "room", "amount": "10"})
    assert response.status_code == 403
    assert Expense.objects.count() == 0


@pytest.mark.django_db
def test_budget_page_refuses_too_large_allocation_with_a_message(client, forum, coordinator, network):
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="1000")
    client.force_login(coordinator)
    response = client.post(reverse("networks:budget", args=[forum.slug]) + f"?ar={YEAR}",
                           {"action": "allocate", "network": network.pk, "year": YEAR, "amount": "1500"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "is left to allocate" in response.content.decode()
    assert Allocation.objects.count() == 0
