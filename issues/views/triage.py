"""Views: triage (the coordinators' queue and issue page, merging, status changes) and the
public issues page of a forum with each issue's public page.

Views stay thin: permissions from :mod:`issues.permissions`, reads from
:mod:`issues.selectors`, writes through :mod:`issues.services`.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum import permissions as forum_permissions
from forum.forms import add_service_error
from forum.pagecache import public_page

from .. import permissions, selectors, services, timeline
from ..forms import (
    IssueEditForm,
    IssueMergeForm,
    IssueStatusForm,
    MergeSearchForm,
    PublicIssueFilterForm,
    TriageFilterForm,
)
from ..models import Issue

PER_PAGE = 50


def _page(request: HttpRequest, queryset):
    """One page of a list: a count query and a page query, whatever the number of rows."""
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- The coordinators' queue -------------------------------------------------------------
@require_safe
@login_required
def triage_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Every issue of the forum with filters: meeting, focus area, status, overdue, text."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_triage)
    form = TriageFilterForm(request.GET or None, forum=forum)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    issues = selectors.triage_queue(
        forum, meeting=filters.get("meeting"), focus_area=filters.get("focus_area"), status=filters.get("status", ""),
        overdue=filters.get("overdue", False), q=filters.get("q", ""), include_merged=filters.get("merged", False),
    )
    return render(request, "issues/triage/queue.html", {
        "forum": forum, "form": form, "page": _page(request, issues), "query": _query_without_page(request),
    }, status=400 if form.errors else 200)


# --- One issue, for staff ----------------------------------------------------------------
def _manage_context(request: HttpRequest, issue: Issue, *, edit_form=None, status_form=None, merge_form=None) -> dict:
    can_triage = permissions.can_triage(request.user, issue.forum)
    can_edit = permissions.can_edit(request.user, issue)
    merged = issue.status == Issue.Status.MERGED
    people = selectors.forum_people(issue.forum)
    context = {
        "issue": issue, "forum": issue.forum, "can_triage": can_triage, "can_edit": can_edit and not merged,
        "history": selectors.issue_history(issue),
        "support_count": issue.supports.count(),
        "merged_issues": selectors.merged_into_issue(issue),
    }
    if can_edit and not merged:
        context["edit_form"] = edit_form or IssueEditForm(forum=issue.forum, initial={
            "text": issue.text, "focus_area": issue.focus_area_id, "side": issue.side, "anonymous": issue.anonymous,
        })
    if can_triage and not merged:
        context["status_form"] = status_form or IssueStatusForm(people=people, initial={
            "status": issue.status, "department": issue.department_id, "responsible": issue.responsible_id,
            "due_date": issue.due_date, "answer": issue.answer,
        })
        q = MergeSearchForm(request.GET).query()
        context["merge_q"] = q
        context["merge_candidates"] = selectors.merge_candidates(issue, q)
        context["merge_form"] = merge_form or IssueMergeForm(issue=issue)
    return context


@login_required
def issue_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff page of an issue: who raised it, its history, and the edit, status and merge
    forms. Editing needs ``can_edit``; status and merging need ``can_triage``."""
    issue = permissions.issue_for(request.user, pk, permissions.can_edit)
    issue = Issue.objects.select_related(
        "forum", "meeting", "focus_area", "raised_by", "raised_by_registration", "organisation", "keyed_in_by",
        "department", "responsible", "merged_into",
    ).get(pk=issue.pk)
    if request.method != "POST":
        return render(request, "issues/triage/issue.html", _manage_context(request, issue))

    action = request.POST.get("action")
    if issue.status == Issue.Status.MERGED:
        messages.error(request, _("The issue has been merged; change the issue it was merged into."))
        return redirect("issues:issue_manage", pk=issue.pk)
    if action == "edit":
        form = IssueEditForm(request.POST, forum=issue.forum)
        if form.is_valid():
            try:
                services.issue_edit(actor=request.user, issue=issue, **form.cleaned_data)
            except services.IssueError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The issue was saved."))
                return redirect("issues:issue_manage", pk=issue.pk)
        return render(request, "issues/triage/issue.html", _manage_context(request, issue, edit_form=form), status=400)

    if not permissions.can_triage(request.user, issue.forum):
        raise PermissionDenied
    if action == "status":
        form = IssueStatusForm(request.POST, people=selectors.forum_people(issue.forum))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.issue_set_status(
                    actor=request.user, issue=issue, status=data["status"], department=data["department"],
                    responsible=data["responsible"], due_date=data["due_date"], answer=data["answer"],
                )
            except services.IssueError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The status was changed; those who raised or support the issue are told "
                                            "by email."))
                return redirect("issues:issue_manage", pk=issue.pk)
        return render(request, "issues/triage/issue.html", _manage_context(request, issue, status_form=form),
                      status=400)
    if action == "merge":
        form = IssueMergeForm(request.POST, issue=issue)
        if form.is_valid():
            try:
                services.issue_merge(actor=request.user, survivor=issue, duplicates=form.cleaned_data["duplicates"])
            except services.IssueError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The issues were merged into this one."))
                return redirect("issues:issue_manage", pk=issue.pk)
        return render(request, "issues/triage/issue.html", _manage_context(request, issue, merge_form=form),
                      status=400)
    return render(request, "issues/triage/issue.html", _manage_context(request, issue), status=400)


# --- The public pages --------------------------------------------------------------------
def _mark_visible_survivors(user, issues) -> None:
    """Set ``survivor_visible`` on each issue: whether the issue it was merged into may be
    shown to ``user`` (one of a meeting set back to draft is not named, nor linked)."""
    for issue in issues:
        issue.survivor_visible = bool(issue.merged_into_id) and permissions.can_view_issue(user, issue.merged_into)


@public_page
def public_issues(request: HttpRequest, slug: str) -> HttpResponse:
    """Every issue of the forum and what became of it, filterable; no names of people, and
    no organisation of an issue raised anonymously."""
    forum = forum_permissions.forum_for(request.user, slug, forum_permissions.can_view_forum)
    form = PublicIssueFilterForm(request.GET or None, forum=forum)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    issues = selectors.public_issues(
        forum, meeting=filters.get("meeting"), focus_area=filters.get("focus_area"), status=filters.get("status", ""),
        side=filters.get("side", ""),
    )
    page = _page(request, issues)
    _mark_visible_survivors(request.user, page)
    return render(request, "issues/triage/public_list.html", {
        "forum": forum, "form": form, "page": page, "query": _query_without_page(request),
        "can_triage": permissions.can_triage(request.user, forum),
    }, status=400 if form.errors else 200)


@public_page
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page of one issue, with the public part of its history."""
    issue = selectors.public_issue(pk)
    if issue is None or not permissions.can_view_issue(request.user, issue):
        raise Http404
    history = selectors.public_issue_history(issue)
    _mark_visible_survivors(request.user, [issue])
    return render(request, "issues/triage/public_detail.html", {
        "issue": issue, "forum": issue.forum, "history": history,
        "timeline": timeline.timeline(issue, request.user, history),
        "merged_issues": selectors.merged_into_issue(issue),
        "can_manage": permissions.can_edit(request.user, issue),
    })
