"""Aggregated composition of a meeting's invited and confirmed groups, and which candidate
companies would bring the group closer to the forum's diversity targets (seed 002: the
selection must reflect the city's population by gender, background, industry and size).

Privacy rules, enforced here so no template can get them wrong:

* Gender and background count only for people who have consented
  (``User.demographics_consent_at``); everyone else is "not stated", whatever the fields say.
* Every figure is an aggregate. A cell of 1–4 is suppressed ("fewer than 5", no share), and if
  exactly one cell of a dimension is suppressed the next smallest is suppressed too, so the
  small one cannot be recovered by subtracting the others from the total. A total of 1–4 is
  suppressed as well.
* Candidate ranking uses only company attributes (industry and size), never personal data.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from forum.models import Organisation
from forum.sni import SNI_SECTIONS

from .models import DiversityTarget, Meeting, Registration

# Groups smaller than this are never shown.
MIN_CELL = 5
NOT_STATED = "not_stated"

# "Invited" means everyone invited or registered who still has a live claim on the meeting;
# "confirmed" means those holding a confirmed seat.
GROUPS: dict[str, tuple[str, ...]] = {
    "invited": tuple(Registration.ACTIVE),
    "confirmed": (Registration.Status.CONFIRMED,),
}
GROUP_LABELS: dict[str, Promise] = {
    "invited": _("Invited and registered"),
    "confirmed": _("Confirmed participants"),
}

Dimension = DiversityTarget.Dimension
# The categories of each dimension, in display order.
CATEGORIES: dict[str, list[tuple[str, Promise]]] = {
    Dimension.GENDER: list(User.Gender.choices),
    Dimension.BACKGROUND: list(User.Background.choices),
    Dimension.INDUSTRY: list(SNI_SECTIONS),
    Dimension.SIZE: list(Organisation.SizeClass.choices),
}
# Dimensions about people (counted over every registration in the group, from the attendee's
# consented answers) and about companies (counted over company registrations only).
PERSONAL_DIMENSIONS = (Dimension.GENDER, Dimension.BACKGROUND)
COMPANY_DIMENSIONS = (Dimension.INDUSTRY, Dimension.SIZE)

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class Cell:
    """One row of a composition table. ``count`` is the true count and must never be shown
    when ``suppressed``; templates use :attr:`shown_count` and :attr:`shown_share`."""

    category: str
    label: str
    count: int
    target: Decimal | None = None
    share: Decimal | None = None
    suppressed: bool = False
    # Suppressed only so that another small cell cannot be worked out (its count is ≥ 5).
    complementary: bool = False

    @property
    def shown_share(self) -> Decimal | None:
        return None if self.suppressed else self.share

    @property
    def difference(self) -> Decimal | None:
        """Share minus target, in percentage points; hidden with the share."""
        if self.suppressed or self.share is None or self.target is None:
            return None
        return self.share - self.target


@dataclass
class DimensionTable:
    """A dimension's composition within one group."""

    dimension: str
    label: str
    total: int
    cells: list[Cell] = field(default_factory=list)
    total_suppressed: bool = False

    @property
    def has_suppressed(self) -> bool:
        return self.total_suppressed or any(c.suppressed for c in self.cells)


@dataclass
class Composition:
    """A group's composition per dimension. ``raw`` keeps the unsuppressed company counts
    (industry and size) for ranking candidates; it is never rendered."""

    group: str
    label: str
    tables: list[DimensionTable]
    raw: dict[str, Counter]


def suppress(cells: list[Cell], total: int) -> bool:
    """Apply primary and complementary suppression in place; return whether the total must be
    hidden too. Zero cells stay visible (they reveal no one)."""
    for cell in cells:
        cell.suppressed = 0 < cell.count < MIN_CELL
    suppressed = [c for c in cells if c.suppressed]
    if len(suppressed) == 1:
        # Total minus the visible cells would give the hidden one away: hide the next smallest too.
        others = sorted((c for c in cells if c.count > 0 and not c.suppressed), key=lambda c: c.count)
        if others:
            others[0].suppressed = True
            others[0].complementary = True
    return 0 < total < MIN_CELL


def targets_for(forum) -> dict[tuple[str, str], Decimal]:
    """The forum's target shares keyed by (dimension, category) (one query)."""
    return {(t.dimension, t.category): t.share for t in DiversityTarget.objects.filter(forum=forum)}


def _counts(meeting: Meeting, group: str, now: dt.datetime) -> tuple[dict[str, Counter], dict[str, int]]:
    """Counts per dimension and category, and the total each dimension is counted over,
    aggregated in the database in one query. The statuses as the clock sees them
    (:meth:`Registration.effective_status`): an invitation past its answer-by date or an offer
    past its deadline is no live claim, even before the periodic task writes so."""
    consented = Q(attendee__isnull=False, attendee__demographics_consent_at__isnull=False)
    rows = (
        Registration.objects.filter(meeting=meeting, status__in=GROUPS[group])
        .exclude(Registration.expired_invitation_q(now)).exclude(Registration.expired_offer_q(now))
        .annotate(
            # Answers of people who have not consented are treated as never given.
            g=Case(When(consented, then=F("attendee__gender")), default=Value(""), output_field=CharField()),
            b=Case(When(consented, then=F("attendee__background")), default=Value(""), output_field=CharField()),
        )
        .values("g", "b", "organisation__kind", "organisation__sni_section", "organisation__size_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, Counter] = {d: Counter() for d in CATEGORIES}
    totals: dict[str, int] = {d: 0 for d in CATEGORIES}
    for row in rows:
        n = row["n"]
        for dimension, value in ((Dimension.GENDER, row["g"]), (Dimension.BACKGROUND, row["b"])):
            counts[dimension][value or NOT_STATED] += n
            totals[dimension] += n
        if row["organisation__kind"] == Organisation.Kind.COMPANY:
            for dimension, value in ((Dimension.INDUSTRY, row["organisation__sni_section"]),
                                     (Dimension.SIZE, row["organisation__size_class"])):
                counts[dimension][value or NOT_STATED] += n
                totals[dimension] += n
    return counts, totals


def composition(meeting: Meeting, group: str, *, targets: dict[tuple[str, str], Decimal] | None = None,
                now: dt.datetime | None = None) -> Composition:
    """Counts and shares per dimension for ``group`` ("invited" or "confirmed"), suppressed.

    Two queries (one with ``targets`` given). Shares are of the dimension's total: every
    registration for gender and background (the not-stated included), company registrations
    for industry and size.
    """
    if group not in GROUPS:
        raise ValueError(f"Unknown group {group!r}")
    if targets is None:
        targets = targets_for(meeting.forum)
    counts, totals = _counts(meeting, group, now or timezone.now())
    tables = []
    for dimension, label in Dimension.choices:
        total = totals[dimension]
        categories = list(CATEGORIES[dimension])
        if dimension in PERSONAL_DIMENSIONS or counts[dimension][NOT_STATED]:
            categories.append((NOT_STATED, _("Not stated")))
        cells = [
            Cell(
                category=value,
                label=str(category_label),
                count=counts[dimension][value],
                target=targets.get((dimension, value)),
                share=_pct(counts[dimension][value], total) if total else None,
            )
            for value, category_label in categories
        ]
        total_suppressed = suppress(cells, total)
        tables.append(DimensionTable(dimension=dimension, label=str(label), total=total, cells=cells,
                                     total_suppressed=total_suppressed))
    raw = {d: counts[d] for d in COMPANY_DIMENSIONS}
    return Composition(group=group, label=str(GROUP_LABELS[group]), tables=tables, raw=raw)


@dataclass
class Candidate:
    """A company not yet invited, with how much inviting it would improve the balance."""

    pk: int
    name: str
    sni_section: str
    size_class: str
    score: Decimal

    @property
    def sni_label(self) -> str:
        return str(dict(SNI_SECTIONS).get(self.sni_section, self.sni_section))

    @property
    def size_label(self) -> str:
        return str(dict(Organisation.SizeClass.choices).get(self.size_class, self.size_class))


def _deviation(counts: Counter, n: int, targets: dict[str, Decimal]) -> Decimal:
    """Sum of absolute deviations (percentage points) from the targeted categories."""
    if not targets:
        return Decimal(0)
    return sum(
        (abs((Decimal(counts[c]) * HUNDRED / n if n else Decimal(0)) - share) for c, share in targets.items()),
        Decimal(0),
    )


def candidate_ranking(
    meeting: Meeting,
    companies: Iterable[Organisation],
    *,
    invited: Composition | None = None,
    targets: dict[tuple[str, str], Decimal] | None = None,
) -> list[Candidate]:
    """Rank ``companies`` not yet invited to ``meeting`` by how much inviting each would reduce
    the invited group's sum of absolute deviations from the forum's industry and size targets.

    Score = deviation now − deviation with the company added (percentage points; higher is
    better, negative moves away from the targets). Only company attributes are used. Ties
    are broken by name. Companies already holding a live claim on the meeting are left out.
    """
    if targets is None:
        targets = targets_for(meeting.forum)
    if invited is None:
        invited = composition(meeting, "invited", targets=targets)
    already = set(
        Registration.objects.filter(meeting=meeting, status__in=GROUPS["invited"]).values_list(
            "organisation_id", flat=True
        )
    )
    per_dimension = {
        d: {category: share for (dim, category), share in targets.items() if dim == d} for d in COMPANY_DIMENSIONS
    }
    n = sum(invited.raw[Dimension.INDUSTRY].values())
    now = {d: _deviation(invited.raw[d], n, per_dimension[d]) for d in COMPANY_DIMENSIONS}
    cache: dict[tuple[str, str], Decimal] = {}

    def score(sni: str, size: str) -> Decimal:
        # The score depends only on the pair of attributes: compute each pair once.
        if (sni, size) not in cache:
            gain = Decimal(0)
            for dimension, value in ((Dimension.INDUSTRY, sni), (Dimension.SIZE, size)):
                after = invited.raw[dimension].copy()
                after[value] += 1
                gain += now[dimension] - _deviation(after, n + 1, per_dimension[dimension])
            cache[(sni, size)] = gain.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
        return cache[(sni, size)]

    ranked = [
        Candidate(pk=c.pk, name=c.name, sni_section=c.sni_section, size_class=c.size_class,
                  score=score(c.sni_section, c.size_class))
        for c in companies
        if c.kind == Organisation.Kind.COMPANY and c.pk not in already
    ]
    ranked.sort(key=lambda c: (-c.score, c.name.casefold(), c.pk))
    return ranked


def candidate_companies(*, sni_section: str = "", size_class: str = ""):
    """Companies in the register, optionally filtered; only the attributes the ranking uses."""
    companies = Organisation.objects.filter(kind=Organisation.Kind.COMPANY).only(
        "pk", "kind", "name", "sni_section", "size_class"
    )
    if sni_section:
        companies = companies.filter(sni_section=sni_section)
    if size_class:
        companies = companies.filter(size_class=size_class)
    return companies.order_by("name")
