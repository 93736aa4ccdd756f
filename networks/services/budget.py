"""The forum's yearly pot for network costs, allocations to networks and their expenses.

Money rule: what is allocated never exceeds the pot, and what a network spends never exceeds
what it was allocated, under any concurrency. Every budget write of a forum and year runs in
one transaction holding a row lock on that year's pot (``SELECT … FOR UPDATE``) and sums the
rows there and then; nothing is cached. Amounts are exact decimals (SEK, öre), never floats.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.services import audit_record

from ..models import Allocation, BudgetPot, Expense, Network, Receipt
from .common import NetworkError

ZERO = Decimal("0.00")


def _sek(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",") + " kr"


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except Exception:  # noqa: BLE001 - any bad input is the same mistake for the user
        raise NetworkError(_("Give the amount in kronor, for example 1250 or 1250,50.")) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("10000000000"):
        raise NetworkError(_("Give an amount greater than zero."))
    return amount


def _sum(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("amount"))["total"] or ZERO


@dataclass(frozen=True)
class Money:
    """A network's money in one year: allocated, spent and left."""

    allocated: Decimal
    spent: Decimal

    @property
    def left(self) -> Decimal:
        return self.allocated - self.spent


def money_left(network: Network, year: int) -> Money:
    """What ``network`` was allocated and has spent in ``year`` (two queries)."""
    return Money(
        allocated=_sum(Allocation.objects.filter(network=network, pot__year=year)),
        spent=_sum(Expense.objects.filter(network=network, pot__year=year)),
    )


def pot_set(*, actor: Any, forum, year: int, amount: Any) -> BudgetPot:
    """Set the forum's pot for network costs in ``year``; it cannot be made smaller than what
    is already allocated. Coordinators of the forum."""
    amount = _money(amount)
    with transaction.atomic():
        pot, _created = BudgetPot.objects.get_or_create(forum=forum, year=year, defaults={"amount": amount,
                                                                                          "updated_by": actor})
        pot = BudgetPot.objects.select_for_update().get(pk=pot.pk)
        allocated = _sum(pot.allocations.all())
        if amount < allocated:
            raise NetworkError(_("The pot cannot be smaller than what is already allocated (%(allocated)s).")
                               % {"allocated": _sek(allocated)}, field="amount")
        before = pot.amount
        pot.amount, pot.updated_by = amount, actor
        pot.save()
        audit_record(actor=actor, action="network.pot_set", target=pot, forum=forum,
                     data={"year": year, "amount": [str(before), str(amount)]})
    return pot


def allocation_create(*, actor: Any, network: Network, year: int, amount: Any, note: str = "") -> Allocation:
    """Allocate a part of the forum's pot of ``year`` to ``network``; refused beyond what is
    left in the pot, and for a closed network. Coordinators of the network's forum."""
    amount = _money(amount)
    if network.status == Network.Status.CLOSED:
        raise NetworkError(_("The network is closed. Money is allocated only to a network that is still running."),
                           field="network")
    with transaction.atomic():
        pot = BudgetPot.objects.select_for_update().filter(forum_id=network.forum_id, year=year).first()
        if pot is None:
            raise NetworkError(_("There is no budget for networks for %(year)s yet. Set the year's pot first.")
                               % {"year": year}, field="year")
        left = pot.amount - _sum(pot.allocations.all())
        if amount > left:
            raise NetworkError(_("Only %(left)s is left to allocate in %(year)s.") % {"left": _sek(left),
                                                                                      "year": year}, field="amount")
        allocation = Allocation.objects.create(pot=pot, network=network, amount=amount, note=note.strip(),
                                               created_by=actor)
        audit_record(actor=actor, action="network.allocate", target=allocation, forum=network.forum,
                     data={"network": network.pk, "year": year, "amount": str(amount)})
    return allocation


def expense_create(
    *, actor: Any, network: Network, date: dt.date, category: str, amount: Any, note: str = "",
    receipt: tuple[str, str, bytes] | None = None,
) -> Expense:
    """Record an expense of ``network`` against its allocation of the expense's year, with an
    optional receipt ``(file name, content type, content)`` already checked by the form
    (:mod:`networks.receipts`); refused beyond what is left, and when dated after today (the
    local date). Process leaders of the network."""
    amount = _money(amount)
    if category not in Expense.Category.values:
        raise NetworkError(_("Choose a category."))
    if date > timezone.localdate():
        raise NetworkError(_("The date is in the future. Record an expense on the day it was paid or later."),
                           field="date")
    with transaction.atomic():
        # The pot row lock serialises every allocation and expense of the forum's year: two
        # expenses saved at the same moment cannot both fit in what is left.
        pot = BudgetPot.objects.select_for_update().filter(forum_id=network.forum_id, year=date.year).first()
        if pot is None:
            raise NetworkError(_("The network has no money for %(year)s.") % {"year": date.year}, field="date")
        money = money_left(network, date.year)
        if amount > money.left:
            raise NetworkError(_("Only %(left)s is left of the network's money for %(year)s.")
                               % {"left": _sek(money.left), "year": date.year}, field="amount")
        expense = Expense.objects.create(network=network, pot=pot, date=date, category=category, amount=amount,
                                         note=note.strip(), recorded_by=actor)
        if receipt is not None:
            filename, content_type, content = receipt
            Receipt.objects.create(expense=expense, filename=filename[:200], content_type=content_type,
                                   content=content, size=len(content))
        audit_record(actor=actor, action="network.expense", target=expense, forum=network.forum,
                     data={"amount": str(amount), "category": category, "receipt": receipt is not None})
    return expense
