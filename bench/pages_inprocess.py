"""The in-process half of bench/pages.py: each page through Django's test client as the forum's
coordinator (never served from the page cache) – its queries, p50/p95 and CPU time, the
anonymous visitor's cached hit – and, on request, a page's SQL or its profile."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.loadkit import percentile

if TYPE_CHECKING:
    from bench.pages import Page


def log(msg: str) -> None:
    print(f"[pages] {msg}", file=sys.stderr, flush=True)


@dataclass
class InProcess:
    queries: int
    p50: float
    p95: float
    status: int
    cpu_p50: float = 0.0  # CPU time of this process (ms): what the page costs, whatever the machine's load
    anon_queries: int | None = None
    anon_hit_ms: float | None = None


class QueryLog:
    """Every SQL statement a block runs, with its time: an execute wrapper, so it works whatever
    the connection's query log holds (Django keeps at most 9,000 and resets it per request)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, time.perf_counter() - started))

    def __len__(self) -> int:
        return len(self.statements)


def queries_of(client, path: str) -> tuple[QueryLog, int]:
    """The statements of one GET of ``path`` and its status."""
    from django.db import connection

    log_ = QueryLog()
    with connection.execute_wrapper(log_):
        response = client.get(path)
    return log_, response.status_code


def measure_in_process(pages: list[Page], session_key: str, repeat: int) -> dict[str, InProcess]:
    from django.conf import settings
    from django.test import Client

    results: dict[str, InProcess] = {}
    staff = Client(HTTP_ACCEPT_LANGUAGE="sv")
    staff.cookies[settings.SESSION_COOKIE_NAME] = session_key
    for page in pages:
        staff.get(page.path)  # warm: templates compiled, connection open
        queries, status = queries_of(staff, page.path)
        times, cpu = [], []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            staff.get(page.path)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        result = InProcess(len(queries), percentile(times, 50) * 1000, percentile(times, 95) * 1000, status,
                           percentile(cpu, 50) * 1000)
        if page.public:
            anonymous = Client(HTTP_ACCEPT_LANGUAGE="sv")
            anon_queries, _status = queries_of(anonymous, page.path)  # a miss: rendered and stored
            hits = []
            for _ in range(repeat):
                started = time.perf_counter()
                anonymous.get(page.path)
                hits.append(time.perf_counter() - started)
            result.anon_queries = len(anon_queries)
            result.anon_hit_ms = percentile(hits, 50) * 1000
        results[page.name] = result
        log(f"{page.name:24} {result.queries:3} queries  p50 {result.p50:6.1f} ms  p95 {result.p95:6.1f} ms  "
            f"CPU p50 {result.cpu_p50:6.1f} ms  ({status})")
    return results


def query_listing(path: str, session_key: str) -> list[str]:
    """The SQL of one request as the coordinator (for finding what grows)."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)
    queries, _status = queries_of(client, path)
    return [f"{seconds * 1000:7.1f} ms  {sql[:240]}" for sql, seconds in queries.statements]



def profile_listing(path: str, session_key: str, repeat: int, lines: int = 40) -> str:
    """cProfile of ``repeat`` requests of ``path`` as the coordinator, by cumulative time."""
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)  # warm: templates compiled, connections open
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(lines)
    return out.getvalue()
