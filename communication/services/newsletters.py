"""Newsletters: compose, test, schedule, send in batches and retry."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import mail
from forum.models import Forum, OutboxMessage
from forum.notifications import Kind
from forum.services import audit_record, outbox_release_deferred, outbox_requeue

from .. import audiences, delivery, markup
from ..models import (
    Frequency,
    Newsletter,
    NewsletterRecipient,
)
from .base import NEWSLETTER_BATCH, CommunicationError, _publish_task

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
    test in the subject. A test of the English version is refused while the newsletter has
    no English text: nobody would get that mail (those who chose English get the Swedish
    version), and it would be Swedish text in an English frame. Side effects: one outbox row,
    an audit row."""
    if language == "en" and not newsletter.has_english():
        raise CommunicationError(_("The newsletter has no English version: write an English subject and text "
                                   "first, or send a test of the Swedish version. Until there is one, those who "
                                   "chose English get the Swedish version."))
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
            from ..tasks import newsletter_send

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
                recipient.message = renderers[language].queue(recipient.email, language, release=False)
        for language in {recipient.language for recipient in batch}:
            delivery.digest_items(kind=Kind.NEWSLETTERS, plan_=_only(decided, language),
                                  template="communication/newsletter", context=newsletter_context(newsletter, language),
                                  forum=newsletter.forum)
        NewsletterRecipient.objects.bulk_update(batch, ["outcome", "message"])
        # The batch's rows go to the workers together once it commits (tasks of 20 rows).
        outbox_release_deferred([recipient.message for recipient in batch if recipient.message is not None])
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
