"""Validation of Swedish identifiers."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ORGNR_RE = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_ok(digits: str) -> bool:
    """True if the digit string passes the Luhn (mod 10) check used by Swedish numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(first_nine: str) -> str:
    """The check digit that makes ``first_nine`` + digit pass the Luhn check."""
    for digit in "0123456789":
        if luhn_ok(first_nine + digit):
            return digit
    raise AssertionError("unreachable: one digit always completes a Luhn sum")


def normalise_organisationsnummer(value: str) -> str:
    """Return ``NNNNNN-NNNN`` for a valid organisationsnummer, or raise ValidationError.

    Accepts ten digits with or without the hyphen and surrounding spaces. The last digit
    is a Luhn check digit over the other nine.
    """
    cleaned = re.sub(r"\s+", "", value or "")
    match = _ORGNR_RE.match(cleaned)
    if not match:
        raise ValidationError(
            _("An organisationsnummer has ten digits, for example 559123-4561."),
            code="orgnr_format",
        )
    digits = match.group(1) + match.group(2)
    if not luhn_ok(digits):
        raise ValidationError(
            _("The check digit does not match. Please check the organisationsnummer for typing errors."),
            code="orgnr_checksum",
        )
    return f"{digits[:6]}-{digits[6:]}"


def validate_organisationsnummer(value: str) -> None:
    """Model-field validator wrapper around :func:`normalise_organisationsnummer`."""
    normalise_organisationsnummer(value)
