#!/usr/bin/env python3
"""Where a registration's time goes, in-process and one at a time (no HTTP, no concurrency).

    python bench/profile_registration.py                 # 200 registrations, 30 open seats
    python bench/profile_registration.py --clients 300 --profile 25 --sort tottime

Starts a throwaway PostgreSQL and Redis (scripts/testenv.py), migrates, creates the same
scenario as bench/registration_burst.py (one meeting, ``--clients`` representatives with a
session), then runs every registration through Django's test client: GET the registration
page, POST the form. Prints per step the median wall time and query count, the time the
booking held the meeting lock (``events.locks`` log), and a cProfile of the last
``--profile`` registrations (the waiting-list ones, the common case of a burst).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.registration_burst import SECRET_KEY, SETTINGS_MODULE, set_up  # noqa: E402
from scripts.testenv import Env  # noqa: E402


class _Holds(logging.Handler):
    """Collects the lock hold times events.services logs (``events.locks``)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        held = getattr(record, "held_ms", None)
        if held is not None:
            self.values.append(held)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--profile", type=int, default=20, help="registrations profiled at the end")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--dump", default="", help="also write the profile to this file (for pstats or snakeviz)")
    args = parser.parse_args(argv)

    env_stack = Env()
    try:
        pg_port = env_stack.start_postgres()
        redis_port = env_stack.start_redis()
        os.environ.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/forum",
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            DJANGO_SECRET_KEY=SECRET_KEY, DJANGO_HTTPS="false", DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
            DJANGO_SETTINGS_MODULE=SETTINGS_MODULE, DJANGO_LOG_LEVEL="ERROR",
        )
        import django
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        django.setup()
        call_command("migrate", verbosity=0)
        scenario = set_up(args.clients, args.seats)
        holds = _Holds()
        lock_logger = logging.getLogger("events.locks")
        lock_logger.addHandler(holds)
        lock_logger.setLevel(logging.DEBUG)
        lock_logger.propagate = False

        rows: dict[str, list[tuple[float, int, float]]] = {"GET": [], "POST": []}
        profiler = cProfile.Profile()
        first_profiled = max(len(scenario.clients) - args.profile, 0)
        for index, client_data in enumerate(scenario.clients):
            client = Client(HTTP_ACCEPT_LANGUAGE="sv")
            client.cookies[settings.SESSION_COOKIE_NAME] = client_data.session_key
            profiling = index >= first_profiled
            if profiling:
                profiler.enable()
            with CaptureQueriesContext(connection) as get_queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(scenario.path)
                get_time = time.perf_counter() - started
                get_cpu = time.process_time() - cpu_started
            assert response.status_code == 200, response.status_code
            data = {
                "organisation": str(client_data.company_pk), "attendee_name": f"Deltagare {index}",
                "attendee_email": client_data.email, "dietary_needs": "", "accessibility_needs": "", "consent": "on",
            }
            with CaptureQueriesContext(connection) as post_queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.post(scenario.path, data)
                post_time = time.perf_counter() - started
                post_cpu = time.process_time() - cpu_started
            if profiling:
                profiler.disable()
            assert response.status_code in (302, 303), (response.status_code, response.content[:2000])
            rows["GET"].append((get_time, len(get_queries), get_cpu))
            rows["POST"].append((post_time, len(post_queries), post_cpu))
            if index == len(scenario.clients) - 1:
                last_post = [_timed(q) for q in post_queries.captured_queries]
                last_get = [_timed(q) for q in get_queries.captured_queries]

        print(f"\n{len(scenario.clients)} registrations, one at a time, in-process (load {_load()})")
        for step, values in rows.items():
            times = [t for t, _n, _c in values]
            cpu = [c for _t, _n, c in values]
            print(f"{step:5} median {statistics.median(times) * 1000:6.1f} ms   p95 "
                  f"{sorted(times)[int(0.95 * (len(times) - 1))] * 1000:6.1f} ms   CPU median "
                  f"{statistics.median(cpu) * 1000:6.1f} ms   queries (last) {values[-1][1]}")
        if holds.values:
            ordered = sorted(holds.values)
            print(f"lock held median {statistics.median(ordered):.1f} ms   p95 "
                  f"{ordered[int(0.95 * (len(ordered) - 1))]:.1f} ms   ({len(ordered)} bookings)")
        print("\nqueries of the last GET:")
        print("\n".join(f"  {q}" for q in last_get))
        print("queries of the last POST:")
        print("\n".join(f"  {q}" for q in last_post))
        out = io.StringIO()
        if args.dump:
            profiler.dump_stats(args.dump)
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.lines)
        print(out.getvalue())
        return 0
    finally:
        env_stack.stop()


def _timed(query: dict) -> str:
    """A captured query with its time (Django rounds it to the millisecond)."""
    return f'{float(query["time"]) * 1000:6.2f} ms  {query["sql"][:150]}'


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
