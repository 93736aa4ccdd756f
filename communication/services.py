"""Writes of communication. Every function is a named action: it changes the database,
records who did it (:func:`forum.services.audit_record`) and queues mail in the same
transaction. Views check permission first (:mod:`communication.permissions`)."""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import broker, mail
from forum.models import Forum, OutboxMessage
from forum.notifications import Kind, notify
from forum.services import audit_record, mail_queue, outbox_requeue

from . import audiences, delivery, markup
from .models import (
    DEFAULT_FREQUENCY,
    Digest,
    DigestItem,
    Follower,
    FollowUp,
    Frequency,
    MailPreference,
    Newsletter,
    NewsletterRecipient,
    NewsPost,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)

#: How many recipients one transaction of a newsletter send handles (progress moves per batch).
NEWSLETTER_BATCH = 200


class CommunicationError(ValueError):
    """A request that breaks a rule; the message is user-facing and translated."""


def _publish_task(task: Any, *args: Any) -> None:
    """Hand a task to the worker after commit; if the broker is away the periodic task takes it."""
    transaction.on_commit(lambda: broker.publish(task, [args]), robust=True)


# --- News -----------------------------------------------------------------------------------------
NEWS_FIELDS = ("title", "body", "audience", "publish_at", "send_mail")


def news_save(*, actor: Any, forum: Forum, post: NewsPost | None = None, title: str, body: str, audience: str,
              publish_at: dt.datetime, send_mail: bool) -> NewsPost:
    """Write or change a news post (communicators and coordinators; the caller has checked).
    A post already emailed keeps its audience and publish time: they were told. Side effects:
    the post, an audit row with the changed fields."""
    with transaction.atomic():
        if post is None:
            post = NewsPost(forum=forum, created_by=actor if actor.is_authenticated else None)
            changed = list(NEWS_FIELDS)
        else:
            post = NewsPost.objects.select_for_update().get(pk=post.pk, forum=forum)
            if post.mailed_at and (audience != post.audience or publish_at != post.publish_at):
                raise CommunicationError(_("The post has already been emailed; its audience and time cannot change."))
            new = {"title": title.strip(), "body": body, "audience": audience, "publish_at": publish_at,
                   "send_mail": send_mail}
            changed = [name for name in NEWS_FIELDS if getattr(post, name) != new[name]]
        post.title, post.body, post.audience = title.strip(), body, audience
        post.publish_at, post.send_mail = publish_at, send_mail
        post.body_html = markup.render(body)
        post.save()
        audit_record(actor=actor, action="communication.news_save", target=post, forum=forum,
                     data={"changed": changed})
    return post


def news_delete(*, actor: Any, post: NewsPost) -> None:
    """Remove a news post. Side effects: the deletion and an audit row."""
    with transaction.atomic():
        audit_record(actor=actor, action="communication.news_delete", target=post, forum=post.forum,
                     data={"title": post.title})
        post.delete()


def news_mail_due(*, now: dt.datetime | None = None) -> int:
    """Email each post whose time has come and that asks for mail, once: the post is locked
    and marked in the same transaction as its mail is queued (the periodic task; no actor).
    Returns the number of posts mailed."""
    now = now or timezone.now()
    count = 0
    due = (NewsPost.objects.filter(send_mail=True, mailed_at__isnull=True, publish_at__lte=now)
           .values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            post = (NewsPost.objects.select_for_update(skip_locked=True).select_related("forum")
                    .filter(pk=pk, mailed_at__isnull=True).first())
            if post is None:
                continue
            post.mailed_at = now
            post.save(update_fields=["mailed_at"])
            people = audiences.news_recipients(post.forum, post.audience)
            url = mail.site_url() + post.get_absolute_url()
            notify(kind=Kind.NEWS, recipients=people.items(), template="communication/news",
                   context={"post": post, "url": url, "excerpt": markup.plain(post.body, 600)}, forum=post.forum)
            audit_record(actor=None, action="communication.news_mail", target=post, forum=post.forum,
                         data={"recipients": len(people)})
            count += 1
    return count


# --- Newsletters ------------------------------------------------------------------------------------
NEWSLETTER_FIELDS = ("subject_sv", "body_sv", "subject_en", "body_en", "audiences")


def newsletter_save(*, actor: Any, forum: Forum, newsletter: Newsletter | None = None, **fields: Any) -> Newsletter:
    """Write or change a draft (frozen once sending starts). Side effects: the row, an audit row."""
    unknown = set(fields) - set(NEWSLETTER_FIELDS)
    if unknown:
        raise ValueError(f"Newsletter fields {unknown} cannot be set here")
    with transaction.atomic():
        if newsletter is None:
            newsletter = Newsletter(forum=forum, created_by=actor if actor.is_authenticated else None)
            changed = sorted(fields)
        else:
            newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk, forum=forum)
            if not newsletter.is_editable:
                raise CommunicationError(_("The newsletter has been sent; its content can no longer change."))
            changed = sorted(name for name, value in fields.items() if getattr(newsletter, name) != value)
        for name, value in fields.items():
            setattr(newsletter, name, value.strip() if name.startswith("subject") else value)
        newsletter.save()
        audit_record(actor=actor, action="communication.newsletter_save", target=newsletter, forum=forum,
                     data={"changed": changed})
    return newsletter


def newsletter_context(newsletter: Newsletter, language: str) -> dict[str, Any]:
    """What the newsletter mail shows in ``language``: English where both exist, else Swedish."""
    english = language == "en" and newsletter.has_english()
    body = newsletter.body_en if english else newsletter.body_sv
    from django.utils.safestring import mark_safe

    return {
        "newsletter": newsletter,
        "subject": newsletter.subject_en if english else newsletter.subject_sv,
        "body_html": mark_safe(markup.render(body)),  # sanitised by nh3 (communication.markup)
        "body_text": body,
        "content_language": "en" if english else "sv",
        "web_url": mail.site_url() + reverse("communication:newsletter_web", args=[newsletter.public_id]),
        "digest_url": mail.site_url() + reverse("communication:newsletter_web", args=[newsletter.public_id]),
    }


def newsletter_test_send(*, actor: Any, newsletter: Newsletter, language: str) -> OutboxMessage:
    """Send the newsletter, as it would look, to the actor's own address only; marked as a
    test in the subject. Side effects: one outbox row, an audit row."""
    with transaction.atomic():
        renderer = delivery.Renderer(template="communication/newsletter",
                                     context=newsletter_context(newsletter, language),
                                     forum=newsletter.forum, kinds=[Kind.NEWSLETTERS], created_by=actor,
                                     prefix=_("[Test] "))
        message = renderer.queue(actor.email, language)
        audit_record(actor=actor, action="communication.newsletter_test", target=newsletter, forum=newsletter.forum,
                     data={"language": language})
    return message


def newsletter_schedule(*, actor: Any, newsletter: Newsletter, send_at: dt.datetime | None = None) -> Newsletter:
    """Send now (``send_at`` None) or at ``send_at``. The content is frozen from now on until
    cancelled. Side effects: the row, an audit row and, when due, the send task after commit."""
    now = timezone.now()
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        if not newsletter.is_editable:
            raise CommunicationError(_("The newsletter has already been sent."))
        if not newsletter.audiences:
            raise CommunicationError(_("Choose at least one audience."))
        newsletter.status = Newsletter.Status.SCHEDULED
        newsletter.send_at = send_at if send_at and send_at > now else now
        newsletter.sent_by = actor
        newsletter.save(update_fields=["status", "send_at", "sent_by", "updated_at"])
        audit_record(actor=actor, action="communication.newsletter_schedule", target=newsletter,
                     forum=newsletter.forum, data={"send_at": newsletter.send_at.isoformat()})
        if newsletter.send_at <= now:
            from .tasks import newsletter_send

            _publish_task(newsletter_send, newsletter.pk)
    return newsletter


def newsletter_unschedule(*, actor: Any, newsletter: Newsletter) -> Newsletter:
    """Take a scheduled newsletter back to draft before it starts. Side effects: the row, an audit row."""
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        if newsletter.status != Newsletter.Status.SCHEDULED:
            raise CommunicationError(_("Only a newsletter that is waiting to be sent can be stopped."))
        newsletter.status, newsletter.send_at = Newsletter.Status.DRAFT, None
        newsletter.save(update_fields=["status", "send_at", "updated_at"])
        audit_record(actor=actor, action="communication.newsletter_unschedule", target=newsletter,
                     forum=newsletter.forum)
    return newsletter


def newsletter_start(newsletter_id: int, *, now: dt.datetime | None = None) -> bool:
    """Freeze the audience of a due newsletter: one recipient row per address (the union of
    its audiences, resolved now). Returns whether it is (now) sending. No actor: the task."""
    now = now or timezone.now()
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().select_related("forum").filter(pk=newsletter_id).first()
        if newsletter is None:
            return False
        if newsletter.status == Newsletter.Status.SENDING:
            return True
        if newsletter.status != Newsletter.Status.SCHEDULED or newsletter.send_at > now:
            return False
        people = audiences.resolve(newsletter.forum, newsletter.audiences)
        NewsletterRecipient.objects.bulk_create(
            [NewsletterRecipient(newsletter=newsletter, email=email, language=language)
             for email, language in people.items()],
            batch_size=1000, ignore_conflicts=True,
        )
        newsletter.status, newsletter.started_at, newsletter.recipient_count = (
            Newsletter.Status.SENDING, now, len(people))
        newsletter.save(update_fields=["status", "started_at", "recipient_count", "updated_at"])
        audit_record(actor=None, action="communication.newsletter_start", target=newsletter, forum=newsletter.forum,
                     data={"recipients": len(people)})
    return True


def newsletter_send_batch(newsletter_id: int, *, size: int = NEWSLETTER_BATCH) -> int:
    """Deliver the next batch of waiting recipients (locked, so two workers share the work
    without overlap): by each address's choice for newsletters, an outbox row, a digest item,
    or nothing. Returns how many were handled; 0 when none wait (the newsletter is then marked
    sent)."""
    with transaction.atomic():
        newsletter = Newsletter.objects.select_related("forum").get(pk=newsletter_id)
        batch = list(NewsletterRecipient.objects.select_for_update(skip_locked=True)
                     .filter(newsletter_id=newsletter_id, outcome=NewsletterRecipient.Outcome.PENDING)
                     .order_by("pk")[:size])
        if not batch:
            _newsletter_finish(newsletter_id)
            return 0
        decided = delivery.plan(Kind.NEWSLETTERS, [(r.email, r.language) for r in batch])
        renderers: dict[str, delivery.Renderer] = {}
        outcome_of = {
            Frequency.IMMEDIATELY: NewsletterRecipient.Outcome.MAILED,
            Frequency.DAILY: NewsletterRecipient.Outcome.DIGEST,
            Frequency.WEEKLY: NewsletterRecipient.Outcome.DIGEST, Frequency.NEVER: NewsletterRecipient.Outcome.DECLINED,
            "flagged": NewsletterRecipient.Outcome.FLAGGED,
        }
        for recipient in batch:
            decision = decided.outcomes[recipient.email]
            recipient.outcome = outcome_of[decision]
            if decision == Frequency.IMMEDIATELY:
                language = recipient.language
                if language not in renderers:
                    renderers[language] = delivery.Renderer(
                        template="communication/newsletter", context=newsletter_context(newsletter, language),
                        forum=newsletter.forum, kinds=[Kind.NEWSLETTERS], created_by=newsletter.sent_by)
                recipient.message = renderers[language].queue(recipient.email, language)
        for language in {recipient.language for recipient in batch}:
            delivery.digest_items(kind=Kind.NEWSLETTERS, plan_=_only(decided, language),
                                  template="communication/newsletter", context=newsletter_context(newsletter, language),
                                  forum=newsletter.forum)
        NewsletterRecipient.objects.bulk_update(batch, ["outcome", "message"])
    return len(batch)


def _only(decided: delivery.Plan, language: str) -> delivery.Plan:
    keep = {email for email, lang in decided.languages.items() if lang == language}
    return delivery.Plan(outcomes={e: o for e, o in decided.outcomes.items() if e in keep},
                         languages={e: lang for e, lang in decided.languages.items() if e in keep})


def _newsletter_finish(newsletter_id: int) -> None:
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter_id)
    if newsletter.status == Newsletter.Status.SENDING and not newsletter.recipients.filter(
            outcome=NewsletterRecipient.Outcome.PENDING).exists():
        newsletter.status, newsletter.finished_at = Newsletter.Status.SENT, timezone.now()
        newsletter.save(update_fields=["status", "finished_at", "updated_at"])
        audit_record(actor=None, action="communication.newsletter_sent", target=newsletter, forum=newsletter.forum,
                     data={"recipients": newsletter.recipient_count})


def newsletter_retry_failed(*, actor: Any, newsletter: Newsletter) -> int:
    """Put the newsletter's failed mails back in the queue (staff; the caller has checked).
    Side effects: see :func:`forum.services.outbox_requeue`. Returns how many."""
    failed = OutboxMessage.objects.filter(
        pk__in=newsletter.recipients.exclude(message=None).values("message"), status=OutboxMessage.Status.FAILED)
    with transaction.atomic():
        count = outbox_requeue(actor=actor, messages=list(failed))
        if count:
            audit_record(actor=actor, action="communication.newsletter_retry", target=newsletter,
                         forum=newsletter.forum, data={"requeued": count})
    return count


# --- Followers --------------------------------------------------------------------------------------
def follow_request(*, actor: Any, forum: Forum, email: str, language: str, network_id: int | None = None,
                   network_title: str = "") -> Follower:
    """Someone asks to follow the forum (or one of its public networks; the caller has checked
    it is public) with an address. An unconfirmed request gets the confirmation mail (double
    opt-in, transactional); one already confirmed gets nothing, and the page says the same in
    both cases, so it tells nobody who follows. Side effects: the follower row, an audit row
    (without the address), maybe one outbox row."""
    address = delivery.normalise(email)
    with transaction.atomic():
        follower, created = Follower.objects.get_or_create(
            forum=forum, network_id=network_id, email=address, defaults={"language": language})
        if follower.confirmed_at is None:
            follower.language = language
            follower.save(update_fields=["language"])
            mail_queue(to=address, template="communication/follow_confirm", language=language, forum=forum,
                       context={"forum": forum, "network_title": network_title,
                                "confirm_url": mail.site_url() + reverse("communication:follow_confirm",
                                                                         args=[follower.token])})
        audit_record(actor=actor, action="communication.follow_request", target=follower, forum=forum,
                     data={"network": network_id, "new": created})
    return follower


def follow_confirm(*, follower: Follower) -> Follower:
    """The second step of the double opt-in (the link holder). Side effects: the row, an audit row."""
    with transaction.atomic():
        follower = Follower.objects.select_for_update().get(pk=follower.pk)
        if follower.confirmed_at is None:
            follower.confirmed_at = timezone.now()
            follower.save(update_fields=["confirmed_at"])
            audit_record(actor=None, action="communication.follow_confirm", target=follower, forum=follower.forum,
                         data={"network": follower.network_id})
    return follower


def follow_end(*, follower: Follower) -> None:
    """Stop following (the link holder). Side effects: the deletion, an audit row."""
    with transaction.atomic():
        audit_record(actor=None, action="communication.follow_end", target=follower, forum=follower.forum,
                     data={"network": follower.network_id})
        follower.delete()


# --- Preferences and unsubscribe --------------------------------------------------------------------
def preferences_set(*, actor: Any, email: str, choices: dict[str, str]) -> dict[str, str]:
    """Set how often ``email`` gets each kind in ``choices`` ({kind: frequency}); the person
    themselves, logged in or through a signed unsubscribe link. Returns the previous values of
    the kinds that changed (for "undo"). Side effects: preference rows, an audit row; for an
    account, ``notify_issue_updates`` follows the issue choice (issues/ still reads it)."""
    address = delivery.normalise(email)
    with transaction.atomic():
        current = preferences_of(address)
        before = {kind: current[kind] for kind in choices}
        changed = {kind: previous for kind, previous in before.items() if choices[kind] != previous}
        for kind in changed:
            MailPreference.objects.update_or_create(email=address, kind=kind, defaults={"frequency": choices[kind]})
        if Kind.ISSUE_UPDATES in changed:
            from django.contrib.auth import get_user_model

            get_user_model().objects.filter(email__iexact=address).update(
                notify_issue_updates=choices[Kind.ISSUE_UPDATES] != Frequency.NEVER)
        if changed:
            audit_record(actor=actor, action="communication.preferences_set",
                         data={"changes": {kind: [changed[kind], choices[kind]] for kind in changed}})
    return changed


def preferences_of(email: str) -> dict[str, str]:
    """Every kind's choice for ``email`` (defaults included). One query."""
    address = delivery.normalise(email)
    chosen = dict(MailPreference.objects.filter(email=address).values_list("kind", "frequency"))
    return {kind: chosen.get(kind, DEFAULT_FREQUENCY[kind]) for kind in Kind.values}


def unsubscribe(*, email: str, kinds: Sequence[str]) -> dict[str, str]:
    """Turn ``kinds`` off for ``email`` (a signed link, no log-in). Returns what they were."""
    return preferences_set(actor=None, email=email, choices={kind: Frequency.NEVER for kind in kinds
                                                             if kind in Kind.values})


# --- Digests -----------------------------------------------------------------------------------------
def digests_send(*, frequency: str) -> int:
    """Send every address its waiting ``frequency`` items as one digest. Each address is
    handled in its own transaction with its items locked, and the items are marked with the
    digest that takes them, so two runs (or two workers) never tell an item twice. Items of a
    kind the person has since turned off are dropped; an address with nothing left gets no
    mail (never an empty digest). The periodic task; no actor. Returns digests queued."""
    emails = list(DigestItem.objects.filter(digest__isnull=True, frequency=frequency)
                  .values_list("email", flat=True).distinct())
    sent = 0
    for email in emails:
        with transaction.atomic():
            items = list(DigestItem.objects.select_for_update(skip_locked=True)
                         .filter(email=email, frequency=frequency, digest__isnull=True).order_by("created_at", "pk"))
            if not items:
                continue
            choices = preferences_of(email)
            dropped = [item.pk for item in items if choices.get(item.kind) == Frequency.NEVER]
            if dropped:
                DigestItem.objects.filter(pk__in=dropped).delete()
            items = [item for item in items if item.pk not in dropped]
            if not items:
                continue
            forums = {f.pk: f for f in Forum.objects.filter(pk__in={item.forum_id for item in items})}
            digest = Digest.objects.create(email=email, frequency=frequency)
            DigestItem.objects.filter(pk__in=[item.pk for item in items]).update(digest=digest)
            language = items[-1].language
            kinds = sorted({item.kind for item in items})
            only_forum = forums[items[0].forum_id] if len(forums) == 1 else None
            renderer = delivery.Renderer(
                template="communication/digest", forum=only_forum, kinds=kinds,
                context={"groups": group_items(items, forums), "frequency": frequency, "count": len(items)})
            digest.message = renderer.queue(email, language)
            digest.save(update_fields=["message"])
            audit_record(actor=None, action="communication.digest_send", target=digest,
                         forum=only_forum, data={"items": len(items), "frequency": frequency})
            sent += 1
    return sent


def group_items(items: Iterable[DigestItem], forums: dict[int, Forum]) -> list[dict[str, Any]]:
    """Items by forum, then by network, issue or neither, in the order they happened."""
    grouped: OrderedDict[int, OrderedDict[tuple, list[DigestItem]]] = OrderedDict()
    for item in items:
        if item.network_id:
            key: tuple = ("network", item.network_id, item.network_label)
        elif item.issue_id:
            key = ("issue", item.issue_id, item.issue_label)
        else:
            key = ("forum", 0, "")
        grouped.setdefault(item.forum_id, OrderedDict()).setdefault(key, []).append(item)
    return [
        {"forum": forums[forum_id],
         "sections": [{"kind": key[0], "label": key[2], "items": section} for key, section in sections.items()]}
        for forum_id, sections in grouped.items()
    ]


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

            event_services.meeting_set_status(actor=actor, meeting=meeting, status=meeting.Status.DOCUMENTED)
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
