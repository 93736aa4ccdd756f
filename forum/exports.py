"""Exports that are safe to open in a spreadsheet.

Every CSV or XLSX file the portal produces goes through :func:`safe_cell`: a text cell that a
spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, also after leading spaces) gets a leading apostrophe, so Excel and
LibreOffice show it as text instead of running it (OWASP "CSV injection"). What participants
type through public forms, such as dietary needs, ends up in these files.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Full-width forms that some spreadsheet programs also accept as the start of a formula.
FORMULA_TRIGGERS_WIDE = ("＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet cell that can never be a formula. Numbers, dates and None
    pass unchanged; text that starts like a formula is prefixed with an apostrophe."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    stripped = value.lstrip(" \u00a0")
    if stripped.startswith(FORMULA_TRIGGERS + FORMULA_TRIGGERS_WIDE) or value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def decimal_comma(value: Any) -> Any:
    """A decimal number (float or Decimal) written with a decimal comma and no exponent, as
    Swedish Excel reads a number from a CSV file ("3,57"; "3.57" would stay text there).
    Everything else passes unchanged. Applied after :func:`safe_cell`: a number is never a
    formula, so a negative one keeps its plain minus."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return value


def csv_response(*, filename: str, header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A CSV download for Swedish Excel: UTF-8 with a byte-order mark (å, ä and ö intact),
    ``;`` between cells, CRLF line ends, every cell through :func:`safe_cell`, decimals with
    a decimal comma (:func:`decimal_comma`).
    ``filename`` is reduced to a safe ASCII name ending in ``.csv``."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(safe_row(str(h) for h in header))
    for row in rows:
        writer.writerow([decimal_comma(cell) for cell in safe_row(row)])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    stem = slugify(filename.removesuffix(".csv"))[:80] or "export"
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
