"""The mail outbox on the real services: PostgreSQL, the SMTP sink, Redis and a Celery worker."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from forum import services
from forum.models import AuditEvent, OutboxMessage
from forum.tasks import outbox_send, outbox_send_batch


def _wait_status(message_id: int, status: str, timeout: float = 30) -> OutboxMessage:
    deadline = time.monotonic() + timeout
    while True:
        message = OutboxMessage.objects.get(pk=message_id)
        if message.status == status or time.monotonic() > deadline:
            return message
        time.sleep(0.1)


def _queue(to: str = "mottagare@forum.example", language: str = "sv", **kwargs) -> OutboxMessage:
    return services.mail_queue(
        to=to,
        template="accessibility_receipt",
        context={"report": {"description": "Kontrasten på knappen är för låg."}, "quote_description": True},
        language=language,
        **kwargs,
    )


@pytest.mark.django_db
def test_task_run_twice_sends_once(mailbox):
    message = _queue(to="tva-ganger@forum.example")
    assert outbox_send.apply(args=[message.pk]).get() == "sent"
    assert outbox_send.apply(args=[message.pk]).get() == "skipped"
    received = mailbox.wait_for(lambda m: "tva-ganger@forum.example" in m["To"])
    mailbox.wait_until_idle(OutboxMessage.objects.filter(pk=message.pk))
    assert len([m for m in mailbox.messages() if "tva-ganger@forum.example" in m["To"]]) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    # Subject, text and HTML come from the templates, in the recipient's language.
    assert received[0]["Subject"] == "Vi har tagit emot din rapport"
    assert received[0].get_body(preferencelist=("html",)) is not None
    assert "Kontrasten på knappen" in mailbox.body_text(received[0])


@pytest.mark.django_db
def test_a_batch_task_sends_each_row_once_and_leaves_the_others(mailbox):
    rows = [_queue(to=f"batch{n}@forum.example") for n in range(3)]
    OutboxMessage.objects.filter(pk=rows[2].pk).update(status=OutboxMessage.Status.FAILED)
    ids = [row.pk for row in rows]
    assert outbox_send_batch.apply(args=[ids]).get() == {"sent": 2, "skipped": 1}
    # Run again (a redelivered task): nothing is sent twice.
    assert outbox_send_batch.apply(args=[ids]).get() == {"skipped": 3}
    mailbox.wait_for(lambda m: "batch" in str(m["To"]), count=2)
    mailbox.wait_until_idle(OutboxMessage.objects.filter(pk__in=ids))
    assert sorted(str(m["To"]) for m in mailbox.messages()) == ["batch0@forum.example", "batch1@forum.example"]
    assert OutboxMessage.objects.get(pk=rows[2].pk).status == OutboxMessage.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_rows_released_together_reach_the_worker_in_shared_tasks(mailbox):
    """45 rows handed over at once (a newsletter's batch) go in tasks of 20 rows; the worker
    sends every one of them once."""
    with transaction.atomic():
        rows = [services.mail_queue_rendered(to=f"tillsammans{n}@forum.example", subject="Nyhetsbrev",
                                             body_text="Hej", language="sv", release=False) for n in range(45)]
        services.outbox_release_deferred(rows)
    mailbox.wait_for(lambda m: "tillsammans" in str(m["To"]), count=45, timeout=60)
    mailbox.wait_until_idle(OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]))
    assert len(mailbox.messages()) == 45
    assert set(OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        OutboxMessage.Status.SENT}


@pytest.mark.django_db
def test_language_of_recipient(mailbox):
    message = _queue(to="english@forum.example", language="en")
    outbox_send.apply(args=[message.pk])
    [received] = mailbox.wait_for(lambda m: "english@forum.example" in m["To"])
    assert received["Subject"] == "We have received your report"
    assert received["Content-Language"] == "en"


@pytest.mark.django_db
def test_attachments_are_sent(mailbox):
    message = _queue(
        to="bilaga@forum.example",
        attachments=[services.Attachment("tematraff.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")],
    )
    outbox_send.apply(args=[message.pk])
    [received] = mailbox.wait_for(lambda m: "bilaga@forum.example" in m["To"])
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "tematraff.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert b"BEGIN:VCALENDAR" in attachment.get_payload(decode=True)


@pytest.mark.django_db
def test_connection_error_is_temporary(mailbox, settings):
    settings.EMAIL_PORT = 1  # nothing listens there: a connection error is temporary
    message = _queue(to="tillfalligt@forum.example")
    delivery = services.outbox_deliver(message.pk)
    assert delivery.outcome == "retry"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.next_attempt_at is not None
    assert message.last_error


@pytest.mark.django_db
def test_gives_up_after_max_attempts(settings):
    settings.EMAIL_PORT = 1
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = _queue(to="ger-upp@forum.example")
    assert services.outbox_deliver(message.pk).outcome == "retry"
    assert services.outbox_deliver(message.pk).outcome == "failed"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 2


@pytest.mark.pure
def test_retry_delay_is_exponential(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    assert [services.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.retry_delay(30) == 6 * 3600


@pytest.mark.pure
def test_smtp_replies_are_classified():
    import smtplib

    assert services._is_temporary(smtplib.SMTPDataError(451, b"try later"))
    assert services._is_temporary(smtplib.SMTPServerDisconnected("gone"))
    assert services._is_temporary(ConnectionRefusedError())
    assert not services._is_temporary(smtplib.SMTPDataError(554, b"rejected"))
    assert not services._is_temporary(smtplib.SMTPRecipientsRefused({"x@y.se": (550, b"no such user")}))
    assert services._is_temporary(smtplib.SMTPRecipientsRefused({"x@y.se": (452, b"mailbox full")}))


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_send_once(mailbox):
    """Two workers racing on one row: the row lock lets exactly one of them send."""
    from django.db import connection

    marker = "kapplopning@forum.example"
    # Created outside the worker's reach (no on_commit task): only our threads send it.
    message = OutboxMessage.objects.create(to_email=marker, language="sv", subject="Kapplöpning", body_text="Hej")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def deliver() -> None:
        try:
            barrier.wait()
            outcomes.append(services.outbox_deliver(message.pk).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    mailbox.wait_for(lambda m: marker in m["To"])
    mailbox.wait_until_idle(OutboxMessage.objects.filter(pk=message.pk))
    assert len([m for m in mailbox.messages() if marker in m["To"]]) == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing(mailbox):
    marker = "aterstalld@forum.example"
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            _queue(to=marker)
            raise RuntimeError("the change that caused the mail failed")
    assert not OutboxMessage.objects.filter(to_email=marker).exists()
    # Something committed afterwards does arrive, so the worker was there to send.
    _queue(to="efterat@forum.example")
    mailbox.wait_for(lambda m: "efterat@forum.example" in m["To"])
    assert not [m for m in mailbox.messages() if marker in m["To"]]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_after_commit(mailbox):
    with transaction.atomic():
        message = _queue(to="arbetare@forum.example")
    [received] = mailbox.wait_for(lambda m: "arbetare@forum.example" in m["To"])
    assert received["Subject"] == "Vi har tagit emot din rapport"
    message = _wait_status(message.pk, OutboxMessage.Status.SENT)
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_temporary_failure_is_retried_and_delivered_once(mailbox):
    mailbox.fail_next(1)  # the sink answers 451 to the first attempt
    with transaction.atomic():
        message = _queue(to="forsok-igen@forum.example")
    mailbox.wait_for(lambda m: "forsok-igen@forum.example" in m["To"], timeout=40)
    message = _wait_status(message.pk, OutboxMessage.Status.SENT)
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2
    mailbox.wait_until_idle(OutboxMessage.objects.filter(pk=message.pk))
    assert len([m for m in mailbox.messages() if "forsok-igen@forum.example" in m["To"]]) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_sweep_sends_rows_whose_task_was_lost(mailbox):
    """A row committed while Redis was down has no task: the periodic sweep enqueues it."""
    long_ago = timezone.now() - timedelta(minutes=10)
    lost = OutboxMessage.objects.create(
        to_email="borttappad@forum.example", language="sv", subject="Borttappad", body_text="Hej"
    )
    OutboxMessage.objects.filter(pk=lost.pk).update(created_at=long_ago)
    fresh = OutboxMessage.objects.create(
        to_email="ny@forum.example", language="sv", subject="Ny", body_text="Hej"
    )
    assert services.outbox_sweep() == 1  # the fresh row may still have its task coming
    mailbox.wait_for(lambda m: "borttappad@forum.example" in m["To"])
    assert _wait_status(lost.pk, OutboxMessage.Status.SENT).status == OutboxMessage.Status.SENT
    assert OutboxMessage.objects.get(pk=fresh.pk).status == OutboxMessage.Status.QUEUED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_request_mailing_twenty_people_answers_at_once_while_redis_is_down_and_all_go_out_later(mailbox):
    """The triage of an issue with 20 supporters, in a web process whose Redis is a closed
    port: the request answers in well under 3 s (each mail used to cost 6 s), commits its
    change and the 20 rows marked for the sweep, and sends nothing. With Redis back, the
    sweep hands the rows over at its next run – no grace period, they have no task – and
    each of the 20 arrives once."""
    import json

    from events.models import Meeting
    from forum.models import Role
    from issues import services as issue_services
    from issues.models import Issue
    from tests.factories import make_company, make_forum, make_meeting, make_registration, make_role_holder
    from tests.unreachable import run_python

    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR)
    meeting = make_meeting(forum)
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    issue = issue_services.issue_create(actor=coordinator, meeting=meeting, text="Fler lunchplatser",
                                        side="business", keyed_in=True)
    for n in range(20):
        supporter = make_registration(meeting, make_company(), attendee=None,
                                      attendee_email=f"stodjare{n}@forum.example")
        issue_services.issue_support(issue=issue, registration=supporter)

    result = run_python(
        "import json, time\n"
        "from django.test import Client\n"
        "from accounts.models import User\n"
        "client = Client(SERVER_NAME='localhost')\n"
        f"client.force_login(User.objects.get(pk={coordinator.pk}))\n"
        "started = time.monotonic()\n"
        f"response = client.post('/fraga/{issue.pk}/hantera/', {{'action': 'status', 'status': 'candidate'}})\n"
        "print(json.dumps({'status': response.status_code, 'seconds': time.monotonic() - started}))\n"
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 302
    assert answer["seconds"] < 3, answer
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANDIDATE
    rows = OutboxMessage.objects.filter(template="issues/status_changed")
    assert rows.count() == 20
    assert set(rows.values_list("status", "handover_failed")) == {(OutboxMessage.Status.QUEUED, True)}
    assert not [m for m in mailbox.messages() if "stodjare" in str(m["To"])]

    # Redis is back (this process has it): the next sweep, not one after its grace period.
    assert services.outbox_sweep() == 20
    received = mailbox.wait_for(lambda m: "stodjare" in str(m["To"]), count=20)
    mailbox.wait_until_idle(rows)
    assert sorted(str(m["To"]) for m in received) == sorted(f"stodjare{n}@forum.example" for n in range(20))
    assert len([m for m in mailbox.messages() if "stodjare" in str(m["To"])]) == 20
    assert set(rows.values_list("status", "handover_failed")) == {(OutboxMessage.Status.SENT, False)}


@pytest.mark.django_db
def test_stuck_sending_row_is_interrupted_not_resent():
    message = _queue(to="fast@forum.example")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, sending_since=timezone.now() - timedelta(hours=1)
    )
    services.outbox_sweep()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.INTERRUPTED
    assert "Not resent" in message.last_error and "Message-ID" in message.last_error
    # The bulk write by the clock leaves one audit row naming the rows it marked.
    assert AuditEvent.objects.get(action="outbox.interrupt_bulk").data == {"messages": [message.pk], "count": 1}


@pytest.mark.django_db
def test_staff_see_status_and_attempts_in_admin(client):
    admin = User.objects.create_superuser("admin@forum.example", "Admin-lösen-123")
    message = _queue(to="synlig@forum.example")
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED, attempts=3)
    client.force_login(admin)
    client.cookies["django_language"] = "en"  # the labels' Swedish comes with the merged catalogue
    response = client.get("/admin/forum/outboxmessage/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "synlig@forum.example" in content
    assert "Failed: not delivered" in content
    # Requeue from the admin puts the row back in the queue.
    response = client.post(
        "/admin/forum/outboxmessage/",
        {"action": "requeue_messages", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED


@pytest.mark.django_db
def test_every_message_carries_the_message_id_made_when_it_was_queued(mailbox, settings):
    from urllib.parse import urlsplit

    message = _queue(to="message-id@forum.example")
    assert message.message_id.startswith("<")
    assert message.message_id.endswith(f"@{urlsplit(settings.FORUM_SITE_URL).hostname}>")
    assert OutboxMessage.objects.get(pk=message.pk).message_id == message.message_id
    assert services.outbox_deliver(message.pk).outcome == "sent"
    [received] = mailbox.wait_for(lambda m: "message-id@forum.example" in m["To"])
    assert received["Message-ID"] == message.message_id


@pytest.fixture
def sent_write_fails():
    """Make PostgreSQL refuse to record a message as sent – the first ``n`` times, as a
    database that restarts for a moment would – through a trigger on the outbox table.
    Yields ``fail(n)``; the trigger is dropped afterwards."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE forum_test_sent_attempts")
        cursor.execute("CREATE TABLE forum_test_sent_limit (failures integer)")
        cursor.execute("""
            CREATE FUNCTION forum_test_refuse_sent() RETURNS trigger AS $$
            BEGIN
              -- A sequence, not a counter row: it counts even in the transaction the error aborts.
              IF NEW.status = 'sent' AND nextval('forum_test_sent_attempts')
                  <= (SELECT failures FROM forum_test_sent_limit) THEN
                RAISE EXCEPTION 'the database went away';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        cursor.execute("CREATE TRIGGER forum_test_refuse_sent BEFORE UPDATE ON forum_outboxmessage "
                       "FOR EACH ROW EXECUTE FUNCTION forum_test_refuse_sent()")

    def fail(times: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM forum_test_sent_limit")
            cursor.execute("INSERT INTO forum_test_sent_limit VALUES (%s)", [times])

    try:
        yield fail
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS forum_test_refuse_sent ON forum_outboxmessage")
            cursor.execute("DROP FUNCTION IF EXISTS forum_test_refuse_sent()")
            cursor.execute("DROP TABLE IF EXISTS forum_test_sent_limit")
            cursor.execute("DROP SEQUENCE IF EXISTS forum_test_sent_attempts")


def _unhanded_row(to: str) -> OutboxMessage:
    """A queued row that only the test sends (created without an on-commit task)."""
    return OutboxMessage.objects.create(to_email=to, language="sv", subject="Tillstånd", body_text="Hej")


@pytest.mark.django_db(transaction=True)
def test_a_database_away_for_a_moment_after_the_mail_server_accepted_still_records_sent(
        mailbox, sent_write_fails, monkeypatch):
    monkeypatch.setattr(services.outbox, "RECORD_SENT_PAUSES", (0.05, 0.05, 0.05))
    sent_write_fails(2)
    message = _unhanded_row("strax-tillbaka@forum.example")
    assert services.outbox_deliver(message.pk).outcome == "sent"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    mailbox.wait_until_idle(OutboxMessage.objects.filter(pk=message.pk))
    assert len([m for m in mailbox.messages() if "strax-tillbaka@forum.example" in m["To"]]) == 1


@pytest.mark.django_db(transaction=True)
def test_accepted_but_unrecorded_mail_is_interrupted_and_requeued_only_after_a_warning(
        client, mailbox, sent_write_fails, monkeypatch):
    """The mail server accepted it, then recording "sent" kept failing: the row is not
    "failed" (which invites a requeue) but "interrupted: delivery unknown", and the admin
    shows its Message-ID and warns before sending it again."""
    from django.db import DatabaseError

    from forum.models import AuditEvent

    monkeypatch.setattr(services.outbox, "RECORD_SENT_PAUSES", (0.05,))
    sent_write_fails(100)
    message = _unhanded_row("okant@forum.example")
    failed = _unhanded_row("misslyckad@forum.example")
    OutboxMessage.objects.filter(pk=failed.pk).update(status=OutboxMessage.Status.FAILED)
    with pytest.raises(DatabaseError):
        services.outbox_deliver(message.pk)
    [received] = mailbox.wait_for(lambda m: "okant@forum.example" in m["To"])
    assert received["Message-ID"] == message.message_id
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENDING

    services.outbox_sweep(now=timezone.now() + services.OUTBOX_SENDING_TIMEOUT + timedelta(minutes=1))
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.INTERRUPTED
    sent_write_fails(0)  # the database is fine again (the worker sends what is requeued below)

    admin = User.objects.create_superuser("admin@forum.example", "Admin-lösen-123")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    changelist = "/admin/forum/outboxmessage/"
    assert "Interrupted: delivery unknown" in client.get(changelist).content.decode()
    both = [message.pk, failed.pk]
    # The action for failed mail requeues the failed row only, and says why not the other.
    response = client.post(changelist, {"action": "requeue_messages", "_selected_action": both}, follow=True)
    assert "may have arrived" in response.content.decode()
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.INTERRUPTED
    # Back in the queue (the worker may have sent it already).
    assert OutboxMessage.objects.get(pk=failed.pk).status != OutboxMessage.Status.FAILED
    # The action for unknown delivery first warns, with the Message-ID to look up, and changes nothing.
    response = client.post(changelist, {"action": "requeue_interrupted_messages", "_selected_action": both})
    assert response.status_code == 200
    page = response.content.decode()
    assert "may already have them" in page and message.message_id.strip("<>") in page
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.INTERRUPTED
    # Confirmed, it goes back in the queue, audited with the status it had.
    response = client.post(changelist, {"action": "requeue_interrupted_messages", "_selected_action": both,
                                        "confirm": "yes"})
    assert response.status_code == 302
    assert OutboxMessage.objects.get(pk=message.pk).status != OutboxMessage.Status.INTERRUPTED
    audit = AuditEvent.objects.filter(action="outbox.requeue", data__message=message.pk).get()
    assert audit.data["status"] == "interrupted" and audit.actor == admin
