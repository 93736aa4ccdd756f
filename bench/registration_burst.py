#!/usr/bin/env python3
"""A burst of open registrations against the portal under gunicorn on PostgreSQL.

    python bench/registration_burst.py                      # 1,000 clients, 30 open seats
    python bench/registration_burst.py --clients 200 --seats 30 --concurrency 50
    python bench/registration_burst.py --url http://127.0.0.1:8000   # a running portal

By default the script starts its own throwaway PostgreSQL and Redis (the helpers of
scripts/testenv.py), migrates, creates a forum with one meeting (registration open, an open
pool of ``--seats`` seats, every other pool held so no released seats), ``--clients``
companies each with a confirmed representative and a ready session, then runs
``gunicorn forum.wsgi -w 4 -k gthread --threads 8`` with ``bench.bench_settings`` (the
portal's settings plus one baseline view).

Each client is one representative: GET the registration page with their session cookie
(for the CSRF token and the form), then POST the form. At most ``--concurrency`` clients are
in flight at once. Then, on the same stack, the same number of requests at the same
concurrency go to ``bench/insert/``: a bare Django view doing one indexed INSERT. Printed:
confirmed, waiting, errors, registrations per second, p50/p95 latency, baseline inserts per
second and the ratio.

With ``--url`` the portal must already run (ideally with
``DJANGO_SETTINGS_MODULE=bench.bench_settings``, else the baseline is skipped) and
``DATABASE_URL`` (and ``DJANGO_SECRET_KEY``) must be the portal's: the script creates its
data in that database, in a forum of its own. Only loopback addresses are accepted.

Standard library only on the client side (threads + http.client).
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.testenv import Abort, Env, free_port, stop_process, tail, wait_for_port  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SECRET_KEY = "bench-only-secret-" + "x" * 40
SETTINGS_MODULE = "bench.bench_settings"
MAX_CLIENTS = 20_000  # a bound on everything the script creates and fires


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --- set-up in the database --------------------------------------------------------------
@dataclass
class Client:
    session_key: str
    company_pk: int
    email: str


@dataclass
class Scenario:
    meeting_pk: int
    path: str
    clients: list[Client]


def _orgnr_pool(count: int) -> list[str]:
    """``count`` valid organisationsnummer (Luhn check digit) not yet in the register."""
    from forum.models import Organisation
    from forum.validators import luhn_check_digit

    taken = set(Organisation.objects.exclude(organisationsnummer=None).values_list("organisationsnummer", flat=True))
    start = secrets.randbelow(10**6 - count - 1)
    numbers = []
    prefix_number = 0
    while len(numbers) < count:
        first_nine = f"556{start + prefix_number:06d}"
        prefix_number += 1
        number = first_nine + luhn_check_digit(first_nine)
        formatted = f"{number[:6]}-{number[6:]}"
        if formatted not in taken:
            numbers.append(formatted)
    return numbers


def set_up(clients: int, seats: int) -> Scenario:
    """Create the forum, the meeting and ``clients`` representatives with sessions (bulk)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from events import services
    from events.models import Meeting, SeatPool
    from forum.models import Affiliation, Organisation
    from forum.services import forum_create

    User = get_user_model()
    run = secrets.token_hex(3)
    now = timezone.now()
    with transaction.atomic():
        forum = forum_create(actor=None, municipality="Malmö", name=f"Benchmark {run}", slug=f"bench-{run}")
        starts = now + dt.timedelta(days=60)  # every pool's hold date is 14 days before: in the future
        meeting = services.meeting_create(
            actor=None, forum=forum, kind=Meeting.Kind.CITY_FOR_BUSINESS, title=f"Belastningstest {run}",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
        )
        open_pool = meeting.pools.get(kind=SeatPool.Kind.OPEN)
        services.pool_save(actor=None, meeting=meeting, pool=open_pool, size=seats)
        services.meeting_update(actor=None, meeting=meeting, capacity=max(meeting.capacity, seats + 90))
        services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.REGISTRATION_OPEN)

        numbers = _orgnr_pool(clients)
        companies = Organisation.objects.bulk_create(
            Organisation(
                kind=Organisation.Kind.COMPANY,
                name=f"Lasttest {run} {i:05d} AB",
                organisationsnummer=numbers[i],
                sni_section="J",
                size_class=Organisation.SizeClass.MICRO,
                municipality="Malmö",
            )
            for i in range(clients)
        )
        password = make_password(secrets.token_urlsafe(16))  # hashed once: hashing 1,000 times takes minutes
        users = User.objects.bulk_create(
            User(email=f"rep-{run}-{i:05d}@bench.example", first_name="Rep", last_name=f"{i:05d}", password=password)
            for i in range(clients)
        )
        Affiliation.objects.bulk_create(
            Affiliation(person=u, organisation=c, title="VD", confirmed_at=now)
            for u, c in zip(users, companies, strict=True)
        )
        # A logged-in session per representative, as django.contrib.auth.login would write it.
        store = SessionStore()
        sessions, result = [], []
        for user, company in zip(users, companies, strict=True):
            key = store._get_new_session_key()
            data = store.encode({
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            })
            sessions.append(Session(session_key=key, session_data=data, expire_date=now + dt.timedelta(days=1)))
            result.append(Client(session_key=key, company_pk=company.pk, email=user.email))
        Session.objects.bulk_create(sessions)
    try:
        path = reverse("events:register", kwargs={"pk": meeting.pk})
    except NoReverseMatch:
        path = f"/tematraff/{meeting.pk}/anmal/"
        log(f"URL name events:register not found; using {path}")
    return Scenario(meeting_pk=meeting.pk, path=path, clients=result)


def outcome(meeting_pk: int) -> dict[str, int]:
    from django.db.models import Count

    from events.models import Registration

    rows = Registration.objects.filter(meeting_id=meeting_pk).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


# --- the HTTP clients --------------------------------------------------------------------
class FormParser(HTMLParser):
    """The POST forms of a page: their action and field defaults."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {},
                          "options": {}}
            self.forms.append(self._form)
        elif self._form is None or "name" not in a and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["options"].setdefault(a["name"], []).append(a.get("value", "on"))
                return
            self._form["fields"][a["name"]] = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], "")
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["options"].setdefault(self._select, []).append(value)
            if "selected" in a:
                self._form["fields"][self._select] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def registration_form(html: str) -> dict | None:
    """The registration form among the page's POST forms (not the language or log-out form)."""
    # Only the forms themselves are parsed (the load generator shares the portal's two cores):
    # the registration form first, every form if none looks like it.
    chunks = re.findall(r"<form\b.*?</form>", html, re.S | re.I)
    wanted = [c for c in chunks if 'name="consent"' in c or 'name="attendee_' in c]
    parser = FormParser()
    parser.feed("".join(wanted or chunks))
    forms = [f for f in parser.forms if f["method"] == "post" and "csrfmiddlewaretoken" in f["fields"]]
    for form in forms:
        names = set(form["fields"]) | set(form["options"])
        if names & {"consent", "attendee_name", "attendee_email"}:
            return form
    return max(forms, key=lambda f: len(f["fields"]) + len(f["options"]), default=None)


def fill(form: dict, client: Client, index: int) -> dict[str, str]:
    """The form's defaults plus what a representative types (documented in bench/README.md)."""
    data = dict(form["fields"])
    # Choices left empty (a select without a selection, unchecked radios): take the first real one.
    for name, options in form["options"].items():
        values = [v for v in options if v]
        if name != "consent" and not data.get(name) and values:
            data[name] = values[0]
    data.update({
        "attendee_name": f"Deltagare {index:05d}",
        "attendee_email": client.email,
        "dietary_needs": "Vegetarisk" if index % 7 == 0 else "",
        "accessibility_needs": "",
        "consent": "on",
    })
    for name in ("organisation", "company"):
        if name in data or name in form["options"]:
            data[name] = str(client.company_pk)
    return data


@dataclass
class Result:
    ok: bool
    latency: float  # seconds, for the whole registration (GET + POST) or the one request
    status: int = 0
    error: str = ""
    extra: dict = field(default_factory=dict)


def _cookie(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return ""


def register(host: str, port: int, path: str, client: Client, index: int, timeout: float) -> Result:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        cookie = f"sessionid={client.session_key}"
        conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "sv"})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        if response.status != 200:
            return Result(False, time.perf_counter() - started, response.status, f"GET {response.status}")
        csrf = _cookie(response.getheaders(), "csrftoken")
        form = registration_form(body)
        if form is None:
            return Result(False, time.perf_counter() - started, response.status, "no registration form on the page")
        action = form["action"] or path
        payload = urlencode(fill(form, client, index))
        post_started = time.perf_counter()
        conn.request("POST", action, body=payload, headers={
            "Cookie": f"{cookie}; csrftoken={csrf}" if csrf else cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept-Language": "sv",
            "Referer": f"http://{host}:{port}{path}",
        })
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        done = time.perf_counter()
        ok = response.status in (200, 302, 303)
        return Result(ok, done - started, response.status, "" if ok else f"POST {response.status}: {_snippet(text)}",
                      {"post": done - post_started})
    except (OSError, http.client.HTTPException) as error:
        return Result(False, time.perf_counter() - started, 0, f"{type(error).__name__}: {error}")
    finally:
        conn.close()


def insert(host: str, port: int, timeout: float) -> Result:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", "/bench/insert/", body=b"", headers={"Content-Length": "0"})
        response = conn.getresponse()
        response.read()
        ok = response.status == 201
        return Result(ok, time.perf_counter() - started, response.status, "" if ok else f"POST {response.status}")
    except (OSError, http.client.HTTPException) as error:
        return Result(False, time.perf_counter() - started, 0, f"{type(error).__name__}: {error}")
    finally:
        conn.close()


def _snippet(html: str) -> str:
    """The first alert or error message of a page, for the error summary."""
    for marker in ('class="alert', 'class="invalid-feedback', "<title>"):
        at = html.find(marker)
        if at >= 0:
            chunk = html[at: at + 400]
            return " ".join(re.sub(r"<[^>]+>", " ", chunk.split(">", 1)[-1]).split())[:160]
    return " ".join(html.split())[:160]


def burst(jobs, concurrency: int, deadline: float) -> tuple[list[Result], float]:
    """Run the jobs with at most ``concurrency`` in flight; returns results and wall time."""
    results: list[Result] = []
    lock = threading.Lock()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="client") as pool:
        futures = [pool.submit(job) for job in jobs]
        done, pending = wait(futures, timeout=max(deadline - time.monotonic(), 1))
        for future in pending:
            future.cancel()
        for future in done:
            with lock:
                results.append(future.result())
        results.extend(Result(False, 0.0, 0, "not finished before the deadline") for _ in pending)
    return results, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def error_summary(results: list[Result]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        if not r.ok:
            counts[r.error] = counts.get(r.error, 0) + 1
    return "; ".join(f"{n} × {msg}" for msg, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5])


def lock_holds(path: Path | None) -> list[float]:
    """The meeting lock hold times (ms) the portal's workers logged, one per line."""
    if path is None or not path.exists():
        return []
    values = []
    for line in path.read_text().splitlines():
        try:
            values.append(float(line))
        except ValueError:
            continue
    return values


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --- the stack ---------------------------------------------------------------------------
def start_gunicorn(env: dict, workers: int, threads: int, log_path: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free loopback port: ``threads`` 1 means sync workers (one request per
    process at a time, as README's deployment runs it), more means gthread workers."""
    port = free_port()
    kind = ["-k", "sync"] if threads <= 1 else ["-k", "gthread", "--threads", str(threads)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "forum.wsgi", "-w", str(workers), *kind,
         "-b", f"127.0.0.1:{port}", "--timeout", "120", "--backlog", "2048"],
        stdout=open(log_path, "wb"), stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True,
    )
    wait_for_port(port, proc, "gunicorn", timeout=60)
    return proc, port


def wait_until_ready(host: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", "/")
            status = conn.getresponse().status
            conn.close()
            if status < 500:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.3)
    raise Abort(f"the portal at {host}:{port} did not answer within {timeout}s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="registrations to fire (default 1000)")
    parser.add_argument("--seats", type=int, default=30, help="seats in the open pool (default 30)")
    parser.add_argument("--concurrency", type=int, default=100, help="clients in flight at once (default 100)")
    parser.add_argument("--url", help="a running portal on a loopback address (else one is started)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (default 8)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per HTTP request (default 60)")
    parser.add_argument("--max-seconds", type=float, default=600, help="bound on each burst (default 600)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file (bench/run_all.py)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.seats <= args.clients + 1000:
        parser.error(f"--clients must be 1..{MAX_CLIENTS} and --seats sensible")
    args.concurrency = max(1, min(args.concurrency, args.clients, 1000))

    env_stack: Env | None = None
    gunicorn: subprocess.Popen | None = None
    try:
        if args.url:
            parts = urlsplit(args.url)
            if parts.scheme != "http" or parts.hostname not in LOOPBACK:
                raise Abort("--url must be http:// on a loopback address (127.0.0.1, localhost, ::1)")
            if not os.environ.get("DATABASE_URL"):
                raise Abort("--url needs DATABASE_URL (and DJANGO_SECRET_KEY) of that portal to set up its data")
            host, port = parts.hostname, parts.port or 80
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
        else:
            env_stack = Env()
            pg_port = env_stack.start_postgres()
            redis_port = env_stack.start_redis()
            os.environ.update(
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/forum",
                REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
                DJANGO_SECRET_KEY=SECRET_KEY,
                DJANGO_HTTPS="false",
                DJANGO_ALLOWED_HOSTS="127.0.0.1",
                DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
                DJANGO_LOG_LEVEL="ERROR",  # 400s would otherwise log a line each
                # events.services logs how long each booking held the meeting lock (bench_settings).
                BENCH_LOCK_LOG=str(env_stack.tmp / "locks.log"),
            )
            host = "127.0.0.1"

        import django
        from django.core.management import call_command

        django.setup()
        if env_stack is not None:
            log("migrating")
            call_command("migrate", verbosity=0)
        log(f"creating {args.clients} companies with a confirmed representative and a session")
        t0 = time.perf_counter()
        scenario = set_up(args.clients, args.seats)
        log(f"set-up took {time.perf_counter() - t0:.1f}s; registration page {scenario.path}")
        from django.db import connections

        connections.close_all()

        if env_stack is not None:
            log(f"starting gunicorn: {args.workers} workers × {args.threads} threads (gthread)")
            gunicorn, port = start_gunicorn(dict(os.environ), args.workers, args.threads,
                                            env_stack.tmp / "gunicorn.log")
        wait_until_ready(host, port)

        # Warm-up: every worker imports its views and opens its database connection.
        warm = [lambda: insert(host, port, args.timeout) for _ in range(args.workers * args.threads)]
        warm_results, _ = burst(warm, args.workers * args.threads, time.monotonic() + 60)
        baseline_available = any(r.ok for r in warm_results)
        if not baseline_available:
            log(f"baseline view not available ({error_summary(warm_results)}); run the portal with "
                f"DJANGO_SETTINGS_MODULE={SETTINGS_MODULE}")

        log(f"burst: {args.clients} registrations, {args.concurrency} in flight, {args.seats} open seats")
        jobs = [
            (lambda c=c, i=i: register(host, port, scenario.path, c, i, args.timeout))
            for i, c in enumerate(scenario.clients)
        ]
        results, wall = burst(jobs, args.concurrency, time.monotonic() + args.max_seconds)
        counts = outcome(scenario.meeting_pk)
        connections.close_all()

        base_rate = base_p50 = base_p95 = float("nan")
        if baseline_available:
            log(f"baseline: {args.clients} inserts, {args.concurrency} in flight")
            base_jobs = [lambda: insert(host, port, args.timeout) for _ in range(args.clients)]
            base_results, base_wall = burst(base_jobs, args.concurrency, time.monotonic() + args.max_seconds)
            base_ok = [r.latency for r in base_results if r.ok]
            base_rate = len(base_ok) / base_wall if base_wall else float("nan")
            base_p50, base_p95 = percentile(base_ok, 50), percentile(base_ok, 95)

        ok = [r for r in results if r.ok]
        errors = len(results) - len(ok)
        rate = len(ok) / wall if wall else float("nan")
        lat = [r.latency for r in ok]
        post_lat = [r.extra["post"] for r in ok if "post" in r.extra]
        confirmed, waiting = counts.get("confirmed", 0), counts.get("waiting", 0)
        print()
        print(f"clients {args.clients}, open seats {args.seats}, in flight {args.concurrency}, "
              f"gunicorn {args.workers}×{args.threads} gthread, {os.cpu_count()} CPU cores")
        print(f"confirmed            {confirmed}")
        print(f"waiting              {waiting}")
        print(f"errors               {errors}" + (f"  ({error_summary(results)})" if errors else ""))
        print(f"registrations/s      {rate:.1f}   (each is GET form + POST; {len(ok)} in {wall:.2f}s)")
        print(f"latency p50 / p95    {percentile(lat, 50) * 1000:.0f} / {percentile(lat, 95) * 1000:.0f} ms "
              f"(POST alone {percentile(post_lat, 50) * 1000:.0f} / {percentile(post_lat, 95) * 1000:.0f} ms)")
        if baseline_available:
            print(
                f"baseline inserts/s   {base_rate:.1f}   (p50 / p95 {base_p50 * 1000:.0f} / {base_p95 * 1000:.0f} ms)"
            )
            print(f"ratio                {rate / base_rate:.2f} of the bare INSERT view "
                  f"({2 * rate / base_rate:.2f} counting HTTP requests)")
        else:
            print("baseline             not measured (bench/insert/ not mounted)")
        holds = lock_holds(env_stack.tmp / "locks.log" if env_stack is not None else None)
        if holds:
            print(f"meeting lock held    p50 / p95 {percentile(holds, 50):.1f} / {percentile(holds, 95):.1f} ms "
                  f"(max {max(holds):.1f} ms, {len(holds)} bookings; from taking the lock to the commit)")
        else:
            print("meeting lock held    not reported (needs the portal started by this script and events.locks)")
        print(f"machine load         {load_average()}")
        overbooked = confirmed + counts.get("offered", 0) > args.seats
        if args.json:
            p95 = percentile(lat, 95) * 1000
            rows = [
                {"what": f"registrations/s ({args.clients} clients, {args.concurrency} in flight)",
                 "value": f"{rate:.1f}", "target": "≥ 100"},
                {"what": "p50 / p95 of GET + POST", "value": f"{percentile(lat, 50) * 1000:.0f} / {p95:.0f} ms",
                 "target": "p95 ≤ 1500 ms"},
                {"what": "bare INSERT view, same run", "value": f"{base_rate:.1f}/s", "target": ""},
                {"what": "ratio to the bare view (per HTTP request)",
                 "value": f"{rate / base_rate:.3f} ({2 * rate / base_rate:.3f})" if baseline_available else "–",
                 "target": ""},
                {"what": "meeting lock held p50 / p95",
                 "value": f"{percentile(holds, 50):.1f} / {percentile(holds, 95):.1f} ms" if holds else "–",
                 "target": ""},
                {"what": "confirmed / waiting / errors / overbooked",
                 "value": f"{confirmed} / {waiting} / {errors} / {'YES' if overbooked else 'no'}",
                 "target": f"{args.seats} / … / 0 / no"},
            ]
            args.json.write_text(json.dumps({"rows": rows, "load": load_average()}))
        print(f"overbooked           {'YES' if overbooked else 'no'}")
        return 1 if overbooked or (errors and not ok) else 0
    except Abort as error:
        log(f"ERROR: {error}")
        if env_stack is not None and (env_stack.tmp / "gunicorn.log").exists():
            log(tail(env_stack.tmp / "gunicorn.log", 40))
        return 1
    finally:
        stop_process(gunicorn, "gunicorn")
        if env_stack is not None:
            env_stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
