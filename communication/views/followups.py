"""A meeting's follow-up: documentation, survey questions, publishing, answering and results."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum import permissions as forum_permissions
from forum.exports import csv_response
from forum.pagecache import public_page

from .. import permissions, selectors, services
from ..forms import (
    FollowUpForm,
    SurveyForm,
    SurveyQuestionsForm,
)
from ..models import FollowUp, SurveyInvitation
from .common import _by_token, _status


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


@require_safe
@login_required
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.meeting_for(request.user, pk, permissions.can_view_survey_results)
    follow_up = get_object_or_404(FollowUp, meeting=meeting)
    return render(request, "communication/survey_results.html", {
        "forum": meeting.forum, "meeting": meeting, "results": selectors.survey_results(follow_up),
        # Free text may name people: researchers, who never see names, get the figures only.
        "show_texts": permissions.can_follow_up(request.user, meeting.forum)})


@require_safe
@login_required
def survey_overview(request: HttpRequest, slug: str) -> HttpResponse:
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_view_survey_results)
    return render(request, "communication/survey_overview.html",
                  {"forum": forum, "overview": selectors.survey_over_time(forum)})


@require_safe
@login_required
def survey_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The forum's survey figures as CSV (coordinators and researchers; no names, no free text,
    groups under 5 left empty)."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_view_survey_results)
    return csv_response(filename=f"enkater-{forum.slug}", header=selectors.survey_export_header(),
                        rows=selectors.survey_export_rows(forum))


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
