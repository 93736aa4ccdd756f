"""The coordinators' views: forming and editing networks, the overview of all networks, and
the budget (the year's pot and allocations)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum import permissions as forum_permissions
from forum.fields import PLAN_YEAR, parse_id
from forum.forms import add_service_error

from .. import permissions, selectors, services
from ..forms import AddIssuesForm, AllocationForm, NetworkEditForm, NetworkForm, PotForm
from ..models import Allocation, BudgetPot, NetworkIssue
from ._common import refused


@login_required
def network_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Form a network from issues of the priority list (or later issues)."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_form_network)
    form = NetworkForm(request.POST or None, forum=forum)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                network = services.network_form(
                    actor=request.user, forum=forum, title=data["title"], goal=data["goal"],
                    focus_area=data["focus_area"], issues=list(data["issues"]), status=data["status"],
                    visibility=data["visibility"], process_leaders=[(p, None) for p in data["process_leaders"]],
                )
            except services.NetworkError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The network was formed; those who raised or support its issues are "
                                            "told by email."))
                return redirect(network.get_absolute_url())
        return refused(request, "networks/network_form.html", {"forum": forum, "form": form})
    return render(request, "networks/network_form.html", {"forum": forum, "form": form})


def _edit_context(network, form=None, issues_form=None) -> dict:
    return {"network": network, "forum": network.forum, "form": form or NetworkEditForm(instance=network),
            "issues_form": issues_form or AddIssuesForm(network=network),
            "links": list(network.issue_links.select_related("issue"))}


@login_required
def network_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the network (``action=edit``), add issues (``add_issues``) or let one go
    (``release`` with ``issue``)."""
    network = permissions.network_for(request.user, pk, permissions.is_coordinator)
    if request.method != "POST":
        return render(request, "networks/network_edit.html", _edit_context(network))
    action = request.POST.get("action")
    if action == "edit":
        form = NetworkEditForm(request.POST, instance=network)
        if form.is_valid():
            try:
                services.network_update(actor=request.user, network=network, **{
                    name: form.cleaned_data[name] for name in ("title", "focus_area", "goal", "status", "visibility")})
            except services.NetworkError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The network was saved."))
                return redirect("networks:network_edit", pk=network.pk)
        network.refresh_from_db()
        return refused(request, "networks/network_edit.html", _edit_context(network, form=form))
    if action == "add_issues":
        issues_form = AddIssuesForm(request.POST, network=network)
        if issues_form.is_valid():
            try:
                services.network_add_issues(actor=request.user, network=network,
                                            issues=list(issues_form.cleaned_data["issues"]))
            except services.NetworkError as error:
                issues_form.add_error(None, str(error))
            else:
                messages.success(request, _("The issues were added; those who raised or support them are told by "
                                            "email."))
                return redirect("networks:network_edit", pk=network.pk)
        return refused(request, "networks/network_edit.html", _edit_context(network, issues_form=issues_form))
    if action == "release":
        issue_id = parse_id(request.POST.get("issue"))
        link = NetworkIssue.objects.filter(network=network, issue_id=issue_id).select_related("issue").first()
        if link is not None:
            try:
                services.network_release_issue(actor=request.user, network=network, issue=link.issue)
            except services.NetworkError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The network no longer drives the issue; it is a candidate again."))
                return redirect("networks:network_edit", pk=network.pk)
    return refused(request, "networks/network_edit.html", _edit_context(network))


def _year(request: HttpRequest) -> int:
    year = parse_id(request.GET.get("ar"))
    low, high = PLAN_YEAR
    return year if year and low <= year <= high else timezone.localdate().year


@require_safe
@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Every network of the forum: status, members, last update, money of the year, overdue."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_form_network)
    year = _year(request)
    rows = selectors.coordinator_overview(forum, year)
    overdue = selectors.mark_overdue(selectors.overdue_actions([row.network for row in rows])[:50])
    return render(request, "networks/overview.html", {"forum": forum, "rows": rows, "year": year,
                                                      "overdue": overdue})


def _budget_context(forum, year: int, pot_form=None, allocation_form=None) -> dict:
    pot = BudgetPot.objects.filter(forum=forum, year=year).first()
    allocations = list(Allocation.objects.filter(pot=pot).select_related("network", "created_by")) if pot else []
    allocated = sum((a.amount for a in allocations), start=services.budget.ZERO)
    return {
        "forum": forum, "year": year, "pot": pot, "allocations": allocations, "allocated": allocated,
        "left": (pot.amount - allocated) if pot else None, "rows": selectors.coordinator_overview(forum, year),
        "pot_form": pot_form or PotForm(initial={"year": year, "amount": pot.amount if pot else None}),
        "allocation_form": allocation_form or AllocationForm(forum=forum, initial={"year": year}),
    }


@login_required
def budget(request: HttpRequest, slug: str) -> HttpResponse:
    """The year's pot for network costs and its allocations to networks (``action=pot`` or
    ``allocate``)."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_form_network)
    year = _year(request)
    if request.method != "POST":
        return render(request, "networks/budget.html", _budget_context(forum, year))
    if request.POST.get("action") == "pot":
        form = PotForm(request.POST)
        if form.is_valid():
            try:
                services.pot_set(actor=request.user, forum=forum, **form.cleaned_data)
            except services.NetworkError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The pot was saved."))
                return redirect(f"{request.path}?ar={form.cleaned_data['year']}")
        return refused(request, "networks/budget.html", _budget_context(forum, year, pot_form=form))
    form = AllocationForm(request.POST, forum=forum)
    if form.is_valid():
        try:
            services.allocation_create(actor=request.user, **form.cleaned_data)
        except services.NetworkError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The money was allocated."))
            return redirect(f"{request.path}?ar={form.cleaned_data['year']}")
    return refused(request, "networks/budget.html", _budget_context(forum, year, allocation_form=form))
