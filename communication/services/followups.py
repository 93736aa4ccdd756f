"""A meeting's follow-up: its documentation, the evaluation survey, its reminder and the answers."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import mail
from forum.services import audit_record, mail_queue

from .. import audiences, delivery, markup
from ..models import (
    FollowUp,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from .base import CommunicationError


# --- Follow-up of a meeting and its survey ----------------------------------------------------------
def standard_questions() -> list[tuple[str, str, str]]:
    """The standard survey (key, question, kind), in the default language: copied into each
    meeting's survey, where coordinators may change it."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return [
            ("trust", _("How much do you trust that the city and the business community can solve issues together?"),
             SurveyQuestion.Kind.SCALE),
            ("usefulness", _("How useful was the meeting for you?"), SurveyQuestion.Kind.SCALE),
            ("satisfaction", _("How satisfied are you with the meeting as a whole?"), SurveyQuestion.Kind.SCALE),
            ("comment", _("What should we do differently next time?"), SurveyQuestion.Kind.TEXT),
        ]


def follow_up_save(*, actor: Any, meeting: Any, summary: str, links: str) -> FollowUp:
    """Write or change a meeting's documentation (coordinators). A new follow-up gets the
    standard questions. Side effects: the rows, an audit row."""
    with transaction.atomic():
        follow_up, created = FollowUp.objects.select_for_update().get_or_create(
            meeting=meeting, defaults={"summary": summary, "links": links})
        follow_up.summary, follow_up.links, follow_up.summary_html = summary, links, markup.render(summary)
        follow_up.save()
        if created:
            SurveyQuestion.objects.bulk_create(
                SurveyQuestion(follow_up=follow_up, position=n, key=key, text=text, kind=kind)
                for n, (key, text, kind) in enumerate(standard_questions(), start=1))
        audit_record(actor=actor, action="communication.follow_up_save", target=follow_up, forum=meeting.forum,
                     data={"created": created})
    return follow_up


def survey_questions_save(*, actor: Any, follow_up: FollowUp, questions: list[tuple[str, str]]) -> None:
    """Replace the survey's questions with ``questions`` [(text, kind)] before anyone answered
    (answers must keep meaning what was asked). Side effects: the rows, an audit row."""
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if follow_up.responses.exists():
            raise CommunicationError(_("People have answered; the questions can no longer change."))
        keys = {q.text: q.key for q in follow_up.questions.all()}
        follow_up.questions.all().delete()
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(follow_up=follow_up, position=n, text=text, kind=kind, key=keys.get(text, ""))
            for n, (text, kind) in enumerate(questions, start=1))
        audit_record(actor=actor, action="communication.survey_questions_save", target=follow_up,
                     forum=follow_up.meeting.forum, data={"questions": len(questions)})


def follow_up_publish(*, actor: Any, follow_up: FollowUp, closes_in_days: int = 21) -> int:
    """Publish the documentation to the meeting's confirmed participants with the survey: one
    invitation each (who was asked is stored apart from any answer) and one mail each – part of
    their participation, so transactional: no unsubscribe link. A held meeting becomes documented.
    Side effects: rows, outbox rows, audit rows.
    Returns how many people were mailed."""
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().select_related("meeting__forum").get(pk=follow_up.pk)
        if follow_up.published_at:
            raise CommunicationError(_("The documentation has already been sent."))
        meeting = follow_up.meeting
        people = dict(audiences.meeting_participants(meeting.forum, [meeting.pk]))
        people = {delivery.normalise(e): lang for e, lang in people.items() if e}
        follow_up.published_at, follow_up.published_by = timezone.now(), actor
        follow_up.survey_closes_at = follow_up.published_at + dt.timedelta(days=closes_in_days)
        follow_up.save(update_fields=["published_at", "published_by", "survey_closes_at"])
        invitations = SurveyInvitation.objects.bulk_create(
            SurveyInvitation(follow_up=follow_up, email=email, language=language) for email, language in people.items())
        for invitation in invitations:
            _survey_mail(invitation, follow_up, template="communication/follow_up", actor=actor)
        if meeting.status == meeting.Status.HELD:
            # Its documentation is out: the meeting moves to its last status (events audits it).
            from events import services as event_services

            event_services.meeting_set_status(actor=actor, meeting=meeting, status=meeting.Status.DOCUMENTED,
                                              documentation_sent=True)
        audit_record(actor=actor, action="communication.follow_up_publish", target=follow_up, forum=meeting.forum,
                     data={"invited": len(invitations)})
    return len(invitations)


def _survey_mail(invitation: SurveyInvitation, follow_up: FollowUp, *, template: str, actor: Any = None) -> None:
    meeting = follow_up.meeting
    mail_queue(to=invitation.email, template=template, language=invitation.language, forum=meeting.forum,
               created_by=actor, context={
                   "meeting": meeting, "follow_up": follow_up,
                   "issues": _meeting_issues(meeting),
                   "survey_url": mail.site_url() + reverse("communication:survey", args=[invitation.token]),
                   "documentation_url": mail.site_url() + reverse("communication:follow_up_public", args=[meeting.pk]),
               })


def _meeting_issues(meeting: Any) -> list[Any]:
    from issues.models import Issue

    return list(Issue.objects.filter(meeting=meeting).exclude(status=Issue.Status.MERGED).order_by("pk")[:50])


def survey_reminders_due(*, now: dt.datetime | None = None, after: dt.timedelta = dt.timedelta(days=5)) -> int:
    """One reminder to those who have not answered, ``after`` the documentation went out and
    while the survey is open; never a second (the follow-up is marked in the same
    transaction). The periodic task. Returns reminders queued."""
    now = now or timezone.now()
    count = 0
    due = FollowUp.objects.filter(published_at__lte=now - after, reminder_sent_at__isnull=True,
                                  survey_closes_at__gt=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            follow_up = (FollowUp.objects.select_for_update(skip_locked=True).select_related("meeting__forum")
                         .filter(pk=pk, reminder_sent_at__isnull=True).first())
            if follow_up is None:
                continue
            follow_up.reminder_sent_at = now
            follow_up.save(update_fields=["reminder_sent_at"])
            waiting = list(follow_up.invitations.filter(answered=False, reminded_at__isnull=True))
            for invitation in waiting:
                _survey_mail(invitation, follow_up, template="communication/survey_reminder")
            SurveyInvitation.objects.filter(pk__in=[i.pk for i in waiting]).update(reminded_at=now)
            audit_record(actor=None, action="communication.survey_remind", target=follow_up,
                         forum=follow_up.meeting.forum, data={"reminded": len(waiting)})
            count += len(waiting)
    return count


def survey_answer(*, invitation: SurveyInvitation, answers: dict[int, Any]) -> SurveyResponse:
    """Store one anonymous response ({question id: score or text}) and mark the invitation
    answered, in one transaction with the invitation locked, so it counts once. The response
    keeps the day only and no link to the invitation. Side effects: the rows; the audit row
    names the survey, not the person."""
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().select_related("follow_up__meeting__forum").get(
            pk=invitation.pk)
        follow_up = invitation.follow_up
        if invitation.answered:
            raise CommunicationError(_("You have already answered this survey. Thank you!"))
        if follow_up.survey_closes_at and follow_up.survey_closes_at <= timezone.now():
            raise CommunicationError(_("The survey has closed."))
        invitation.answered = True
        invitation.save(update_fields=["answered"])
        response = SurveyResponse.objects.create(follow_up=follow_up, submitted_on=timezone.localdate())
        questions = {q.pk: q for q in follow_up.questions.all()}
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question=questions[qid],
                         score=value if questions[qid].kind == SurveyQuestion.Kind.SCALE else None,
                         text=value if questions[qid].kind == SurveyQuestion.Kind.TEXT else "")
            for qid, value in answers.items() if qid in questions and value not in (None, ""))
        audit_record(actor=None, action="communication.survey_answer", target=follow_up,
                     forum=follow_up.meeting.forum)
    return response
