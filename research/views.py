"""The research page and its downloads: thin views over research.selectors."""
from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from forum import permissions as forum_permissions
from forum.exports import csv_response, xlsx_response

from . import permissions, selectors, services

FORMATS = ("csv", "xlsx")


def _decimal_comma(value):
    # Swedish Excel reads "12,5" as a number and "12.5" as text. (Once forum.exports writes
    # decimals this way itself, this is a no-op for it: the value is already text.)
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return value


@require_safe
@login_required
def research_index(request: HttpRequest, slug: str) -> HttpResponse:
    """The exports for follow-up research, each with what a row is and what is left out."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_export)
    exports = [{"export": export, "files": [
        (file_format.upper(), reverse(f"research:{export.key}_{file_format}", args=[forum.slug]))
        for file_format in FORMATS]} for export in selectors.EXPORTS.values()]
    return render(request, "research/index.html", {"forum": forum, "exports": exports})


@require_safe
@login_required
def research_export(request: HttpRequest, slug: str, export: str, file_format: str) -> HttpResponse:
    """One export as CSV or XLSX; the download is recorded in the audit trail."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_export)
    spec = selectors.EXPORTS.get(export)
    if spec is None or file_format not in FORMATS:
        raise Http404
    header, rows = spec.rows(forum)
    services.research_export_record(actor=request.user, forum=forum, export=spec.key, file_format=file_format)
    filename = f"{spec.filename}-{forum.slug}"
    if file_format == "xlsx":
        return xlsx_response(filename=filename, header=header, rows=rows, sheet=str(spec.title))
    return csv_response(filename=filename, header=header,
                        rows=([_decimal_comma(value) for value in row] for row in rows))
