"""Views of the forum-wide pages. Thin: permission check, form validation, one service call."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from issues import selectors as issue_selectors

from . import antispam, permissions, selectors, services
from .forms import AccessibilityReportForm, RoleGrantForm
from .models import ForumRole


def home(request: HttpRequest) -> HttpResponse:
    """The start page: every forum on the portal."""
    return render(request, "forum/home.html", {"forums": selectors.forum_list()})


def forum_detail(request: HttpRequest, slug: str) -> HttpResponse:
    forum = permissions.forum_for(request.user, slug, permissions.can_view_forum)
    return render(
        request,
        "forum/forum_detail.html",
        {
            "forum": forum,
            "focus_areas": forum.focus_areas.order_by("position"),
            "can_manage_roles": permissions.can_manage_roles(request.user, forum),
            "priority_list": list(issue_selectors.published_priority_list(forum)),
        },
    )


@login_required
def forum_roles(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators (and the portal administrator) grant roles in their forum."""
    forum = permissions.forum_for(request.user, slug, permissions.can_manage_roles)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(
                actor=request.user,
                forum=forum,
                user=form.user,
                role=form.cleaned_data["role"],
                partner_organisation=form.cleaned_data["partner_organisation"],
            )
        except services.RoleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The role was granted."))
            return redirect("forum_roles", slug=forum.slug)
    return render(
        request,
        "forum/forum_roles.html",
        {"forum": forum, "roles": selectors.forum_roles(forum), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def forum_role_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = permissions.forum_for(request.user, slug, permissions.can_manage_roles)
    forum_role = get_object_or_404(ForumRole, pk=pk, forum=forum)
    services.role_revoke(actor=request.user, forum_role=forum_role)
    messages.success(request, _("The role was removed."))
    return redirect("forum_roles", slug=forum.slug)


def accessibility(request: HttpRequest) -> HttpResponse:
    """Tillgänglighetsredogörelse, with a form to report a problem."""
    form = AccessibilityReportForm(
        request.POST if request.method == "POST" else None, initial={"page_url": request.GET.get("sida", "")}
    )
    # Anyone may send it and it mails a receipt: bot guard and rate limits (forum.antispam).
    if request.method == "POST" and antispam.form_accepted(request, form):
        services.accessibility_report_create(
            actor=request.user,
            description=form.cleaned_data["description"],
            page_url=form.cleaned_data["page_url"],
            email=form.cleaned_data["email"],
            language=get_language(),
        )
        messages.success(request, _("Thank you. Your report has been sent to us."))
        return redirect("accessibility")
    return render(request, "forum/accessibility.html", {"form": form}, status=form.status_code)
