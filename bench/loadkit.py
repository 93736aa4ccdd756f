"""What the benchmarks share on the client side and for the stack: a request's result, a bounded
burst of jobs, percentiles, the error summary, the machine's load, and gunicorn started and
awaited. Standard library only (threads and plain sockets)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.testenv import Abort, free_port, wait_for_port  # noqa: E402


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


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


class HTTPError(Exception):
    """An answer that is not HTTP/1.x, or a connection closed before the whole answer."""


def http_once(host: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"",
              timeout: float = 60) -> tuple[int, list[tuple[str, str]], bytes]:
    """One HTTP/1.1 request on a connection of its own (``Connection: close``, as gunicorn's sync
    workers answer anyway): status, headers, body. The body is read as far as Content-Length
    says (else to the end) and the connection closed at once. Written on a plain socket rather
    than with http.client, whose header parsing (the email package) cost the load generator –
    which shares the portal's two cores – about a third of a millisecond per request."""
    request = [f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"]
    request += [f"{name}: {value}\r\n" for name, value in headers.items()]
    if body or method == "POST":
        request.append(f"Content-Length: {len(body)}\r\n")
    request.append("\r\n")
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall("".join(request).encode("latin-1") + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise HTTPError("connection closed before the headers")
            data += chunk
        head, _, received = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise HTTPError(f"not an HTTP answer: {lines[0][:80]!r}")
        answer = [(name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in lines[1:])]
        length = next((int(value) for name, value in answer if name.lower() == "content-length"), None)
        chunks = [received]
        size = len(received)
        while length is None or size < length:
            chunk = sock.recv(65536)
            if not chunk:
                if length is not None:
                    raise HTTPError(f"connection closed after {size} of {length} bytes")
                break
            chunks.append(chunk)
            size += len(chunk)
    return int(parts[1]), answer, b"".join(chunks)


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
            if http_once(host, port, "GET", "/", {}, timeout=5)[0] < 500:
                return
        except (OSError, HTTPError):
            pass
        time.sleep(0.3)
    raise Abort(f"the portal at {host}:{port} did not answer within {timeout}s")


# --- where the CPU went ------------------------------------------------------------------
_TICK = 100.0  # USER_HZ: /proc reports CPU time in 1/100 s on Linux


def _proc_stat(pid: str) -> tuple[str, int, float, float] | None:
    """(command, parent pid, own CPU s, reaped children's CPU s) of one process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    command = raw[raw.index("(") + 1: raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    # fields[0] is the state (field 3): utime, stime, cutime, cstime are fields 14–17.
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return command, int(fields[1]), (utime + stime) / _TICK, (cutime + cstime) / _TICK


def cpu_snapshot(server_pid: int | None, postmaster_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by: the machine (busy and idle, all cores), this process (the
    load generator), the server process tree started at ``server_pid`` (gunicorn and its
    workers) and PostgreSQL (the postmaster at ``postmaster_pid``, its live backends and the
    ones it has reaped). Two snapshots' difference says where a burst's CPU went."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    times = os.times()
    snapshot = {"busy": (sum(values[:8]) - idle) / _TICK, "idle": idle / _TICK, "server": 0.0, "postgres": 0.0,
                "client": times.user + times.system}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        stat = _proc_stat(pid)
        if stat is None:
            continue
        _command, parent, own, reaped = stat
        for root, key in ((server_pid, "server"), (postmaster_pid, "postgres")):
            if root is None:
                continue
            if int(pid) == root:
                snapshot[key] += own + reaped
            elif parent == root:
                snapshot[key] += own
    return snapshot


def cpu_shares(before: dict[str, float], after: dict[str, float]) -> str:
    """One line: the CPU seconds each part used between two snapshots, and the idle time."""
    delta = {key: after[key] - before[key] for key in before}
    other = delta["busy"] - delta["server"] - delta["postgres"] - delta["client"]
    return (f"portal {delta['server']:.1f} s, PostgreSQL {delta['postgres']:.1f} s, load generator "
            f"{delta['client']:.1f} s, other {max(other, 0):.1f} s, idle {delta['idle']:.1f} s "
            "(CPU seconds, all cores)")
