"""Views: capture – participants raise and support issues from their phones during the
meeting (logged in, or by the personal link of their invitation), facilitators key in
issues from table notes, and the room screen shows the incoming issues on the projector.

Thin: permission check (issues.permissions), form validation, one service call. Bad input
is a 400 with the form re-rendered and nothing typed lost.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from events import permissions as event_permissions
from events.models import Meeting, Registration

from .. import permissions, selectors, services
from ..forms import IssueKeyInForm, IssueRaiseForm, IssueSupportForm

# The room screen shows this many of the newest issues: more would not fit on a projector.
SCREEN_LIMIT = 60
# How often the room screen asks for new issues (milliseconds, used by the inline script).
SCREEN_POLL_MS = 5000


def _visible_meeting(user: Any, pk: int) -> Meeting:
    """A meeting the user may see; a draft is a 404 for others so it is not revealed."""
    try:
        return event_permissions.meeting_for(user, pk, event_permissions.can_view_meeting)
    except PermissionDenied:
        raise Http404 from None


def _raiser_label(issue) -> str:
    """Who raised the issue, as others may see it: the organisation, never a person, and
    nothing at all for those who asked to be anonymous."""
    if issue.anonymous:
        return _("Anonymous")
    return issue.organisation.name if issue.organisation_id else ""


def _support_label(count: int) -> str:
    return ngettext("%(count)d person supports this", "%(count)d people support this", count) % {"count": count}


# --- The participant page ---------------------------------------------------------------
@login_required
def participant(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's issues for a logged-in confirmed participant."""
    meeting = _visible_meeting(request.user, pk)
    registration = permissions.participant_registration(request.user, meeting)
    return _participant_page(request, meeting, registration, url=reverse("issues:capture", args=[meeting.pk]),
                             token=None, person=request.user)


def participant_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same page from the personal link of the invitation, without logging in."""
    registration = event_permissions.registration_for_token(token)
    return _participant_page(request, registration.meeting, registration,
                             url=reverse("issues:capture_token", args=[token]), token=token,
                             person=registration.attendee)


def _participant_page(request: HttpRequest, meeting: Meeting, registration: Registration | None, *, url: str,
                      token: str | None, person: Any) -> HttpResponse:
    """Raise an issue (``action=raise``) or support one (``action=support``), and see the
    meeting's issues. Only while :func:`issues.permissions.can_raise`."""
    can_raise = permissions.can_raise(meeting, registration)
    # Someone confirmed for this meeting may still read the list once capture has closed.
    is_participant = (registration is not None and registration.meeting_id == meeting.pk
                      and registration.status == Registration.Status.CONFIRMED)
    # Support is tied to the attendee's account when there is one (``person``: the logged-in
    # attendee, or the attendee behind the link), so both ways count as the same person.
    person = person if is_participant else None
    action = request.POST.get("action", "raise") if request.method == "POST" else ""
    form = IssueRaiseForm(
        request.POST if action == "raise" else None, forum=meeting.forum,
        initial={"side": services.side_of(registration)} if is_participant else None,
    )
    status = 200 if is_participant else 403
    error = ""
    if request.method == "POST":
        if not can_raise:
            status = 403
            error = _("Issues cannot be raised or supported here now.")
        elif action == "support":
            return _support(request, meeting, registration, person, url)
        elif form.is_valid():
            try:
                services.issue_create(
                    actor=None if token else request.user, meeting=meeting, registration=registration,
                    text=form.cleaned_data["text"], side=form.cleaned_data["side"],
                    focus_area=form.cleaned_data["focus_area"], anonymous=form.cleaned_data["anonymous"],
                )
            except services.IssueError as issue_error:
                form.add_error(None, str(issue_error))
                status = 400
            else:
                messages.success(request, _("Thank you! Your issue has been raised."))
                return redirect(url + "#issues")
        else:
            status = 400
    issues = list(selectors.issues_for_meeting(meeting)) if is_participant else []
    supported = (selectors.supported_issue_ids(meeting, person=person, registration=registration)
                 if is_participant else set())
    rows = [
        {"issue": issue, "raiser": _raiser_label(issue), "supported": issue.pk in supported,
         "own": issue.raised_by_registration_id == registration.pk if registration else False,
         "support_label": _support_label(issue.support_count)}
        for issue in issues
    ]
    return render(request, "issues/capture/participant.html", {
        "meeting": meeting, "registration": registration, "form": form, "rows": rows, "can_raise": can_raise,
        "is_participant": is_participant, "capture_open": permissions.capture_is_open(meeting),
        "error": error, "url": url, "token": token,
    }, status=status)


def _support(request: HttpRequest, meeting: Meeting, registration: Registration, person, url: str) -> HttpResponse:
    form = IssueSupportForm(request.POST)
    issue = selectors.meeting_issue(meeting, form.cleaned_data["issue"]) if form.is_valid() else None
    if issue is None:
        raise Http404
    try:
        created = services.issue_support(issue=issue, person=person, registration=registration)
    except services.IssueError as issue_error:
        messages.error(request, str(issue_error))
        return redirect(url + "#issues")
    if created:
        messages.success(request, _("Thank you – your support has been counted."))
    else:
        messages.info(request, _("You already support this issue."))
    target = issue.merged_into_id or issue.pk
    return redirect(f"{url}#issue-{target}")


# --- Key-in by facilitators -------------------------------------------------------------
@login_required
def key_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Key in issues from table notes, several in a row: after each one the page comes back
    with the same focus area and side chosen and the cursor in the text field."""
    meeting = event_permissions.meeting_for(request.user, pk, permissions.can_key_in)
    organisations = selectors.confirmed_organisations(meeting)
    capture_open = permissions.capture_is_open(meeting)
    initial = {"side": request.GET.get("side", ""), "focus_area": request.GET.get("focus_area", "")}
    form = IssueKeyInForm(request.POST or None, forum=meeting.forum, organisations=organisations, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if not capture_open:
            status = 403
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.issue_create(
                    actor=request.user, meeting=meeting, text=data["text"], side=data["side"],
                    focus_area=data["focus_area"], anonymous=data["anonymous"], organisation=data["organisation"],
                    keyed_in=True,
                )
            except services.IssueError as issue_error:
                form.add_error(None, str(issue_error))
            else:
                messages.success(request, _("The issue has been saved. Key in the next one."))
                keep = urlencode({"focus_area": data["focus_area"].pk, "side": data["side"]})
                return redirect(reverse("issues:key_in", args=[meeting.pk]) + "?" + keep)
    return render(request, "issues/capture/key_in.html", {
        "meeting": meeting, "form": form, "capture_open": capture_open,
        "recent": list(selectors.issues_keyed_in(meeting, 10)),
    }, status=status)


# --- The room screen --------------------------------------------------------------------
def _screen_rows(meeting: Meeting) -> list[dict[str, Any]]:
    """What the projector shows: text, focus area, side, support – and the organisation only
    for issues not raised anonymously. Never a person's name or address."""
    return [
        {
            "id": issue.pk,
            "text": issue.text,
            "focus_area": issue.focus_area.name if issue.focus_area_id else "",
            "side": issue.get_side_display(),
            "organisation": "" if issue.anonymous else (issue.organisation.name if issue.organisation_id else ""),
            "support_count": issue.support_count,
            "support_label": _support_label(issue.support_count),
        }
        for issue in selectors.issues_for_meeting(meeting)[:SCREEN_LIMIT]
    ]


def _screen_payload(meeting: Meeting) -> dict[str, Any]:
    rows = _screen_rows(meeting)
    return {
        "issues": rows,
        "count_label": ngettext("%(count)d issue", "%(count)d issues", len(rows)) % {"count": len(rows)},
    }


@require_safe
@login_required
@never_cache
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The room screen for the projector: large text, newest first, refreshing by itself."""
    meeting = event_permissions.meeting_for(request.user, pk, permissions.can_key_in)
    payload = _screen_payload(meeting)
    return render(request, "issues/capture/screen.html", {
        "meeting": meeting, "payload": payload, "rows": payload["issues"], "poll_ms": SCREEN_POLL_MS,
    })


@login_required
@never_cache
@require_GET
def screen_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The room screen's list as JSON, polled by its inline script."""
    meeting = event_permissions.meeting_for(request.user, pk, permissions.can_key_in)
    return JsonResponse(_screen_payload(meeting))
