"""Recovery without waiting on timers (forum/recovery.py, forum/broker.py): a worker that
connects to the broker – at its start, or when Redis comes back – sends the mail that waited
and resumes half-done bulk invitations at once, once across workers; a web process gives up
on an unreachable broker at once, remembers it briefly, and notices by itself when it is back.

The outage is real: a Redis server of the test's own, stopped and started again on its port,
with a Celery worker of the test's own on the test database."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings

from events.models import InvitationBatch, Registration, SeatPool
from forum import broker, tasks
from forum.models import OutboxMessage
from tests.factories import make_company, make_meeting, pool_of
from tests.unreachable import OwnServer, closed_port, database_url


class RedisServer(OwnServer):
    """A redis-server on a port of its own that a test can stop and start again."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.directory)]

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def start_worker(*, name: str, redis_url: str, log: Path, **env: str) -> subprocess.Popen:
    """A Celery worker of the test's own (solo pool, its own process group) on the test database
    whose broker is ``redis_url``, started and ready; ``env`` adds to its environment. Its output
    goes to ``log``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "forum", "worker", "-l", "info", "-P", "solo", "-n", f"{name}@%h",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=settings.BASE_DIR, env={**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, **env},
        stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.1)
    return process


@pytest.fixture
def private_worker(private_redis, tmp_path, transactional_db):
    """A Celery worker on the test database whose broker is ``private_redis``."""
    log = tmp_path / "worker.log"
    process = start_worker(name="recovery", redis_url=private_redis.url, log=log)
    yield log
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    print(log.read_text(errors="replace")[-6000:])  # shown when the test failed


def _wait(condition, timeout: float, what: str) -> float:
    """Poll ``condition`` until true; return the seconds it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout}s"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.mark.worker
def test_a_worker_reconnecting_to_redis_sends_waiting_mail_and_resumes_batches_at_once(
        private_redis, private_worker, mailbox, forum):
    private_redis.stop()  # the worker loses its broker and keeps trying to reconnect
    # While Redis is down: mail committed without a task (as a web process leaves it), and a
    # bulk invitation whose worker was killed after the first of three companies.
    waiting = [
        OutboxMessage.objects.create(to_email=f"vantat{n}@forum.example", language="sv", subject="Väntat",
                                     body_text="Hej", handover_failed=True)
        for n in range(3)
    ]
    meeting = make_meeting(forum)
    meeting.status = meeting.Status.PUBLISHED
    meeting.save()
    companies = [make_company() for _ in range(3)]
    batch = InvitationBatch.objects.create(
        meeting=meeting, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK), total=3, done=1,
        status=InvitationBatch.Status.RUNNING,
        items=[{"organisation": c.pk, "email": f"bulk{i}@forum.example", "name": ""} for i, c in enumerate(companies)],
    )

    private_redis.start()  # Redis is back: no sweep, no beat; only the worker's reconnection
    took = _wait(lambda: len(mailbox.messages()) >= 3 + 2, timeout=60, what="mail after Redis returned")
    assert took < 60
    rows = OutboxMessage.objects.filter(pk__in=[m.pk for m in waiting])
    mailbox.wait_until_idle(rows)
    assert set(rows.values_list("status", "handover_failed")) == {(OutboxMessage.Status.SENT, False)}
    _wait(lambda: InvitationBatch.objects.get(pk=batch.pk).status == InvitationBatch.Status.DONE, 30, "batch")
    batch.refresh_from_db()
    assert batch.done == 3
    # The resumed batch went on from where it stopped: the first company was not invited again.
    assert set(Registration.objects.filter(meeting=meeting).values_list("contact_email", flat=True)) == {
        "bulk1@forum.example", "bulk2@forum.example"}
    log = private_worker.read_text(errors="replace")
    assert log.count("forum.tasks.outbox_recover[") >= 2  # at the start, and after reconnecting


@pytest.mark.django_db
def test_recovery_runs_once_across_workers():
    waiting = OutboxMessage.objects.create(to_email="en-gang@forum.example", language="sv", subject="En gång",
                                           body_text="Hej")
    assert tasks.outbox_recover.apply().get() == 1  # no grace period: the row from just now
    assert tasks.outbox_recover.apply().get() is None  # another worker, a moment later
    assert OutboxMessage.objects.get(pk=waiting.pk).handover_failed is False


def _nothing() -> None:
    """The task body of the throwaway Celery apps below (never run: only published)."""


@pytest.fixture
def forget_outages():
    broker.reset()
    yield
    broker.reset()  # this process's own publishing must not skip its broker in later tests


def test_an_unreachable_broker_costs_one_quick_attempt_then_none(forget_outages, monkeypatch):
    app = Celery("closed", broker=f"redis://127.0.0.1:{closed_port()}/0",
                 broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    task = app.task(name="closed.nothing")(_nothing)
    started = time.monotonic()
    assert broker.publish(task, [()] * 20) == (0, False)
    assert time.monotonic() - started < 1  # a plain apply_async took about 6 s for each
    assert not broker.available()
    started = time.monotonic()
    assert broker.publish(task, [()] * 20) == (0, False)
    assert time.monotonic() - started < 0.05  # the outage is remembered: no attempt at all


def test_a_web_process_notices_the_broker_is_back(forget_outages, private_redis, monkeypatch):
    monkeypatch.setattr(broker, "OUTAGE_SECONDS", 0.3)
    app = Celery("private", broker=private_redis.url,
                 broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    task = app.task(name="private.nothing")(_nothing)
    assert broker.publish(task, [()]) == (1, False)
    private_redis.stop()
    assert broker.publish(task, [(), ()]) == (0, False)
    private_redis.start()
    _wait(broker.available, timeout=5, what="the outage to be forgotten")
    assert broker.publish(task, [(), ()]) == (2, True)  # True: the caller asks for a sweep
    assert redis.Redis(port=private_redis.port).llen("celery") == 2  # the restart lost the first (no persistence)


def test_the_portals_redis_transport_builds_one_client_and_rides_out_a_restart(forget_outages, private_redis,
                                                                                monkeypatch):
    """forum.kombu_redis: the suite's REDIS_URL is redis://, so settings name the portal's
    transport; its channel builds one client object for its publishes (kombu's builds one
    per task), the tasks arrive, and after Redis restarts the next publishes go through."""
    from forum import kombu_redis

    assert settings.CELERY_BROKER_TRANSPORT == "forum.kombu_redis:Transport"
    monkeypatch.setattr(broker, "OUTAGE_SECONDS", 0.3)
    built = []
    create_client = kombu_redis.Channel._create_client

    def counting(self, *args, **kwargs):
        built.append(kwargs.get("asynchronous", False))
        return create_client(self, *args, **kwargs)

    monkeypatch.setattr(kombu_redis.Channel, "_create_client", counting)
    app = Celery("own", broker=private_redis.url, broker_transport=settings.CELERY_BROKER_TRANSPORT,
                 broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    task = app.task(name="own.nothing")(_nothing)
    for _ in range(5):
        assert broker.publish(task, [(), ()]) == (2, False)
    assert built.count(False) == 1  # one client object for ten tasks
    queued = redis.Redis(port=private_redis.port)
    assert queued.llen("celery") == 10
    with app.producer_or_acquire() as producer:
        assert isinstance(producer.channel, kombu_redis.Channel)

    private_redis.stop()
    assert broker.publish(task, [()]) == (0, False)
    private_redis.start()
    _wait(broker.available, timeout=5, what="the outage to be forgotten")
    assert broker.publish(task, [(), ()]) == (2, True)
    assert broker.publish(task, [()]) == (1, False)
    assert queued.llen("celery") == 3  # the restart lost the first ten (no persistence)
