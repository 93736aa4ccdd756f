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
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import get_language, ngettext
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


# Money in kronor: what one pot, allocation or expense may be (the columns hold 12 digits, two
# of them decimals).
MONEY = (Decimal("0.01"), Decimal("9999999999.99"))


def local_number(value: int | Decimal, *, grouping: bool = True) -> str:
    """A number as the active language writes it: "2 000" and "0,01" in Swedish (a no-break
    space between the groups), "2,000" and "0.01" in English. Years are written without
    grouping (``grouping=False``)."""
    return number_format(value, force_grouping=grouping)


# --- text ----------------------------------------------------------------------------------
def normalise_newlines(text: str) -> str:
    """Line breaks as LF. Browsers send a textarea's line breaks as CRLF but count each as one
    character against ``maxlength``; counted here as the person saw them, a text the browser
    let through at the limit is not refused for its paragraph breaks."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _MaxLengthValidator(validators.MaxLengthValidator):
    """Django's check, with the portal's message: the limit and the length, numbers written
    as the reader's language writes them."""

    def __call__(self, value: str) -> None:
        length = self.clean(value)
        if length > self.limit_value:
            raise ValidationError(
                ngettext("The text can be at most %(limit)s character long. It is now %(count)s characters.",
                         "The text can be at most %(limit)s characters long. It is now %(count)s characters.",
                         self.limit_value)
                % {"limit": local_number(self.limit_value), "count": local_number(length)},
                code="max_length",
            )


class _MinLengthValidator(validators.MinLengthValidator):
    """Django's check, with the portal's message (see _MaxLengthValidator)."""

    def __call__(self, value: str) -> None:
        length = self.clean(value)
        if length < self.limit_value:
            raise ValidationError(
                ngettext("The text must be at least %(limit)s character long. It is now %(count)s characters.",
                         "The text must be at least %(limit)s characters long. It is now %(count)s characters.",
                         self.limit_value)
                % {"limit": local_number(self.limit_value), "count": local_number(length)},
                code="min_length",
            )


class BoundedCharField(forms.CharField):
    """Text of at most ``max_length`` characters, as the person typed it: line breaks count
    once (CRLF and CR become LF before the length is checked, so the server agrees with the
    browser's ``maxlength``), and a text too long or too short gets a plain message naming
    the limit and the length. Every text field of the portal's forms is one of these
    (tests/test_text_fields.py checks it); validation only, no side effects."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            _MaxLengthValidator(v.limit_value) if type(v) is validators.MaxLengthValidator
            else _MinLengthValidator(v.limit_value) if type(v) is validators.MinLengthValidator
            else v
            for v in self.validators
        ]

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = normalise_newlines(value)
        return super().to_python(value)


def portal_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """A ModelForm's ``formfield_callback``: a model's plain text column (CharField or
    TextField without choices) becomes a BoundedCharField, every other column what Django makes."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        kwargs.setdefault("form_class", BoundedCharField)
    return db_field.formfield(**kwargs)


# --- numbers -------------------------------------------------------------------------------
def range_message(low: int, high: int, *, grouping: bool = True) -> str:
    """The one message for every wrong whole number: what is allowed, not what went wrong."""
    return _("Enter a whole number from %(min)s to %(max)s.") % {
        "min": local_number(low, grouping=grouping), "max": local_number(high, grouping=grouping)}


class BoundedIntegerField(forms.IntegerField):
    """A whole number between ``bounds`` (inclusive). Text, decimals, NaN and numbers out of
    range all get the same message naming the range; the input gets ``min``/``max``. A year
    (``grouping=False``) is named without a thousands separator."""

    def __init__(self, *, bounds: tuple[int, int], grouping: bool = True, **kwargs: Any) -> None:
        low, high = bounds
        # Lazy: the fields are built at import, the message is read in the user's language.
        message = lazy(range_message, str)(low, high, grouping=grouping)
        errors = {"invalid": message, "min_value": message, "max_value": message}
        errors.update(kwargs.pop("error_messages", {}))
        super().__init__(min_value=low, max_value=high, error_messages=errors, **kwargs)


_ANY_SPACE = re.compile(r"\s")  # also the no-break and thin spaces that group digits
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_CURRENCY = re.compile(r"\s*(?:kr\.?|sek)\s*$", re.IGNORECASE)
_ENGLISH_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


def parse_decimal(text: str) -> Decimal | None:
    """A decimal number as people type it, or None. In Swedish: spaces (also no-break and thin
    spaces) between the groups, a decimal comma or a decimal point ("1 250,50", "1250.50").
    In English a comma only groups thousands ("1,250.50"), as a comma there never marks
    decimals. ASCII digits only; a minus sign typed as U+2212 is a minus."""
    compact = _ANY_SPACE.sub("", text).replace("\u2212", "-")
    if len(compact) > 40:
        return None
    if (get_language() or "").startswith("en"):
        if "," in compact:
            if not _ENGLISH_GROUPED.fullmatch(compact):
                return None
            compact = compact.replace(",", "")
    else:
        if "," in compact and "." in compact:
            return None  # "1.250,50" or "1,250.50": which one is the decimal sign is a guess
        compact = compact.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(compact):
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


class BoundedDecimalField(forms.DecimalField):
    """A decimal number between ``bounds`` (inclusive) with at most ``decimal_places``
    decimals, typed as people write it (:func:`parse_decimal`). Text and numbers out of range
    get one message naming the range (never two: the digit count of Django's DecimalField is
    covered by the range); too many decimals get their own. Validation only."""

    def __init__(self, *, bounds: tuple[Decimal, Decimal], decimal_places: int = 2, **kwargs: Any) -> None:
        low, high = bounds
        self.bounds = bounds
        self.step = Decimal(1).scaleb(-decimal_places)
        whole_digits = len(str(int(max(abs(low), abs(high)))))
        # A text input showing the value as the language writes it (localize), unless the form
        # names a widget: a number input would refuse "1 250,50" in the browser.
        if "widget" not in kwargs:
            kwargs.setdefault("localize", True)
        super().__init__(min_value=low, max_value=high, max_digits=whole_digits + decimal_places,
                         decimal_places=decimal_places, **kwargs)

    def range_message(self) -> str:
        low, high = self.bounds
        return _("Enter a number from %(min)s to %(max)s.") % {"min": local_number(low), "max": local_number(high)}

    def decimals_message(self) -> str:
        return ngettext("Enter the number with at most %(places)s decimal.",
                        "Enter the number with at most %(places)s decimals.",
                        self.decimal_places) % {"places": self.decimal_places}

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        if not isinstance(widget, forms.NumberInput):
            attrs.setdefault("inputmode", "decimal")
        return attrs

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        number = value if isinstance(value, Decimal) else parse_decimal(str(value))
        low, high = self.bounds
        if number is None or not number.is_finite() or not low <= number <= high:
            raise ValidationError(self.range_message(), code="invalid")
        if number != number.quantize(self.step):
            raise ValidationError(self.decimals_message(), code="max_decimal_places")
        return number.quantize(self.step)


class MoneyField(BoundedDecimalField):
    """An amount in kronor, from 0,01 to 9 999 999 999,99 unless ``bounds`` says otherwise."""

    def __init__(self, *, bounds: tuple[Decimal, Decimal] = MONEY, **kwargs: Any) -> None:
        super().__init__(bounds=bounds, decimal_places=2, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        # "1 250 kr" as people write an amount: the currency the label names is no error.
        if isinstance(value, str):
            value = _CURRENCY.sub("", value)
        return super().to_python(value)

    def range_message(self) -> str:
        low, high = self.bounds
        return _("Enter an amount from %(min)s to %(max)s kr.") % {"min": local_number(low), "max": local_number(high)}

    def decimals_message(self) -> str:
        return _("Enter the amount with at most two decimals.")


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
