"""The outbox against a mail server that misbehaves: a sink of the test's own
(tests/smtpsink.py in a process of its own, stopped and started again on its port) and a
raw SMTP server that hangs or drops the connection mid-message."""
from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from forum import services, smtp
from forum.models import OutboxMessage
from tests.mailbox import Mailbox
from tests.unreachable import OwnServer, closed_port

pytestmark = pytest.mark.django_db(transaction=True)


class Sink(OwnServer):
    """tests/smtpsink.py on a port of its own that a test can stop and start again."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.mailbox = Mailbox(directory)

    def command(self) -> list[str]:
        return [sys.executable, str(Path(django_settings.BASE_DIR) / "tests" / "smtpsink.py"), "--host", "127.0.0.1",
                "--port", str(self.port), "--dir", str(self.mailbox.dir)]

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False


@pytest.fixture
def own_sink(tmp_path, settings):
    sink = Sink(tmp_path / "mail")
    sink.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    smtp.discard()
    yield sink
    smtp.discard()
    sink.stop()


def _row(to: str) -> OutboxMessage:
    """A queued row that only the test sends (no on-commit task)."""
    return OutboxMessage.objects.create(to_email=to, language="sv", subject="Störning", body_text="Hej")


def test_a_reused_session_goes_to_the_restarted_mail_server_without_losing_an_attempt(own_sink, monkeypatch):
    """The worker keeps its SMTP session between mails (forum/smtp.py). The mail server
    restarts between two mails: the next one goes over a fresh session at once – not a
    failed attempt on the dead one, pushed back by the backoff."""
    # However long the restart takes, the session is still kept (not checked with NOOP, and
    # held as a sender holds it, so not closed for idleness): a restart between two mails of a burst.
    monkeypatch.setattr(smtp, "IDLE_CHECK_SECONDS", 600.0)
    before = _row("fore@forum.example")
    assert services.outbox_deliver(before.pk).outcome == "sent"
    kept = smtp.connection()
    own_sink.stop()
    own_sink.start()
    after = _row("efter@forum.example")
    assert services.outbox_deliver(after.pk).outcome == "sent"
    assert smtp.connection() is not kept
    smtp.sent()
    after.refresh_from_db()
    assert (after.status, after.attempts, after.last_error) == (OutboxMessage.Status.SENT, 1, "")
    assert sorted(str(m["To"]) for m in own_sink.mailbox.messages()) == ["efter@forum.example", "fore@forum.example"]


def _misbehaving_server(port: int, behaviour: str) -> socket.socket:
    """A minimal SMTP server on ``port`` that takes a message and then, after the final dot,
    ``drop``s the connection without a reply or ``hang``s. Close the returned socket to stop it."""
    server = socket.create_server(("127.0.0.1", port))

    def session(conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 drill\r\n")
            for line in lines:
                command = line[:4].upper()
                if command == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    for data in lines:
                        if data == b".\r\n":
                            break
                    if behaviour == "drop":
                        return
                    time.sleep(5)
                    return
                conn.sendall(b"221 bye\r\n" if command == b"QUIT" else b"250 ok\r\n")

    def serve() -> None:
        while True:
            try:
                conn, _address = server.accept()
            except OSError:
                return
            threading.Thread(target=session, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return server


@pytest.mark.parametrize("behaviour", ["drop", "hang"])
def test_a_server_that_drops_or_hangs_after_the_message_is_a_temporary_failure(settings, behaviour):
    """No reply to the message: not accepted, so it is tried again later (with the backoff),
    within EMAIL_TIMEOUT, and the session is not reused."""
    port = closed_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    server = _misbehaving_server(port, behaviour)
    smtp.discard()
    try:
        row = _row(f"{behaviour}@forum.example")
        started = time.monotonic()
        assert services.outbox_deliver(row.pk) == services.Delivery("retry", retry_in=30)
        assert time.monotonic() - started < 4
    finally:
        server.close()
        smtp.discard()
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.QUEUED and row.attempts == 1 and row.next_attempt_at
    assert "SMTPServerDisconnected" in row.last_error


@pytest.mark.worker
def test_a_newsletter_mail_the_server_refuses_for_good_is_failed_once_and_staff_see_it(client, forum, mailbox):
    """Through the suite's worker and sink: the sink refuses one of three mails with a 550.
    That row is "failed" after one attempt (a refusal is not tried again), the other two
    arrive once each, and the newsletter's status page counts the failed one."""
    from django.urls import reverse

    from communication import services as communication_services
    from forum.models import Role
    from tests.factories import make_role_holder

    communicator = make_role_holder(forum, Role.COMMUNICATOR, "kommunikator@forum.example")
    for n in range(3):
        follower = communication_services.follow_request(actor=None, forum=forum, email=f"lasare{n}@forum.example",
                                                         language="sv")
        communication_services.follow_confirm(follower=follower)
    mailbox.wait_until_idle(OutboxMessage.objects.all())  # the confirmation mails are out of the way
    mailbox.fail_next(1, permanent=True)
    newsletter = communication_services.newsletter_save(actor=communicator, forum=forum, subject_sv="Vägrat brev",
                                                        body_sv="Text", audiences=["followers"])
    communication_services.newsletter_schedule(actor=communicator, newsletter=newsletter)
    rows = OutboxMessage.objects.filter(template="communication/newsletter")
    mailbox.wait_for(lambda m: "Vägrat brev" in str(m["Subject"]), count=2, timeout=60)
    mailbox.wait_until_idle(rows)
    assert len([m for m in mailbox.messages() if "Vägrat brev" in str(m["Subject"])]) == 2
    [failed] = rows.filter(status=OutboxMessage.Status.FAILED)
    assert failed.attempts == 1 and "550" in failed.last_error
    assert rows.filter(status=OutboxMessage.Status.SENT).count() == 2
    client.force_login(communicator)
    progress = client.get(reverse("communication:newsletter_progress", args=[newsletter.pk])).json()
    assert (progress["sent"], progress["failed"], progress["queued"]) == (2, 1, 0)
    page = client.get(newsletter.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("communication:newsletter_retry", args=[newsletter.pk]) in page
    # The send task has finished too (nothing of it still runs when the test's data goes).
    deadline = time.monotonic() + 30
    while newsletter.__class__.objects.get(pk=newsletter.pk).status != newsletter.Status.SENT:
        assert time.monotonic() < deadline, "the newsletter's send task did not finish"
        time.sleep(0.1)
