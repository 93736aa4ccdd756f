"""The process leader's views: their dashboard, members, meetings, actions, progress updates,
outcomes of issues and expenses. Only a network's own process leaders change these (members
see meetings; coordinators see members, expenses and receipts)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum.fields import parse_id
from forum.forms import add_service_error

from .. import permissions, selectors, services
from ..forms import ActionForm, ExpenseForm, InviteForm, MeetingForm, MeetingRecordForm, OutcomeForm, UpdateForm
from ..models import Action, Expense, Membership, NetworkMeeting, Receipt
from ._common import refused, submit

FORM_PAGE = "networks/_form_page.html"


def _page(kind: str, network, form, **extra) -> dict:
    """The heading, introduction and button of a form page, in the request's language."""
    texts = {
        "meeting": (_("Plan a network meeting"), _("The network's members are invited by email with a calendar "
                                                    "file, and reminded a week and a day before."),
                    _("Plan the meeting")),
        "action": (_("New action"), "", _("Save the action")),
        "action_edit": (_("Change the action"), "", _("Save the action")),
        "update": (_("Write a progress update"),
                   _("The update is mailed to the network's members and shown on the network's public page.")
                   if network.is_public else _("The update is mailed to the network's members."),
                   _("Publish the update")),
        "outcome": (_("Record the outcome of an issue"),
                    _("The issue becomes resolved with the outcome as its answer."), _("Record the outcome")),
    }
    heading, intro, submit = texts[kind]
    return {"network": network, "forum": network.forum, "form": form, "heading": heading, "intro": intro,
            "submit": submit, **extra}


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """My networks: next meetings, overdue actions and requests to join, for a process leader."""
    return render(request, "networks/dashboard.html", {"board": selectors.leader_dashboard(request.user)})


# --- Members -----------------------------------------------------------------------------
def _running_network(request: HttpRequest, pk: int):
    """A network whose running ``request.user`` may see (its process leaders, the forum's
    coordinators); a change (POST) only by its process leaders: coordinators read."""
    network = permissions.network_for(request.user, pk, permissions.can_view_running)
    can_change = permissions.is_process_leader(request.user, network)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    return network, can_change


def _members_context(network, form=None, *, can_change: bool = True) -> dict:
    return {"network": network, "forum": network.forum, "history": selectors.membership_history(network),
            "requests": list(selectors.join_requests([network])), "form": form or InviteForm(),
            "can_change": can_change}


@login_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    """Members over the years, requests to join, and the invitation form (process leaders;
    coordinators see the page without the forms)."""
    network, can_change = _running_network(request, pk)
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                services.membership_invite(actor=request.user, network=network, **form.cleaned_data)
            except services.NetworkError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The invitation was sent by email."))
                return redirect("networks:members", pk=network.pk)
        return refused(request, "networks/members.html", _members_context(network, form))
    return render(request, "networks/members.html", _members_context(network, can_change=can_change))


def _membership_for(request: HttpRequest, pk: int) -> Membership:
    pk = parse_id(pk)
    membership = Membership.objects.select_related("network__forum").filter(pk=pk).first() if pk else None
    if membership is None or not permissions.can_view_network(request.user, membership.network):
        raise Http404
    if not permissions.is_process_leader(request.user, membership.network):
        raise PermissionDenied
    return membership


@login_required
@require_POST
def membership_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (``decision=approve``) or decline (``decline``) a request to join."""
    membership = _membership_for(request, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Choose to approve or decline."))
        return redirect("networks:members", pk=membership.network_id)
    try:
        services.membership_decide(actor=request.user, membership=membership, approve=decision == "approve")
    except services.NetworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The request was approved.") if decision == "approve"
                         else _("The request was declined."))
    return redirect("networks:members", pk=membership.network_id)


@login_required
@require_POST
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a member's period (or withdraw an invitation); the history keeps it."""
    membership = _membership_for(request, pk)
    try:
        services.membership_end(actor=request.user, membership=membership)
    except services.NetworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The membership has ended."))
    return redirect("networks:members", pk=membership.network_id)


# --- Meetings ----------------------------------------------------------------------------
@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    network = permissions.network_for(request.user, pk, permissions.is_process_leader)
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.meeting_create(actor=request.user, network=network, **form.cleaned_data)
            except services.NetworkError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The meeting was planned; the members were invited by email."))
                return redirect(meeting.get_absolute_url())
        return refused(request, FORM_PAGE, _page("meeting", network, form))
    return render(request, FORM_PAGE, _page("meeting", network, form))


def _meeting_for(request: HttpRequest, pk: int) -> NetworkMeeting:
    pk = parse_id(pk)
    meeting = (NetworkMeeting.objects.select_related("network__forum").filter(pk=pk).first() if pk else None)
    if meeting is None or not permissions.can_view_network(request.user, meeting.network):
        raise Http404
    if not permissions.can_view_members_content(request.user, meeting.network):
        raise PermissionDenied
    return meeting


def _meeting_context(request: HttpRequest, meeting: NetworkMeeting, form=None) -> dict:
    leader = permissions.is_process_leader(request.user, meeting.network)
    context = {"meeting": meeting, "network": meeting.network, "is_leader": leader,
               "attendance": list(meeting.attendance.select_related("membership").order_by("membership__name")),
               # The rule is services.meeting_cancel's: a meeting that has started is not cancelled.
               "can_cancel": leader and meeting.status == NetworkMeeting.Status.PLANNED
               and meeting.starts_at > timezone.now()}
    if leader and meeting.status != NetworkMeeting.Status.CANCELLED and meeting.starts_at <= timezone.now():
        context["form"] = form or MeetingRecordForm(meeting=meeting, initial={
            "notes": meeting.notes, "present": [a.membership_id for a in context["attendance"]]})
    return context


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A network meeting for members: agenda, venue or link; after it, attendance and notes
    (recorded here by a process leader)."""
    meeting = _meeting_for(request, pk)
    if request.method == "POST":
        if not permissions.is_process_leader(request.user, meeting.network):
            raise PermissionDenied
        if request.POST.get("action") == "cancel":
            try:
                services.meeting_cancel(actor=request.user, meeting=meeting)
            except services.NetworkError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The meeting was cancelled; the members were told by email."))
            return redirect(meeting.get_absolute_url())
        form = MeetingRecordForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                services.meeting_record(actor=request.user, meeting=meeting, notes=form.cleaned_data["notes"],
                                        present=form.cleaned_data["present"])
            except services.NetworkError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Attendance and notes were saved."))
                return redirect(meeting.get_absolute_url())
        return refused(request, "networks/meeting_detail.html", _meeting_context(request, meeting, form))
    return render(request, "networks/meeting_detail.html", _meeting_context(request, meeting))


@require_safe
@login_required
def meeting_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as an .ics file, for members."""
    meeting = _meeting_for(request, pk)
    from ..services.meetings import ICS_TYPE, meeting_ics

    response = HttpResponse(meeting_ics(meeting, cancelled=meeting.status == NetworkMeeting.Status.CANCELLED),
                            content_type=ICS_TYPE)
    response["Content-Disposition"] = 'attachment; filename="natverkstraff.ics"'
    return response


# --- Actions, updates, outcomes --------------------------------------------------------------
@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    network = permissions.network_for(request.user, pk, permissions.is_process_leader)
    form = ActionForm(request.POST or None, network=network)
    return submit(
        request, form, template=FORM_PAGE, context=_page("action", network, form),
        run=lambda data: services.action_create(actor=request.user, network=network, text=data["text"],
                                                owner=data["owner"], due_date=data["due_date"],
                                                issues=list(data["issues"])),
        success=_("The action was saved."), to=network.get_absolute_url() + "#actions",
    )


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pk = parse_id(pk)
    action = Action.objects.select_related("network__forum").filter(pk=pk).first() if pk else None
    if action is None:
        raise Http404
    network = permissions.network_for(request.user, action.network_id, permissions.is_process_leader)
    initial = {"text": action.text, "owner": action.owner_id, "due_date": action.due_date, "status": action.status,
               "issues": list(action.issues.values_list("pk", flat=True))}
    form = ActionForm(request.POST or None, network=network, owner=action.owner_id, initial=initial)
    return submit(
        request, form, template=FORM_PAGE, context=_page("action_edit", network, form, action=action),
        run=lambda data: services.action_update(actor=request.user, action=action, text=data["text"],
                                                status=data["status"], owner=data["owner"],
                                                due_date=data["due_date"], issues=list(data["issues"])),
        success=_("The action was saved."), to=network.get_absolute_url() + "#actions",
    )


@login_required
def update_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a progress update (mailed to the members; on the page of a public network)."""
    network = permissions.network_for(request.user, pk, permissions.is_process_leader)
    form = UpdateForm(request.POST or None)
    return submit(
        request, form, template=FORM_PAGE, context=_page("update", network, form),
        run=lambda data: services.update_publish(actor=request.user, network=network, **data),
        success=_("The update was published and mailed to the members."),
        to=network.get_absolute_url() + "#updates",
    )


@login_required
def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the outcome of an issue the network drives."""
    network = permissions.network_for(request.user, pk, permissions.is_process_leader)
    form = OutcomeForm(request.POST or None, network=network, initial={"issue": request.GET.get("issue")})
    return submit(
        request, form, template=FORM_PAGE, context=_page("outcome", network, form),
        run=lambda data: services.network_resolve_issue(actor=request.user, network=network, **data),
        success=_("The outcome was recorded; those who raised or support the issue are told by email."),
        to=network.get_absolute_url(),
    )


# --- Expenses ----------------------------------------------------------------------------
def _expenses_context(network, form=None, *, can_change: bool = True) -> dict:
    year = timezone.localdate().year
    return {"network": network, "forum": network.forum, "form": form or ExpenseForm(initial={
        "date": timezone.localdate()}), "expenses": list(selectors.network_expenses(network)),
        "money": services.money_left(network, year), "year": year, "can_change": can_change}


@login_required
def expenses(request: HttpRequest, pk: int) -> HttpResponse:
    """The network's money: what is left this year, expenses, and recording a new one
    (process leaders; coordinators see the page without the form)."""
    network, can_change = _running_network(request, pk)
    if request.method == "POST":
        form = ExpenseForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.expense_create(actor=request.user, network=network, **form.cleaned_data)
            except services.NetworkError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The expense was recorded."))
                return redirect("networks:expenses", pk=network.pk)
        return refused(request, "networks/expenses.html", _expenses_context(network, form))
    return render(request, "networks/expenses.html", _expenses_context(network, can_change=can_change))


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """An expense's receipt, for the network's process leaders and the forum's coordinators,
    as a download (never shown inline, never from MEDIA_URL)."""
    pk = parse_id(pk)
    expense = Expense.objects.select_related("network__forum").filter(pk=pk).first() if pk else None
    if expense is None:
        raise Http404
    permissions.network_for(request.user, expense.network_id, permissions.can_view_receipt)
    stored = Receipt.objects.filter(expense=expense).first()
    if stored is None:
        raise Http404
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    response["Content-Disposition"] = f'attachment; filename="kvitto-{expense.pk}{_extension(stored.content_type)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _extension(content_type: str) -> str:
    from ..receipts import EXTENSIONS

    return EXTENSIONS.get(content_type, "")
