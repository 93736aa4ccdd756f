#!/usr/bin/env python3
"""A newsletter to 3,000 followers through the outbox and two Celery workers into a local SMTP
sink, side by side with a plain smtplib loop over one connection to the same sink.

    python bench/mail_fanout.py                    # 3,000 recipients, two workers
    python bench/mail_fanout.py --recipients 500 --workers 2

Starts a throwaway PostgreSQL, Redis and the SMTP sink of the tests (the helpers of
scripts/testenv.py), migrates, creates a forum, a communicator and ``--recipients`` confirmed
followers, and starts ``--workers`` Celery worker processes (one task at a time each). Then:

1. *Portal*: the newsletter is scheduled to go now (``communication.services.newsletter_schedule``,
   as the "Send" button does). The clock runs until the sink holds every message: the send
   task resolves the audience, writes one recipient row and one outbox row per address in
   batches of 200 (each mail rendered once per language, the unsubscribe link put in per
   address), and the workers deliver the rows, one SMTP connection per message, at most once
   each.
2. *Baseline*: the same number of messages of the same size, built with the standard
   library's ``email`` and sent with ``smtplib`` in a loop over one connection.

Prints both times, messages per second and the ratio. Standard library only on the baseline side.
"""
from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.testenv import Abort, Env, stop_process, tail  # noqa: E402

SECRET_KEY = "bench-only-secret-" + "y" * 40
MAX_RECIPIENTS = 50_000


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def count_mail(mail_dir: Path) -> int:
    return sum(1 for path in mail_dir.glob("*.eml") if not path.name.startswith("."))


def wait_for_mail(mail_dir: Path, count: int, timeout: float) -> float:
    """Seconds until ``mail_dir`` holds ``count`` messages (Abort after ``timeout``)."""
    started = time.perf_counter()
    while count_mail(mail_dir) < count:
        if time.perf_counter() - started > timeout:
            raise Abort(f"only {count_mail(mail_dir)} of {count} messages arrived within {timeout:.0f}s")
        time.sleep(0.05)
    return time.perf_counter() - started


def set_up(recipients: int):
    """A forum, a communicator and ``recipients`` confirmed followers; a newsletter to them."""
    from django.utils import timezone

    from accounts.models import User
    from communication import services
    from communication.models import Follower
    from forum.models import Role
    from forum.services import forum_create, role_grant

    forum = forum_create(actor=None, municipality="Benchstad", name="Benchforum", slug="bench")
    communicator = User.objects.create_user("kommunikator@bench.example", first_name="Mira", last_name="Bench")
    role_grant(actor=None, forum=forum, user=communicator, role=Role.COMMUNICATOR)
    now = timezone.now()
    Follower.objects.bulk_create(
        [Follower(forum=forum, email=f"foljare{n}@bench.example", language="en" if n % 5 == 0 else "sv",
                  confirmed_at=now) for n in range(recipients)], batch_size=1000)
    newsletter = services.newsletter_save(
        actor=communicator, forum=forum, subject_sv="Nyhetsbrev: året i Benchforum",
        body_sv="Tre tematräffar, **många frågor** och en prioriteringslista.\n\n- Vårens träffar\n- Nätverken\n",
        subject_en="Newsletter: the year in Benchforum", body_en="Three theme meetings and **many issues**.\n",
        audiences=["followers"])
    return communicator, newsletter


def start_workers(count: int, env: dict[str, str], tmp: Path) -> list[subprocess.Popen]:
    procs = []
    for n in range(count):
        logfile = tmp / f"worker{n}.log"
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "forum", "worker", "-l", "info", "-c", "1", "-n",
             f"bench{n}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            stdout=open(logfile, "wb"), stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True))
    deadline = time.monotonic() + 90
    for n, proc in enumerate(procs):
        while True:
            if proc.poll() is not None:
                raise Abort(f"worker {n} exited:\n{tail(tmp / f'worker{n}.log')}")
            if " ready." in (tmp / f"worker{n}.log").read_text(errors="replace"):
                break
            if time.monotonic() > deadline:
                raise Abort(f"worker {n} not ready within 90s")
            time.sleep(0.2)
    return procs


def baseline(host: str, port: int, sample: tuple[str, str, str], count: int) -> float:
    """``count`` messages like the newsletter's, over one SMTP connection, in a loop."""
    subject, text, html = sample
    started = time.perf_counter()
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        for n in range(count):
            message = EmailMessage()
            message["From"] = "Benchforum <noreply@bench.example>"
            message["To"] = f"baslinje{n}@bench.example"
            message["Subject"] = subject
            message.set_content(text)
            message.add_alternative(html, subtype="html")
            smtp.send_message(message)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=3000, help="followers the newsletter goes to (3000)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=900, help="bound on each run in seconds (default 900)")
    args = parser.parse_args(argv)
    if not 1 <= args.recipients <= MAX_RECIPIENTS or not 1 <= args.workers <= 8:
        parser.error(f"--recipients must be 1..{MAX_RECIPIENTS} and --workers 1..8")

    stack = Env()
    workers: list[subprocess.Popen] = []
    try:
        pg_port = stack.start_postgres()
        redis_port = stack.start_redis()
        mail_dir = stack.tmp / "mail"
        mail_dir.mkdir()
        smtp_port = stack.start_sink(mail_dir)
        os.environ.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/forum",
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port),
            DJANGO_SECRET_KEY=SECRET_KEY, DJANGO_HTTPS="false", DJANGO_SETTINGS_MODULE="forum.settings",
            DJANGO_LOG_LEVEL="ERROR", FORUM_SITE_URL="http://127.0.0.1:8000",
        )
        import django
        from django.core.management import call_command

        django.setup()
        log("migrating")
        call_command("migrate", verbosity=0)
        log(f"creating {args.recipients} followers")
        communicator, newsletter = set_up(args.recipients)
        from django.db import connections

        connections.close_all()
        workers = start_workers(args.workers, dict(os.environ), stack.tmp)
        log(f"{args.workers} workers ready; sending the newsletter")

        from communication import services
        from communication.models import Newsletter
        from forum.models import OutboxMessage

        started = time.perf_counter()
        services.newsletter_schedule(actor=communicator, newsletter=newsletter)
        wait_for_mail(mail_dir, args.recipients, args.timeout)
        portal = time.perf_counter() - started
        newsletter.refresh_from_db()
        sent = OutboxMessage.objects.filter(template="communication/newsletter",
                                            status=OutboxMessage.Status.SENT).count()
        log(f"portal: {args.recipients} messages in {portal:.1f}s; newsletter {newsletter.status}, {sent} rows sent")
        if newsletter.status != Newsletter.Status.SENT:
            log("note: the newsletter row was not yet marked sent when the last mail arrived")

        row = OutboxMessage.objects.filter(template="communication/newsletter", language="sv").first()
        sample = (row.subject, row.body_text, row.body_html)
        for path in mail_dir.glob("*.eml"):
            path.unlink()
        plain = baseline("127.0.0.1", smtp_port, sample, args.recipients)
        wait_for_mail(mail_dir, args.recipients, args.timeout)
        log(f"baseline: {args.recipients} messages in {plain:.1f}s over one connection")
        print(f"recipients={args.recipients} workers={args.workers}")
        print(f"portal (outbox, {args.workers} workers): {portal:.1f} s, {args.recipients / portal:.0f} messages/s")
        print(f"baseline (smtplib, one connection): {plain:.1f} s, {args.recipients / plain:.0f} messages/s")
        # As issue 14 states it: the portal's rate as a share of the plain loop's (≥ 0.5 wanted).
        print(f"rate of the portal / rate of the baseline: {plain / portal:.2f}")
        return 0
    except Abort as exc:
        log(f"ERROR: {exc}")
        return 1
    finally:
        for proc in workers:
            stop_process(proc, "celery worker")
        stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
