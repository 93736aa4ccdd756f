#!/usr/bin/env python3
"""A burst of open registrations against the portal under gunicorn on PostgreSQL.

    python bench/registration_burst.py                      # 1,000 clients, 30 open seats
    python bench/registration_burst.py --clients 200 --seats 30 --concurrency 50
    python bench/registration_burst.py --url http://127.0.0.1:8000   # a running portal

By default the script starts its own throwaway PostgreSQL and Redis (the helpers of
scripts/testenv.py), migrates, creates a forum with one meeting (registration open, an open
pool of ``--seats`` seats, every other pool held so no released seats), ``--clients``
companies each with a confirmed representative and a ready session, then runs
``gunicorn forum.wsgi -w <2 × cores + 1> -k sync`` with ``bench.bench_settings`` (the
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

Standard library only on the client side (threads and plain sockets, bench/loadkit.py).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.burst_setup import Client, outcome, set_up  # noqa: E402 - set_up re-exported
from bench.loadkit import (  # noqa: E402 - re-exported: pages.py and profile_registration.py use them
    HTTPError,
    Result,
    _cookie,
    _snippet,
    burst,
    cpu_shares,
    cpu_snapshot,
    error_summary,
    http_once,
    load_average,
    log,
    percentile,
    start_gunicorn,
    wait_until_ready,
)
from scripts.testenv import Abort, Env, stop_process, tail  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SECRET_KEY = "bench-only-secret-" + "x" * 40
SETTINGS_MODULE = "bench.bench_settings"
MAX_CLIENTS = 20_000  # a bound on everything the script creates and fires




# --- the HTTP clients --------------------------------------------------------------------
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_FIELD = re.compile(r"<(input|select|option|textarea)\b([^>]*)>|</(select|textarea)>", re.I)
_ATTR = re.compile(r'([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(text)}


def _form(attrs_text: str, body: str) -> dict:
    """A form's action, method, field defaults and the choices of its selects, unchecked
    checkboxes and radios – what a browser would submit, read with regular expressions: the
    load generator shares the portal's two cores, and Python's HTMLParser cost 0.6 ms a page."""
    attrs = _attrs(attrs_text)
    form = {"action": attrs.get("action", ""), "method": attrs.get("method", "get").lower(), "fields": {},
            "options": {}}
    fields, options = form["fields"], form["options"]
    select = textarea = None
    textarea_start = 0
    for match in _FIELD.finditer(body):
        tag, closing = (match.group(1) or "").lower(), (match.group(3) or "").lower()
        if closing == "select":
            select = None
            continue
        if closing == "textarea":
            if textarea is not None:
                fields[textarea] = html.unescape(body[textarea_start:match.start()])
            textarea = None
            continue
        a = _attrs(match.group(2))
        if tag == "option":
            if select is not None:
                value = a.get("value", "")
                options.setdefault(select, []).append(value)
                if "selected" in a:
                    fields[select] = value
            continue
        if "name" not in a:
            continue
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in a:
                options.setdefault(name, []).append(a.get("value", "on"))
                continue
            fields[name] = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "select":
            select = name
            fields.setdefault(name, "")
        elif tag == "textarea":
            textarea, textarea_start = name, match.end()
            fields[name] = ""
    return form


def registration_form(html_text: str) -> dict | None:
    """The registration form among the page's POST forms (not the language or log-out form)."""
    forms = [_form(attrs, body) for attrs, body in _FORM.findall(html_text)]
    forms = [f for f in forms if f["method"] == "post" and "csrfmiddlewaretoken" in f["fields"]]
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


def register(host: str, port: int, path: str, client: Client, index: int, timeout: float) -> Result:
    started = time.perf_counter()
    try:
        cookie = f"sessionid={client.session_key}"
        status, headers, raw = http_once(host, port, "GET", path, {"Cookie": cookie, "Accept-Language": "sv"},
                                         timeout=timeout)
        if status != 200:
            return Result(False, time.perf_counter() - started, status, f"GET {status}")
        csrf = _cookie(headers, "csrftoken")
        form = registration_form(raw.decode("utf-8", "replace"))
        if form is None:
            return Result(False, time.perf_counter() - started, status, "no registration form on the page")
        action = form["action"] or path
        payload = urlencode(fill(form, client, index)).encode()
        post_started = time.perf_counter()
        status, _headers, raw = http_once(host, port, "POST", action, {
            "Cookie": f"{cookie}; csrftoken={csrf}" if csrf else cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept-Language": "sv",
            "Referer": f"http://{host}:{port}{path}",
        }, payload, timeout=timeout)
        done = time.perf_counter()
        ok = status in (200, 302, 303)
        return Result(ok, done - started, status,
                      "" if ok else f"POST {status}: {_snippet(raw.decode('utf-8', 'replace'))}",
                      {"post": done - post_started})
    except (OSError, HTTPError) as error:
        return Result(False, time.perf_counter() - started, 0, f"{type(error).__name__}: {error}")


def insert(host: str, port: int, timeout: float) -> Result:
    started = time.perf_counter()
    try:
        status, _headers, _raw = http_once(host, port, "POST", "/bench/insert/", {}, timeout=timeout)
        ok = status == 201
        return Result(ok, time.perf_counter() - started, status, "" if ok else f"POST {status}")
    except (OSError, HTTPError) as error:
        return Result(False, time.perf_counter() - started, 0, f"{type(error).__name__}: {error}")


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


def _postmaster_pid(env_stack: Env | None) -> int | None:
    """The throwaway cluster's postmaster (first line of postmaster.pid), for the CPU shares."""
    try:
        return int((env_stack.pg_data / "postmaster.pid").read_text().split()[0])  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError, IndexError):
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="registrations to fire (default 1000)")
    parser.add_argument("--seats", type=int, default=30, help="seats in the open pool (default 30)")
    parser.add_argument("--concurrency", type=int, default=100, help="clients in flight at once (default 100)")
    parser.add_argument("--url", help="a running portal on a loopback address (else one is started)")
    # Sync workers, 2 × cores + 1 (gunicorn's advice; README "Production"): measured fairer under a
    # burst than threaded workers, whose GIL lets a request wait behind its process's other threads.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (default 1: sync workers)")
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
            kind = "sync" if args.threads <= 1 else f"gthread × {args.threads} threads"
            log(f"starting gunicorn: {args.workers} workers ({kind})")
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
        server_pid = gunicorn.pid if gunicorn is not None else None
        postmaster = _postmaster_pid(env_stack)
        cpu_before = cpu_snapshot(server_pid, postmaster)
        results, wall = burst(jobs, args.concurrency, time.monotonic() + args.max_seconds)
        burst_cpu = cpu_shares(cpu_before, cpu_snapshot(server_pid, postmaster))
        counts = outcome(scenario.meeting_pk)
        connections.close_all()

        base_rate = base_p50 = base_p95 = float("nan")
        base_cpu = "–"
        if baseline_available:
            log(f"baseline: {args.clients} inserts, {args.concurrency} in flight")
            base_jobs = [lambda: insert(host, port, args.timeout) for _ in range(args.clients)]
            cpu_before = cpu_snapshot(server_pid, postmaster)
            base_results, base_wall = burst(base_jobs, args.concurrency, time.monotonic() + args.max_seconds)
            base_cpu = cpu_shares(cpu_before, cpu_snapshot(server_pid, postmaster))
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
              f"gunicorn {args.workers} {'sync' if args.threads <= 1 else f'× {args.threads} gthread'} workers, "
              f"{os.cpu_count()} CPU cores")
        print(f"confirmed            {confirmed}")
        print(f"waiting              {waiting}")
        print(f"errors               {errors}" + (f"  ({error_summary(results)})" if errors else ""))
        if errors and env_stack is not None and (env_stack.tmp / "gunicorn.log").exists():
            log("gunicorn's log, for the errors:\n" + tail(env_stack.tmp / "gunicorn.log", 40))
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
        print(f"CPU, burst           {burst_cpu}")
        print(f"CPU, baseline        {base_cpu}")
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
                {"what": "CPU during the burst", "value": burst_cpu, "target": ""},
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
