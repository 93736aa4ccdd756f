"""A Celery worker killed (SIGKILL) in the middle of a delivery: the mail is sent at least once
overall and never twice once the mail server may have it. The worker is a real one of the
test's own (its own Redis, the test database), its mail server a socket that does not answer."""
from __future__ import annotations

import os
import signal
import socket
from datetime import timedelta

import pytest
from celery import Celery
from django.utils import timezone

from forum import services
from forum.models import OutboxMessage
from tests.test_recovery import RedisServer, start_worker
from tests.unreachable import closed_port

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def silent_mail_server():
    """A port that accepts SMTP connections and never says a word (a mail server that hangs)."""
    server = socket.create_server(("127.0.0.1", closed_port()))
    yield server
    server.close()


@pytest.fixture
def doomed_worker(tmp_path, silent_mail_server, transactional_db):
    """A worker (solo pool) on its own Redis and the test database, mailing to the silent
    server; yields (its process, a Celery app publishing to its Redis)."""
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    log = tmp_path / "worker.log"
    process = start_worker(name="doomed", redis_url=redis_server.url, log=log,
                           EMAIL_PORT=str(silent_mail_server.getsockname()[1]), EMAIL_TIMEOUT="120")
    yield process, Celery("doomed", broker=redis_server.url, set_as_current=False)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    redis_server.stop()
    print(log.read_text(errors="replace")[-6000:])  # shown when the test failed


def test_a_worker_killed_before_the_mail_server_answered_leaves_the_mail_to_be_sent(
        doomed_worker, silent_mail_server, mailbox):
    process, app = doomed_worker
    to = "avbruten@forum.example"
    row = OutboxMessage.objects.create(to_email=to, language="sv", subject="Avbruten", body_text="Hej")
    app.send_task("forum.tasks.outbox_send", args=[row.pk])
    # The worker has taken the row and is waiting for the mail server's greeting.
    silent_mail_server.settimeout(30)
    connection, _address = silent_mail_server.accept()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    connection.close()

    # Nothing reached the mail server: the row is still queued (not "sending", which would
    # have become "interrupted: delivery unknown" and waited for staff).
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.QUEUED, 0)
    # The sweep (here past the time a "sending" row is reported interrupted) hands it over:
    # the suite's worker sends it, once.
    assert services.outbox_sweep(now=timezone.now() + services.OUTBOX_SENDING_TIMEOUT + timedelta(minutes=1)) == 1
    mailbox.wait_for(lambda m: to in m["To"])
    mailbox.wait_until_idle(OutboxMessage.objects.filter(pk=row.pk))
    assert len([m for m in mailbox.messages() if to in m["To"]]) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.SENT, 1)
