"""Views of the forum-wide pages. Thin: permission check, form validation, one service call."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST, require_safe

from . import antispam, branding, permissions, selectors, services
from .forms import AccessibilityReportForm, RoleGrantForm
from .models import ForumRole
from .pagecache import public_page
from .sections import registry


@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what the portal is for, what is happening now (the sections the apps
    register in forum/sections.py) and every forum. Public; a fixed number of queries."""
    forums = list(selectors.forum_list())
    return render(
        request, "forum/home.html", {"forums": forums, "sections": registry.home_sections(request, forums)}
    )


@public_page
def forum_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A forum's page: what the forum is, the apps' sections (coming meetings, the priority
    list…) and the links the visitor may use. Public; a fixed number of queries."""
    forum = permissions.forum_for(request.user, slug, permissions.can_view_forum)
    links = registry.forum_links(request.user, forum)
    return render(
        request,
        "forum/forum_detail.html",
        {
            "forum": forum,
            "focus_areas": forum.focus_areas.order_by("position"),
            "sections": registry.forum_sections(request, forum),
            "public_links": [link for link in links if link.is_public],
            "work_links": [link for link in links if not link.is_public],
        },
    )


@require_safe
def forum_work(request: HttpRequest, slug: str) -> HttpResponse:
    """The coordinators' to-do page of a forum: what needs them now, gathered from the apps'
    work sections (nominations, invitations and offers, overdue quick fixes, votes) and the
    mail the outbox gave up on. Coordinators of the forum (and the administrator) only; a
    fixed number of queries. No side effects."""
    forum = permissions.forum_for(request.user, slug, permissions.can_manage_forum)
    mail = selectors.mail_needing_a_person(forum)
    outbox = reverse("admin:forum_outboxmessage_changelist")
    return render(request, "forum/work.html", {
        "forum": forum,
        "sections": registry.work_sections(request, forum),
        "failed_mail": mail["failed"],
        "failed_mail_url": f"{outbox}?status__exact=failed&forum__id__exact={forum.pk}",
        "interrupted_mail": mail["interrupted"],
        "interrupted_mail_url": f"{outbox}?status__exact=interrupted&forum__id__exact={forum.pk}",
    })


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def brand_css(request: HttpRequest) -> HttpResponse:
    """The city's colour as CSS variables (``FORUM_BRAND_COLOUR``), linked from base.html: a
    file rather than inline style, which the Content-Security-Policy forbids. 404 when the
    portal keeps its own colour. Public, no side effects; the link's query string changes
    with the colour, so a day's caching never shows an old one."""
    if not settings.FORUM_BRAND_COLOUR:
        raise Http404
    return HttpResponse(branding.stylesheet(settings.FORUM_BRAND_COLOUR), content_type="text/css; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid security token (the page was open too
    long, the person logged out in another tab, cookies are blocked). Our page, in the user's
    language and under the Content-Security-Policy, instead of Django's with inline style.
    Status 403; no side effects (Django's CSRF middleware has logged the reason)."""
    return render(request, "403_csrf.html", status=403)


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
            return redirect("forum:forum_roles", slug=forum.slug)
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
    return redirect("forum:forum_roles", slug=forum.slug)


# The statement's dates, which Digg's model statement asks for: when it was made, and when it
# was last reviewed – change ACCESSIBILITY_STATEMENT_UPDATED with the known problems or the testing.
ACCESSIBILITY_STATEMENT_MADE = dt.date(2026, 11, 23)
ACCESSIBILITY_STATEMENT_UPDATED = dt.date(2026, 11, 30)


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
        return redirect("forum:accessibility")
    return render(request, "forum/accessibility.html", {
        "form": form, "organiser": ", ".join(selectors.portal_organisers()),
        "statement_made": ACCESSIBILITY_STATEMENT_MADE, "statement_updated": ACCESSIBILITY_STATEMENT_UPDATED,
        "contact_email": settings.FORUM_ACCESSIBILITY_EMAIL,
    }, status=form.status_code)
