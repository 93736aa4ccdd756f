"""Views of communication. Thin: permissions from :mod:`.permissions`, reads from
:mod:`.selectors`, writes through :mod:`.services`."""
from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from forum import antispam
from forum import permissions as forum_permissions
from forum.exports import csv_response
from forum.notifications import Kind
from forum.pagecache import public_page

from . import audiences, delivery, hooks, permissions, selectors, services
from .forms import (
    FollowForm,
    FollowUpForm,
    NewsletterForm,
    NewsletterScheduleForm,
    NewsletterTestForm,
    NewsPostForm,
    PreferencesForm,
    SurveyForm,
    SurveyQuestionsForm,
)
from .models import Follower, FollowUp, Newsletter, SurveyInvitation

PER_PAGE = 20
# Personal-link tokens are URL-safe base64 (secrets.token_urlsafe); anything else matches no row
# and must not reach the database (a NUL byte would be a database error, not a 404).
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _by_token(queryset, token: str):
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    found = queryset.filter(token=token).first()
    if found is None:
        raise Http404
    return found
UNDO_SALT = "communication.unsubscribe-undo"


def _status(*forms) -> int:
    return 400 if any(form is not None and form.errors for form in forms) else 200


# --- News -----------------------------------------------------------------------------------------
@public_page
def news_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The forum's news that the visitor may read, newest first (scheduled ones appear at their time)."""
    forum = forum_permissions.forum_for(request.user, slug, forum_permissions.can_view_forum)
    readable = permissions.readable_audiences(request.user, forum)
    page = Paginator(selectors.published_news(forum, readable), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "communication/news_list.html", {
        "forum": forum, "page": page, "can_communicate": permissions.can_communicate(request.user, forum)})


@public_page
def news_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    post = permissions.news_post_for(request.user, slug, pk)
    return render(request, "communication/news_detail.html", {
        "forum": post.forum, "post": post, "can_communicate": permissions.can_communicate(request.user, post.forum)})


@login_required
def news_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Every post, scheduled ones too, for communicators."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    page = Paginator(selectors.all_news(forum), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "communication/news_manage.html", {"forum": forum, "page": page, "now": timezone.now()})


@login_required
def news_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Write a post (``pk`` None) or change one; a preview of the Markdown when asked."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    post = get_object_or_404(forum.news_posts, pk=pk) if pk else None
    form = NewsPostForm(request.POST or None, instance=post)
    preview = None
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            from . import markup

            preview = markup.render(data["body"])
        else:
            try:
                post = services.news_save(actor=request.user, forum=forum, post=post, title=data["title"],
                                          body=data["body"], audience=data["audience"],
                                          publish_at=data["publish_at"], send_mail=data["send_mail"])
            except services.CommunicationError as exc:
                error = str(exc)
            else:
                if post.is_published:
                    messages.success(request, _("The post has been published."))
                else:
                    messages.success(request, _("The post will be published %(when)s.") % {
                        "when": timezone.localtime(post.publish_at).strftime("%Y-%m-%d %H:%M")})
                return redirect("communication:news_manage", forum.slug)
    return render(request, "communication/news_edit.html", {
        "forum": forum, "form": form, "post": post, "preview": preview, "error": error,
    }, status=400 if form.errors or error else 200)


@login_required
@require_POST
def news_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Delete a post; the button sends ``confirm`` (a bare POST to the address deletes nothing)."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    post = get_object_or_404(forum.news_posts, pk=pk)
    if request.POST.get("confirm") != "1":
        return redirect("communication:news_edit", forum.slug, post.pk)
    services.news_delete(actor=request.user, post=post)
    messages.success(request, _("The post has been deleted."))
    return redirect("communication:news_manage", forum.slug)


# --- Newsletters ------------------------------------------------------------------------------------
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
        "test_form": test_form or NewsletterTestForm(initial={"language": request.user.language}),
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
    services.newsletter_test_send(actor=request.user, newsletter=newsletter, language=form.cleaned_data["language"])
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


@login_required
def newsletter_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress of a send as JSON, polled by static/js/progress.js."""
    newsletter = permissions.newsletter_for(request.user, pk)
    status = selectors.newsletter_status(newsletter)
    return JsonResponse({"status": newsletter.status, "handled": status["handled"], "total": status["total"],
                         "percent": status["percent"], "sent": status["sent"], "failed": status["failed"],
                         "queued": status["queued"], "unknown": status["unknown"]})


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


# --- Followers --------------------------------------------------------------------------------------
def follow(request: HttpRequest, slug: str, network_id: int | None = None) -> HttpResponse:
    """Follow the forum, or one of its public networks, with an email address (double opt-in)."""
    forum = forum_permissions.forum_for(request.user, slug, forum_permissions.can_view_forum)
    network = None
    if network_id is not None:
        network = hooks.public_network(forum, network_id)
        if network is None:
            raise Http404
    form = FollowForm(request.POST or None)
    if request.method == "POST" and antispam.form_accepted(request, form):
        services.follow_request(actor=request.user, forum=forum, email=form.cleaned_data["email"],
                                language=get_language() or "sv", network_id=network_id,
                                network_title=network[0] if network else "")
        return render(request, "communication/follow_sent.html", {"forum": forum, "network": network})
    return render(request, "communication/follow.html", {"forum": forum, "form": form, "network": network},
                  status=form.status_code)


def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation mail: a button confirms (a link checker opening the page
    confirms nothing)."""
    follower = _by_token(Follower.objects.select_related("forum"), token)
    if request.method == "POST":
        if request.POST.get("action") == "end":
            services.follow_end(follower=follower)
            return render(request, "communication/follow_done.html", {"forum": follower.forum, "ended": True})
        follower = services.follow_confirm(follower=follower)
    network = hooks.public_network(follower.forum, follower.network_id) if follower.network_id else None
    return render(request, "communication/follow_confirm.html",
                  {"forum": follower.forum, "follower": follower, "network": network})


# --- Preferences and unsubscribe ------------------------------------------------------------------
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The person's choices per kind of mail (also shown on "My details")."""
    current = services.preferences_of(request.user.email)
    form = PreferencesForm(request.POST or None, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(actor=request.user, email=request.user.email, choices=form.cleaned_data)
        messages.success(request, _("Your email choices have been saved."))
        return redirect(reverse("accounts:profile") + "#notifications")
    return render(request, "communication/preferences.html", {"form": form}, status=_status(form))


def preferences_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same choices from the personal link in a mail, without logging in (followers have
    no account): the signed token names the address."""
    data = delivery.read_unsubscribe_token(token)
    if data is None:
        return render(request, "communication/unsubscribe_invalid.html", status=400)
    email = data[0]
    form = PreferencesForm(request.POST or None, initial_choices=services.preferences_of(email))
    if request.method == "POST" and form.is_valid():
        services.preferences_set(actor=request.user, email=email, choices=form.cleaned_data)
        messages.success(request, _("Your email choices have been saved."))
        return redirect("communication:preferences_token", token)
    return render(request, "communication/preferences.html", {"form": form, "email": email, "token": token},
                  status=_status(form))


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" without a session
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off at once, without log-in, what the signed link names; say what and offer undo.
    A POST is the one-click unsubscribe of RFC 8058 (answered with the same page)."""
    data = delivery.read_unsubscribe_token(token)
    if data is None:
        return render(request, "communication/unsubscribe_invalid.html", status=400)
    email, kinds = data
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    previous = services.preferences_of(email)
    services.unsubscribe(email=email, kinds=kinds)
    undo = signing.dumps({"e": email, "p": {k: previous[k] for k in kinds if k in previous}}, salt=UNDO_SALT)
    return render(request, "communication/unsubscribed.html", {
        "email": email, "kinds": [Kind(k).label for k in kinds if k in Kind.values], "undo_token": undo,
    })


@require_POST
def unsubscribe_undo(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("token", ""), salt=UNDO_SALT, max_age=30 * 24 * 3600)
        email, previous = data["e"], {k: v for k, v in data["p"].items() if k in Kind.values}
    except (signing.BadSignature, KeyError, TypeError, AttributeError):
        return render(request, "communication/unsubscribe_invalid.html", status=400)
    services.preferences_set(actor=request.user, email=email, choices=previous)
    return render(request, "communication/unsubscribe_undone.html", {"email": email})


# --- Follow-up and survey --------------------------------------------------------------------------
@login_required
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The documentation of a meeting: write it, edit the survey's questions, publish both."""
    meeting = permissions.meeting_for(request.user, pk)
    follow_up = FollowUp.objects.filter(meeting=meeting).first()
    form = FollowUpForm(request.POST or None, initial={"summary": getattr(follow_up, "summary", ""),
                                                      "links": getattr(follow_up, "links", "")})
    if request.method == "POST" and form.is_valid():
        if follow_up is not None and follow_up.published_at:
            messages.info(request, _("The documentation has already been sent; changes show on its page."))
        services.follow_up_save(actor=request.user, meeting=meeting, summary=form.cleaned_data["summary"],
                                links=form.cleaned_data["links"])
        messages.success(request, _("The documentation has been saved."))
        return redirect("communication:follow_up", meeting.pk)
    questions = list(follow_up.questions.all()) if follow_up else []
    return render(request, "communication/follow_up_edit.html", {
        "forum": meeting.forum, "meeting": meeting, "follow_up": follow_up, "form": form, "questions": questions,
        "issues": services._meeting_issues(meeting),
    }, status=_status(form))


@login_required
def survey_questions(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.meeting_for(request.user, pk)
    follow_up = get_object_or_404(FollowUp, meeting=meeting)
    form = SurveyQuestionsForm(request.POST or None, questions=list(follow_up.questions.all()))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_questions_save(actor=request.user, follow_up=follow_up, questions=form.questions)
        except services.CommunicationError as exc:
            error = str(exc)
        else:
            messages.success(request, _("The questions have been saved."))
            return redirect("communication:follow_up", meeting.pk)
    return render(request, "communication/survey_questions.html", {
        "forum": meeting.forum, "meeting": meeting, "form": form, "error": error,
        "rows": [(form[f"text_{n}"], form[f"kind_{n}"]) for n in range(1, 9)],
    }, status=400 if form.errors or error else 200)


@login_required
@require_POST
def follow_up_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.meeting_for(request.user, pk)
    follow_up = get_object_or_404(FollowUp, meeting=meeting)
    try:
        count = services.follow_up_publish(actor=request.user, follow_up=follow_up)
    except services.CommunicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The documentation and the survey have been sent to %(count)s participants.")
                         % {"count": count})
    return redirect("communication:follow_up", meeting.pk)


@public_page
def follow_up_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting's published documentation: the summary, files and links, and its issues with their status."""
    follow_up = (FollowUp.objects.select_related("meeting__forum").filter(meeting_id=pk, published_at__isnull=False)
                 .first())
    if follow_up is None:
        raise Http404
    return render(request, "communication/follow_up_public.html", {
        "forum": follow_up.meeting.forum, "meeting": follow_up.meeting, "follow_up": follow_up,
        "issues": services._meeting_issues(follow_up.meeting)})


@login_required
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.meeting_for(request.user, pk, permissions.can_view_survey_results)
    follow_up = get_object_or_404(FollowUp, meeting=meeting)
    return render(request, "communication/survey_results.html", {
        "forum": meeting.forum, "meeting": meeting, "results": selectors.survey_results(follow_up),
        # Free text may name people: researchers, who never see names, get the figures only.
        "show_texts": permissions.can_follow_up(request.user, meeting.forum)})


@login_required
def survey_overview(request: HttpRequest, slug: str) -> HttpResponse:
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_view_survey_results)
    return render(request, "communication/survey_overview.html",
                  {"forum": forum, "overview": selectors.survey_over_time(forum)})


@login_required
def survey_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The forum's survey figures as CSV (coordinators and researchers; no names, no free text,
    groups under 5 left empty)."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_view_survey_results)
    header = [_("Meeting"), _("Date"), _("Key"), _("Question"), _("Answers"), _("Average"),
              *[str(score) for score in range(1, 6)]]
    return csv_response(filename=f"enkater-{forum.slug}", header=header, rows=selectors.survey_export_rows(forum))


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """A participant answers the survey from the personal link (no log-in)."""
    invitation = _by_token(SurveyInvitation.objects.select_related("follow_up__meeting__forum"), token)
    follow_up = invitation.follow_up
    context = {"forum": follow_up.meeting.forum, "meeting": follow_up.meeting, "follow_up": follow_up}
    if invitation.answered:
        return render(request, "communication/survey_done.html", context)
    if follow_up.survey_closes_at and follow_up.survey_closes_at <= timezone.now():
        return render(request, "communication/survey_done.html", {**context, "closed": True})
    form = SurveyForm(request.POST or None, questions=list(follow_up.questions.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(invitation=invitation, answers=form.answers())
        except services.CommunicationError:
            pass  # answered in another tab meanwhile: the same thank-you page
        return render(request, "communication/survey_done.html", {**context, "thanks": True})
    return render(request, "communication/survey.html", {**context, "form": form}, status=_status(form))
