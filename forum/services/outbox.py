"""The mail outbox: queue a message (rendered now or after a lock), deliver it once, sweep and requeue."""
from __future__ import annotations

import logging
import smtplib
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .. import broker, mail, smtp
from ..models import (
    Forum,
    OutboxAttachment,
    OutboxMessage,
    new_message_id,
)

logger = logging.getLogger(__name__)

# --- Mail outbox ------------------------------------------------------------------------
@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    content: bytes


#: Rows handed over together share one task (:func:`forum.tasks.outbox_send_batch`): a
#: newsletter's thousands of rows cost a task per 20 rather than per row, while each row keeps
#: its own at-most-once delivery. A single row (transactional mail) gets a task of its own.
OUTBOX_TASK_BATCH = 20


def _hand_over(message_ids: Sequence[int]) -> int:
    """Give committed outbox rows their Celery tasks, in order (forum.broker: bounded in time,
    never raises): one task for a single row, one per :data:`OUTBOX_TASK_BATCH` rows for
    more. Rows the broker did not take are marked ``handover_failed``: no task holds them, so
    the next sweep sends them without waiting for its grace period. When this process finds
    the broker back after an outage it asks for a sweep at once, so the rows it left meanwhile
    go out now. Returns how many rows were handed over."""
    from ..tasks import outbox_send, outbox_send_batch, outbox_sweep

    ids = list(message_ids)
    if len(ids) <= 1:
        published, recovered = broker.publish(outbox_send, [(message_id,) for message_id in ids])
    else:
        chunks = [ids[start:start + OUTBOX_TASK_BATCH] for start in range(0, len(ids), OUTBOX_TASK_BATCH)]
        tasks, recovered = broker.publish(outbox_send_batch, [(chunk,) for chunk in chunks])
        published = sum(len(chunk) for chunk in chunks[:tasks])
    if published < len(ids):
        try:
            OutboxMessage.objects.filter(pk__in=ids[published:], status=OutboxMessage.Status.QUEUED).update(
                handover_failed=True
            )
        except DatabaseError:  # the rows still wait, only for the grace period
            logger.warning("Could not mark outbox messages %s for the sweep", ids[published:], exc_info=True)
    if recovered:
        broker.publish(outbox_sweep, [()])
    return published


def mail_queue_rendered(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str,
    template: str = "",
    attachments: Sequence[Attachment] = (),
    headers: dict[str, str] | None = None,
    created_by: Any | None = None,
    forum: Forum | None = None,
    send_group: str = "",
    release: bool = True,
) -> OutboxMessage:
    """Write one outbox row with already-rendered parts and send it after commit. ``forum``
    is the forum the mail is about: its coordinators see the row in the admin (without one,
    only the portal administrator does), and it names the sender and who a reply reaches.
    ``send_group`` names the bulk send the mail is part of (its page counts the mail by status).
    ``release=False``: a caller queueing many rows passes them to :func:`outbox_release_deferred`
    itself, so they are handed over together.

    The row stores From and Reply-To (``forum.mail.envelope``, unless ``headers`` give them),
    so a later change of settings or roles does not change mail already queued.
    Side effects: an OutboxMessage (and its attachments) in the caller's transaction; after
    that transaction commits, a Celery task. A rolled-back transaction sends nothing.
    """
    stored = dict(headers or {})
    if not {"From", "Reply-To"} <= stored.keys():
        stored = {**mail.envelope(forum), **stored}
    message = OutboxMessage.objects.create(
        to_email=to,
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        body_html=body_html,
        language=language,
        template=template,
        headers=stored,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        forum=forum,
        send_group=send_group,
    )
    OutboxAttachment.objects.bulk_create(
        OutboxAttachment(message=message, filename=a.filename, mimetype=a.mimetype, content=a.content)
        for a in attachments
    )
    if release:
        # One hook per row (Django's public API, right under savepoint rollbacks); forum.broker
        # keeps their sum bounded: after the first failure the others give up at once.
        transaction.on_commit(lambda: _hand_over([message.pk]), robust=True)
    return message


def mail_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    attachments: Sequence[Attachment] = (),
    created_by: Any | None = None,
    forum: Forum | None = None,
    reply_to: Sequence[str] | None = None,
    send_group: str = "",
) -> OutboxMessage:
    """Render ``templates/email/<template>_{subject.txt,message.html}`` in the recipient's
    language – the message template once as HTML and once as text, in the portal's mail
    layout (:mod:`forum.mail`) – and queue the result (see :func:`mail_queue_rendered`, also
    for ``forum``). ``reply_to`` overrides who a reply reaches (default: the forum's
    coordinators, or ``FORUM_CONTACT_EMAIL``)."""
    language = language or settings.LANGUAGE_CODE
    rendered = mail.render(f"email/{template}", context, language=language, forum=forum, reply_to=reply_to)
    return mail_queue_rendered(
        to=to,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        language=language,
        template=template,
        attachments=attachments,
        headers=rendered.headers,
        created_by=created_by,
        forum=forum,
        send_group=send_group,
    )


# --- Mail rendered after a lock ----------------------------------------------------------
class DeferredMail(list):
    """The rows a lock section writes with :func:`mail_queue_deferred`, for
    :func:`outbox_release_deferred`, with the From and Reply-To of ``forum`` (the one the rows
    are about, forum.mail.envelope) read when it is made – before the lock – so that the rows
    are written with them and need no second write; rows about another forum are stamped on
    release. Side effect: one query for the forum's coordinators."""

    def __init__(self, forum: Forum) -> None:
        super().__init__()
        self.forum, self.envelope = forum, mail.envelope(forum)

    def headers_for(self, forum: Forum | None) -> dict[str, str]:
        """The envelope if it is ``forum``'s, else nothing (stamped on release)."""
        return dict(self.envelope) if forum is not None and forum.pk == self.forum.pk else {}


def mail_queue_deferred(
    *,
    to: str,
    renderer: str,
    args: dict[str, Any],
    language: str,
    template: str = "",
    created_by: Any | None = None,
    forum: Forum | None = None,
    send_group: str = "",
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Write an outbox row now; the worker renders its content when it sends it.

    For code holding a lock that other requests queue behind (a meeting's seats, issue 14):
    rendering the templates and calendar files is most of the work of a booking, and none of
    it needs the lock – nor the request. The row itself is written here, in the caller's
    transaction, so a rolled-back booking sends nothing and a committed one always has its
    mail; the caller then passes the rows to :func:`outbox_release_deferred` once its
    ``transaction.atomic()`` block has ended (committed, so the lock is released).
    ``renderer`` is the dotted path of a function taking ``args`` (JSON) and returning
    ``(template, context, attachments)``, read when the mail is rendered; the function is
    called in the mail's ``language``.

    Side effects: one OutboxMessage row with an empty subject and body and ``render_spec``
    set; no task yet (the row is handed to the worker on release). Should the process die
    before that, the sweep hands the row over and :func:`outbox_deliver` renders it.
    """
    return OutboxMessage.objects.create(
        to_email=to,
        subject="",
        body_text="",
        language=language,
        template=template,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        forum=forum,
        send_group=send_group,
        headers=headers or {},
        render_spec={"renderer": renderer, "args": args},
    )


def _render_deferred(message: OutboxMessage) -> tuple[mail.RenderedMail, list[Attachment]]:
    """The content of a row written by :func:`mail_queue_deferred`, rendered now."""
    from django.utils import translation

    spec = message.render_spec or {}
    # Only the portal's own code writes render_spec (the field is not editable anywhere).
    function = import_string(spec["renderer"])
    with translation.override(message.language):
        template, context, attachments = function(spec.get("args", {}))
    rendered = mail.render(f"email/{template}", context, language=message.language, forum=message.forum)
    return rendered, list(attachments)


def _store_rendered(message: OutboxMessage, rendered: mail.RenderedMail, attachments: Sequence[Attachment],
                    *, only_if_queued: bool) -> bool:
    """Write a deferred row's content (subject, parts, headers, attachments) and clear its
    ``render_spec``, in one transaction. With ``only_if_queued`` only while the row is still
    queued and unrendered (the request that wrote it; the worker may have taken it)."""
    fields = {
        "subject": " ".join(rendered.subject.split())[:300],
        "body_text": rendered.text,
        "body_html": rendered.html,
        "headers": {**rendered.headers, **(message.headers or {})},
        "render_spec": None,
    }
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(pk=message.pk)
        if only_if_queued:
            rows = rows.filter(status=OutboxMessage.Status.QUEUED, render_spec__isnull=False)
        if not rows.update(**fields):
            return False
        OutboxAttachment.objects.bulk_create(
            OutboxAttachment(message=message, filename=a.filename, mimetype=a.mimetype, content=a.content)
            for a in attachments
        )
    for name, value in fields.items():
        setattr(message, name, value)
    return True


def outbox_release_deferred(messages: Iterable[OutboxMessage]) -> None:
    """Hand rows written without their own task – by :func:`mail_queue_deferred`, or by
    :func:`mail_queue_rendered` with ``release=False`` – to the worker together once the
    current transaction commits (at once outside one). A deferred row is rendered by the
    worker when it sends it (:func:`outbox_deliver`): rendering the templates and the calendar
    file is most of a booking's work and the person booking does not wait for the mail, so
    the request leaves it to the worker (issue 14; pretix renders its mail in the worker too).
    A rendering error there marks the row failed, for staff to see. Call it right after the
    lock section, or once a batch of rows is written. Side effects: the deferred rows' From and
    Reply-To; one hook after commit, handing the rows over in tasks of :data:`OUTBOX_TASK_BATCH`."""
    messages = list(messages)
    # A deferred row gets its sender and Reply-To now, as every row does when it is queued
    # (forum.mail.envelope), so a change of the forum's coordinators before the worker renders
    # it does not change whom a reply reaches. One lookup per forum, after the lock.
    unstamped: dict[Any, list[int]] = {}
    for message in messages:
        if message.render_spec and not {"From", "Reply-To"} <= (message.headers or {}).keys():
            unstamped.setdefault(message.forum, []).append(message.pk)
    for forum, pks in unstamped.items():
        stamp = mail.envelope(forum)
        OutboxMessage.objects.filter(pk__in=pks).update(headers=stamp)
        for message in messages:
            if message.pk in pks:
                message.headers = stamp
    ids = [message.pk for message in messages]
    if ids:
        transaction.on_commit(lambda: _hand_over(ids), robust=True)


@dataclass(frozen=True)
class Delivery:
    """What one delivery attempt did: ``sent``, ``skipped``, ``retry`` (in ``retry_in`` s) or ``failed``."""

    outcome: str
    retry_in: int | None = None


def _is_temporary(error: Exception) -> bool:
    """SMTP 4xx replies and network trouble are temporary; 5xx replies are permanent."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout, TimeoutError, OSError))


def retry_delay(attempts: int) -> int:
    """Exponential backoff: base, 2×base, 4×base … capped at six hours."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600)


def outbox_deliver(message_id: int) -> Delivery:
    """Send one outbox row at most once.

    The row is locked; only a row that is still ``queued`` is sent, so a task that runs twice
    (or two workers racing) sends once. Under the lock the mail is made ready – rendered if
    it was written under a lock, and a session to the mail server open – and only then is the
    row marked ``sending`` and the lock released: a worker killed before that leaves the row
    ``queued`` (its transaction rolls back) and the sweep sends it, since nothing reached the
    mail server. Temporary failures put the row back to ``queued`` with a backoff; after
    OUTBOX_MAX_ATTEMPTS, or on a permanent failure, the row is ``failed``. The mail carries
    the row's Message-ID. Once the mail server has accepted it, recording ``sent`` is retried
    for a while (:func:`_record_sent`): a row left ``sending`` – the worker died while the
    mail server had the message – is later reported as "interrupted: delivery unknown",
    never resent by itself.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboxMessage.Status.QUEUED:
            return Delivery("skipped")
        message.attempts += 1
        message.message_id = message.message_id or new_message_id()  # rows queued before it existed
        try:
            with transaction.atomic():  # a database error here leaves the lock's transaction usable
                email = _prepare(message)
        except Exception as error:  # noqa: BLE001 - classified below, never lost
            return _attempt_failed(message, error)
        message.status = OutboxMessage.Status.SENDING
        message.sending_since = timezone.now()
        message.save(update_fields=["status", "attempts", "sending_since", "message_id"])

    try:
        email.send()
        smtp.sent()
    except Exception as error:  # noqa: BLE001 - classified below, never lost
        return _attempt_failed(message, error)
    _record_sent(message)
    return Delivery("sent")


def _prepare(message: OutboxMessage) -> EmailMultiAlternatives:
    """The mail of ``message``, ready to send over the worker thread's open SMTP session."""
    if message.render_spec:
        # Written under a lock and never rendered (the request that wrote it died first).
        rendered, rendered_attachments = _render_deferred(message)
        _store_rendered(message, rendered, rendered_attachments, only_if_queued=False)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        # The sender stored when the row was queued (forum.mail.envelope); older rows have none.
        from_email=message.headers.get("From") or settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={"Content-Language": message.language, **message.headers, "Message-ID": message.message_id},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    # The worker thread's open SMTP session, reused from the previous mail (forum/smtp.py).
    email.connection = smtp.connection()
    return email


def _attempt_failed(message: OutboxMessage, error: Exception) -> Delivery:
    """Record a failed attempt (its count already in ``message.attempts``): back in the queue
    with a backoff, or ``failed`` when the failure is permanent or the attempts are used up."""
    smtp.discard()  # the session may be half-way through a transaction: the next mail opens a fresh one
    give_up = not _is_temporary(error) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    delay = retry_delay(message.attempts)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.FAILED if give_up else OutboxMessage.Status.QUEUED,
        attempts=message.attempts,
        message_id=message.message_id,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=None if give_up else timezone.now() + timedelta(seconds=delay),
        sending_since=None,
    )
    logger.warning("Outbox message %s attempt %s failed: %s", message.pk, message.attempts, error)
    return Delivery("failed") if give_up else Delivery("retry", retry_in=delay)


#: Pauses between the attempts to record "sent" after the mail server accepted a message.
RECORD_SENT_PAUSES = (0.5, 1, 2, 4, 8)


def _record_sent(message: OutboxMessage) -> None:
    """Mark ``message`` sent. The mail server has accepted it, so a database that is away for
    a moment (restarting) must not turn it into "delivery unknown": retry over about 15 s,
    with a fresh connection each time. Still failing, the row stays ``sending`` (the sweep
    reports it interrupted later) and the error is raised."""
    from django.db import connection

    for pause in (*RECORD_SENT_PAUSES, None):
        try:
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxMessage.Status.SENT, sent_at=timezone.now(), sending_since=None, last_error=""
            )
            return
        except DatabaseError:
            if pause is None or connection.in_atomic_block:
                logger.error("Outbox message %s (Message-ID %s) was accepted by the mail server, but recording "
                             "it as sent failed", message.pk, message.message_id)
                raise
            logger.warning("Recording outbox message %s as sent failed; trying again in %ss", message.pk, pause)
            time.sleep(pause)
            connection.close()  # the next query opens a fresh one
