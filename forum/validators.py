"""Validation of Swedish identifiers."""
from __future__ import annotations

import calendar
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What people put between the digits: spaces (also non-breaking), hyphens, the en and em
# dashes and minus signs word processors turn them into, and the "+" of a personal identity
# number of someone aged 100 or more.
_SEPARATORS_RE = re.compile(r"[\s\u00a0\u2010-\u2015\u2212+-]")
_DIGITS_RE = re.compile(r"^\d+$")
# The first digit of a legal entity's number is its group (Bolagsverket): 1 estates,
# 2 the state, regions and municipalities, 3 foreign companies, 5 limited companies,
# 6 simple partnerships, 7 economic associations, 8 non-profit associations and
# foundations, 9 trading partnerships. 0 and 4 are not issued.
_LEGAL_ENTITY_GROUPS = set("12356789")


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


def is_personal_identity_number(number: str | None) -> bool:
    """True if a (normalised) organisationsnummer is a person's identity number: a sole
    trader's number is the owner's personnummer (or samordningsnummer), recognisable by the
    month in digits three and four (its third digit is 0 or 1; a legal entity's is 2 or
    more). Such a number is personal data: never on a public page, never in an export."""
    digits = (number or "").replace("-", "")
    return len(digits) == 10 and digits[2] in "01"


def _valid_birth_date(century: int | None, yymmdd: str) -> bool:
    """Month 01–12 and a day that exists in that month (a samordningsnummer adds 60 to the
    day). Without the century, 29 February is accepted."""
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    if century is None:
        last = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    else:
        last = calendar.monthrange(century * 100 + int(yymmdd[:2]), month)[1]
    return day <= last


def _unissued() -> ValidationError:
    return ValidationError(
        _("No registry issues that number. Check the organisationsnummer for typing errors."),
        code="orgnr_unissued",
    )


def normalise_organisationsnummer(value: str) -> str:
    """Return ``NNNNNN-NNNN`` for a valid organisationsnummer, or raise ValidationError.

    Accepts the number as people type it: with or without a hyphen, an en dash or spaces,
    and in the 12-digit form with the century (16556036-0793, or 19/20 for a sole trader's
    personal identity number). Refuses numbers that no registry issues: a legal entity's
    group digit 0 or 4, a personal identity number with an impossible date (0000000000
    among them). The last digit is a Luhn check digit over the other nine.
    """
    cleaned = _SEPARATORS_RE.sub("", value or "")
    if not _DIGITS_RE.match(cleaned) or len(cleaned) not in (10, 12):
        raise ValidationError(
            _("An organisationsnummer has ten digits, for example 559123-4561."),
            code="orgnr_format",
        )
    century: int | None = None
    if len(cleaned) == 12:
        prefix, cleaned = cleaned[:2], cleaned[2:]
        personal = cleaned[2] in "01"
        # Legal entities are written with "16" in front; people with their birth century.
        if (not personal and prefix != "16") or (personal and prefix not in ("18", "19", "20")):
            raise _unissued()
        century = None if not personal else int(prefix)
    if cleaned[2] in "01":
        if not _valid_birth_date(century, cleaned[:6]):
            raise _unissued()
    elif cleaned[0] not in _LEGAL_ENTITY_GROUPS:
        raise _unissued()
    if not luhn_ok(cleaned):
        raise ValidationError(
            _("The check digit does not match. Check the organisationsnummer for typing errors."),
            code="orgnr_checksum",
        )
    return f"{cleaned[:6]}-{cleaned[6:]}"


def validate_organisationsnummer(value: str) -> None:
    """Model-field validator wrapper around :func:`normalise_organisationsnummer`."""
    normalise_organisationsnummer(value)
