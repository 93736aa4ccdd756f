"""Newsletter pages: compose, preview, test, schedule, progress, retry and the web version."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum import permissions as forum_permissions

from .. import audiences, permissions, selectors, services
from ..forms import (
    NewsletterForm,
    NewsletterScheduleForm,
    NewsletterTestForm,
)
from ..models import Newsletter
from .common import PER_PAGE, _status


# --- Newsletters ------------------------------------------------------------------------------------
@require_safe
@login_required
def newsletter_list(request: HttpRequest, slug: str) -> HttpResponse:
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    page = Paginator(selectors.newsletters(forum), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "communication/newsletter_list.html", {"forum": forum, "page": page})


@login_required
def newsletter_edit(request: HttpRequest, slug: str | None = None, pk: int | None = None) -> HttpResponse:
    """Compose a newsletter (``slug``) or change a draft (``pk``)."""
    if pk:
        newsletter = permissions.newsletter_for(request.user, pk)
        forum = newsletter.forum
        if not newsletter.is_editable:
            messages.info(request, _("The newsletter has been sent; its content can no longer change."))
            return redirect(newsletter)
    else:
        newsletter = None
        forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    form = NewsletterForm(request.POST or None, instance=newsletter, forum=forum)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.NEWSLETTER_FIELDS}
        newsletter = services.newsletter_save(actor=request.user, forum=forum, newsletter=newsletter, **fields)
        messages.success(request, _("The newsletter has been saved. Check the preview and who it reaches before you "
                                    "send it."))
        return redirect(newsletter)
    return render(request, "communication/newsletter_edit.html",
                  {"forum": forum, "form": form, "newsletter": newsletter}, status=_status(form))


@require_safe
@login_required
def newsletter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview in both languages, who it reaches, test, send or schedule; progress and mail status."""
    newsletter = permissions.newsletter_for(request.user, pk)
    return _newsletter_page(request, newsletter)


def _newsletter_page(request: HttpRequest, newsletter: Newsletter, *, schedule_form=None, test_form=None,
                     error: str = "") -> HttpResponse:
    forum = newsletter.forum
    editable = newsletter.is_editable
    context = {
        "forum": forum, "newsletter": newsletter, "error": error,
        "audience_labels": audiences.labels(forum, newsletter.audiences),
        "reach": selectors.reach(forum, newsletter.audiences) if editable else None,
        "status": None if editable else selectors.newsletter_status(newsletter),
        "previews": [("sv", services.newsletter_context(newsletter, "sv"))]
        + ([("en", services.newsletter_context(newsletter, "en"))] if newsletter.has_english() else []),
        "schedule_form": schedule_form or NewsletterScheduleForm(),
        # English only where there is an English version to test.
        "test_form": test_form or NewsletterTestForm(
            initial={"language": request.user.language if newsletter.has_english() else "sv"}),
    }
    return render(request, "communication/newsletter_detail.html", context,
                  status=_status(schedule_form, test_form) if not error else 400)


@login_required
@require_POST
def newsletter_test(request: HttpRequest, pk: int) -> HttpResponse:
    newsletter = permissions.newsletter_for(request.user, pk)
    form = NewsletterTestForm(request.POST)
    if not form.is_valid():
        return _newsletter_page(request, newsletter, test_form=form)
    try:
        services.newsletter_test_send(actor=request.user, newsletter=newsletter,
                                      language=form.cleaned_data["language"])
    except services.CommunicationError as exc:
        form.add_error("language", str(exc))
        return _newsletter_page(request, newsletter, test_form=form)
    messages.success(request, _("A test has been sent to %(email)s.") % {"email": request.user.email})
    return redirect(newsletter)


@login_required
@require_POST
def newsletter_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    newsletter = permissions.newsletter_for(request.user, pk)
    form = NewsletterScheduleForm(request.POST)
    if not form.is_valid():
        return _newsletter_page(request, newsletter, schedule_form=form)
    later = form.cleaned_data["when"] == "later"
    try:
        newsletter = services.newsletter_schedule(actor=request.user, newsletter=newsletter,
                                                  send_at=form.cleaned_data["send_at"] if later else None)
    except services.CommunicationError as exc:
        return _newsletter_page(request, newsletter, schedule_form=form, error=str(exc))
    if later:
        messages.success(request, _("The newsletter will be sent %(when)s.") % {
            "when": timezone.localtime(newsletter.send_at).strftime("%Y-%m-%d %H:%M")})
    else:
        messages.success(request, _("Sending has started. You can follow it on this page."))
    return redirect(newsletter)


@login_required
@require_POST
def newsletter_unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    newsletter = permissions.newsletter_for(request.user, pk)
    try:
        services.newsletter_unschedule(actor=request.user, newsletter=newsletter)
    except services.CommunicationError as exc:
        return _newsletter_page(request, newsletter, error=str(exc))
    messages.success(request, _("The newsletter will not be sent; it is a draft again."))
    return redirect(newsletter)


@login_required
@require_POST
def newsletter_retry(request: HttpRequest, pk: int) -> HttpResponse:
    newsletter = permissions.newsletter_for(request.user, pk)
    count = services.newsletter_retry_failed(actor=request.user, newsletter=newsletter)
    messages.success(request, _("%(count)s failed emails have been put back in the queue.") % {"count": count})
    return redirect(newsletter)


@require_safe
@login_required
def newsletter_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress of a send as JSON, polled by static/js/progress.js."""
    newsletter = permissions.newsletter_for(request.user, pk)
    status = selectors.newsletter_status(newsletter)
    return JsonResponse({"status": newsletter.status, "running": newsletter.status == Newsletter.Status.SENDING,
                         "handled": status["handled"], "total": status["total"],
                         "percent": status["percent"], "sent": status["sent"], "failed": status["failed"],
                         "queued": status["queued"], "unknown": status["unknown"]})


@require_safe
def newsletter_web(request: HttpRequest, public_id) -> HttpResponse:
    """The web version of a sent newsletter: whoever has the link, as with the mail."""
    newsletter = Newsletter.objects.select_related("forum").filter(public_id=public_id).exclude(
        status__in=[Newsletter.Status.DRAFT, Newsletter.Status.SCHEDULED, Newsletter.Status.CANCELLED]).first()
    if newsletter is None:
        raise Http404
    content = services.newsletter_context(newsletter, get_language() or "sv")
    response = render(request, "communication/newsletter_web.html",
                      {"forum": newsletter.forum, "newsletter": newsletter, "content": content})
    response["X-Robots-Tag"] = "noindex"
    return response
