"""Bounded form fields: every number, date and id a form takes has limits that make sense
for the domain, so hostile or mistyped values get a clear message instead of a server
error (an integer beyond the database column, a date whose arithmetic overflows).

The limits are named here once; the forms of every app use these fields, and
tests/test_fuzz_forms.py checks that written values stay inside them. Validation only, no
side effects. Django puts ``min`` and ``max`` on the HTML inputs from the same limits.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _

# --- the limits ---------------------------------------------------------------------------
# Meetings, votes, hold dates and due dates of a forum that runs for years, not centuries:
# a window wide enough for history and long plans, narrow enough that date arithmetic
# (hold dates, reminders, expiry) never leaves what Python and PostgreSQL can hold.
YEAR_MIN = 2000
YEAR_MAX = 2100

# Primary keys are bigint (BigAutoField); an id outside 1..BIGINT_MAX names no row.
BIGINT_MAX = 2**63 - 1

CAPACITY = (1, 10_000)          # seats of a meeting
SEATS_PER_COMPANY = (1, 20)     # seats one organisation may hold
POOL_SIZE = (0, 10_000)         # seats of one pool (0: a pool kept but closed)
OFFER_HOURS = (1, 720)          # hours to answer a waiting-list offer (at most 30 days)
INVITATION_DAYS = (1, 365)      # days to answer an invitation
DOTS = (1, 100)                 # points per voter in dot voting
PLAN_YEAR = (YEAR_MIN, YEAR_MAX)  # the year of a yearly plan

# Free text kept in a TextField (a theme, an agenda, an answer to an issue): a few pages at
# most, so one form post cannot store megabytes that every later page then renders.
LONG_TEXT = 10_000

_ID_RE = re.compile(r"[0-9]{1,19}")


# --- numbers -------------------------------------------------------------------------------
def range_message(low: int, high: int) -> str:
    """The one message for every wrong whole number: what is allowed, not what went wrong."""
    return _("Enter a whole number from %(min)s to %(max)s.") % {"min": low, "max": high}


class BoundedIntegerField(forms.IntegerField):
    """A whole number between ``bounds`` (inclusive). Text, decimals, NaN and numbers out of
    range all get the same message naming the range; the input gets ``min``/``max``."""

    def __init__(self, *, bounds: tuple[int, int], **kwargs: Any) -> None:
        low, high = bounds
        # Lazy: the fields are built at import, the message is read in the user's language.
        message = lazy(range_message, str)(low, high)
        errors = {"invalid": message, "min_value": message, "max_value": message}
        errors.update(kwargs.pop("error_messages", {}))
        super().__init__(min_value=low, max_value=high, error_messages=errors, **kwargs)


# --- dates ---------------------------------------------------------------------------------
def validate_year_window(value: dt.date | dt.datetime | None) -> None:
    """Refuse a date or time outside YEAR_MIN..YEAR_MAX (local time for a datetime)."""
    if value is None:
        return
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValidationError(_("Choose a date between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX},
                              code="year_window")


class _WindowMixin:
    """Checks the year before anything else (``clean`` of the form compares dates, and
    services add days to them) and tells the browser the same limits."""

    input_type: str
    min_attr: str
    max_attr: str

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except OverflowError:
            # Django's parsers can overflow on extreme input; it is still just a bad date.
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        validate_year_window(result)
        return result

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", None) == self.input_type:
            attrs.setdefault("min", self.min_attr)
            attrs.setdefault("max", self.max_attr)
        return attrs


# datetime-local inputs send "2026-05-12T11:11"; Django parses that as ISO 8601.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class BoundedDateTimeField(_WindowMixin, forms.DateTimeField):
    """A date and time (a ``datetime-local`` input) between YEAR_MIN and YEAR_MAX."""

    input_type = "datetime-local"
    min_attr = f"{YEAR_MIN}-01-01T00:00"
    max_attr = f"{YEAR_MAX}-12-31T23:59"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL))
        super().__init__(**kwargs)


class BoundedDateField(_WindowMixin, forms.DateField):
    """A date (a ``date`` input) between YEAR_MIN and YEAR_MAX."""

    input_type = "date"
    min_attr = f"{YEAR_MIN}-01-01"
    max_attr = f"{YEAR_MAX}-12-31"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)


# --- ids -----------------------------------------------------------------------------------
def parse_id(value: Any) -> int | None:
    """A primary key from request data: ASCII digits within bigint, else None. (``int()``
    would also take " 7", "٣" and numbers no row can have.)"""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= BIGINT_MAX else None
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= BIGINT_MAX else None


class _IdCheckMixin:
    """Refuses what can be no primary key before the database is asked."""

    def _check_id(self, value: Any) -> None:
        if value in self.empty_values:
            return
        if not isinstance(value, str | int) or parse_id(value) is None:
            # The value is echoed in the message; a long one is cut so the page stays readable.
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": str(value)[:40]})


class BoundedModelChoiceField(_IdCheckMixin, forms.ModelChoiceField):
    """ModelChoiceField that takes only a well-formed id (digits, within bigint)."""

    def to_python(self, value):
        if not getattr(self, "to_field_name", None) and not isinstance(value, self.queryset.model):
            self._check_id(value)
        return super().to_python(value)


class BoundedModelMultipleChoiceField(_IdCheckMixin, forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField that takes only well-formed ids. (How many may be sent is
    limited by DATA_UPLOAD_MAX_NUMBER_FIELDS.)"""

    def _check_values(self, value):
        for item in value:
            if not isinstance(item, self.queryset.model):
                self._check_id(item)
        return super()._check_values(value)
