"""Query expressions the apps share."""
from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(rows: QuerySet, link: str) -> Coalesce:
    """An annotation: how many of ``rows`` point at the annotated row through the foreign key
    ``link`` (0 when none), as a correlated subquery. Two ``Count``s over two joins count the
    product of both; and a page of rows is counted for its own rows only, not grouped first."""
    counted = rows.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
