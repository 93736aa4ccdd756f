"""Views: check-in at the door, made for a phone (search, one big button per person)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, selectors, services
from ..forms import CheckinActionForm, CheckinSearchForm
from ..models import Registration


def _back(meeting_pk: int, query: str, anchor: str = "") -> str:
    url = reverse("events:checkin", kwargs={"pk": meeting_pk})
    if query:
        url += "?" + urlencode({"q": query})
    return url + (f"#{anchor}" if anchor else "")


@require_safe
@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """Search confirmed registrations by name, company, email or the invitation's code. An
    exact code shows that one registration only; a code that matches nothing says so."""
    meeting = permissions.meeting_for(request.user, pk, permissions.can_check_in)
    form = CheckinSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    by_code = None
    code_problem = ""
    if query and selectors.looks_like_code(query):
        by_code = selectors.registration_by_code(meeting, query)
        if by_code is not None and by_code.status != Registration.Status.CONFIRMED:
            code_problem = _(
                "The code %(code)s belongs to a registration that is not confirmed (%(status)s). "
                "Only confirmed participants can be checked in."
            ) % {"code": by_code.code, "status": by_code.get_status_display().lower()}
            by_code = None
    rows = [by_code] if by_code is not None else list(selectors.checkin_search(meeting, query))
    if query and not rows and not code_problem and selectors.looks_like_code(query):
        code_problem = _(
            "No confirmed participant has the code %(code)s, and no name, company or email matches it. "
            "Check the code and try again, or search by name."
        ) % {"code": selectors.normalise_code(query)}
    checked_in, confirmed = selectors.checkin_counts(meeting)
    return render(request, "events/checkin/checkin.html", {
        "meeting": meeting, "form": form, "query": query, "rows": rows, "by_code": by_code is not None,
        "code_problem": code_problem, "checked_in": checked_in, "confirmed": confirmed,
    })


@login_required
@require_POST
def checkin_toggle(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """Check a participant in (or undo it), then go back to the same search."""
    meeting = permissions.meeting_for(request.user, pk, permissions.can_check_in)
    registration = meeting.registrations.select_related("organisation").filter(pk=registration_pk).first()
    if registration is None:
        raise Http404
    form = CheckinActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something went wrong. Try again."))
        return redirect(_back(meeting.pk, request.POST.get("q", "")[:200]))
    query = form.cleaned_data["q"]
    undo = form.cleaned_data["action"] == "undo"
    who = f"{registration.display_attendee} ({registration.organisation.name})"
    try:
        services.checkin(actor=request.user, registration=registration, undo=undo)
    except services.BookingError as error:
        messages.error(request, str(error))
    else:
        if undo:
            messages.info(request, _("The check-in of %(who)s was undone.") % {"who": who})
        else:
            messages.success(request, _("%(who)s is checked in.") % {"who": who})
    return redirect(_back(meeting.pk, query, f"reg-{registration.pk}"))
