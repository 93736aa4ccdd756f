"""The annual report to the municipal board (a page that prints well, and a PDF) and the
evaluation over the first three years. Coordinators of the forum."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum import permissions as forum_permissions
from forum.fields import PLAN_YEAR

from .. import charts, permissions, report

# What only the PDF adds to the print style: a font that is installed with pango, captions above.
PDF_CSS = """
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 4pt 0; }
"""


def _context(request: HttpRequest, slug: str, year: int) -> dict:
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_form_network)
    low, high = PLAN_YEAR
    if not low <= year <= high:
        raise Http404
    data = report.annual_report(forum, year)
    return {
        "forum": forum, "year": year, "report": data,
        "issues_chart": charts.bar_chart(data.issues_by_status),
        "money_chart": charts.bar_chart(data.spent_by_category, unit=" kr"),
        "participation_chart": charts.bar_chart([(m.title, m.total.value) for m in data.meetings]),
    }


@require_safe
@login_required
def annual_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The report as a page (print CSS makes it print well)."""
    return render(request, "networks/report/annual.html", _context(request, slug, year))


@require_safe
@login_required
def annual_report_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The same report as a PDF, made by WeasyPrint from the print version of the page."""
    import weasyprint  # imported here: the library loads pango, needed only for this view

    context = _context(request, slug, year)
    html = render_to_string("networks/report/annual_pdf.html", context, request=request)
    # The page's print style, given to WeasyPrint directly: it must not fetch it over HTTP from
    # this server, and the template has no <style> element (CSP-clean like every template).
    with open(finders.find("css/report.css"), encoding="utf-8") as css:
        stylesheets = [weasyprint.CSS(string=css.read() + PDF_CSS)]
    pdf = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=stylesheets)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("annual-report") + f"-{context['forum'].slug}-{year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@login_required
def evaluation(request: HttpRequest, slug: str) -> HttpResponse:
    """Key figures of the forum's first three years side by side, for the evaluation."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_form_network)
    years = report.evaluation(forum)
    return render(request, "networks/report/evaluation.html", {
        "forum": forum, "years": years,
        "issues_chart": charts.bar_chart([(str(y.year), y.issues_raised) for y in years]),
        "actions_chart": charts.bar_chart([(str(y.year), y.actions_done) for y in years]),
        "money_chart": charts.bar_chart([(str(y.year), y.spent) for y in years], unit=" kr"),
    })
