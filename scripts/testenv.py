#!/usr/bin/env python3
"""Start throwaway services, run pytest against them, tear everything down.

    python scripts/testenv.py -- [pytest args]

Starts, in a temporary folder: a PostgreSQL cluster, a Redis server, the SMTP sink
(tests/smtpsink.py) and a Celery worker (working on the `test_forum` database that
pytest-django creates). Everything is stopped and removed on exit, whatever the cause.

When the arguments select only tests marked ``pure`` (they need none of the services:
tally, validators, …), pytest runs at once without them: `make test PYTEST_ARGS=tests/test_tally.py`.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = os.geteuid() == 0
PG_USER = "postgres"


def log(msg: str) -> None:
    print(f"[testenv] {msg}", file=sys.stderr, flush=True)


class Abort(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Abort(f"{what} exited with code {proc.returncode} before accepting connections")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise Abort(f"{what} did not accept connections on port {port} within {timeout}s")


def pg_bindir() -> Path:
    def version(path: str) -> tuple:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version)
    for cand in reversed(candidates):
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        return Path(out.stdout.strip())
    raise Abort("PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin, no pg_config)")


def as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *cmd] if IS_ROOT else cmd


def run(cmd: list[str], what: str, **kw) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        raise Abort(f"{what} failed ({res.returncode}): {' '.join(cmd)}\n{res.stdout}\n{res.stderr}")


def tail(path: Path, lines: int = 80) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(proc: subprocess.Popen | None, what: str, grace: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log(f"{what} did not stop within {grace}s; killing it")
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)
    # Leftover children (e.g. prefork pool processes) in the same group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _raise_sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


class Env:
    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="forum-testenv-"))
        os.chmod(self.tmp, 0o755)  # the postgres user must traverse it
        self.procs: dict[str, subprocess.Popen] = {}
        self.pg_data: Path | None = None
        self.pg_bin: Path | None = None
        self.celery_log = self.tmp / "celery.log"
        self.env = dict(os.environ)

    # -- services -----------------------------------------------------------------
    def start_postgres(self) -> int:
        self.pg_bin = pg_bindir()
        pg_root = self.tmp / "pg"
        data, sock = pg_root / "data", pg_root / "sock"
        for d in (pg_root, sock):
            d.mkdir(mode=0o700)
        if IS_ROOT:
            shutil.chown(pg_root, PG_USER, PG_USER)
            shutil.chown(sock, PG_USER, PG_USER)
        port = free_port()
        run(
            as_pg([str(self.pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
            "initdb",
        )
        self.pg_data = data
        opts = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        # Extra server settings for a diagnosis, e.g. "-c shared_preload_libraries=pg_stat_statements".
        opts += " " + os.environ.get("FORUM_PG_OPTS", "")
        run(
            as_pg([str(self.pg_bin / "pg_ctl"), "-D", str(data), "-l", str(pg_root / "postgres.log"),
                   "-w", "-t", "60", "-o", opts, "start"]),
            "pg_ctl start",
            start_new_session=True,  # keep Ctrl-C from reaching the postmaster directly
        )
        createdb = self.pg_bin / "createdb"
        if not createdb.exists():
            createdb = Path(shutil.which("createdb") or "createdb")
        run([str(createdb), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "forum"], "createdb")
        log(f"PostgreSQL {self.pg_bin.parent.name} on 127.0.0.1:{port}")
        return port

    def start_redis(self) -> int:
        import redis

        exe = shutil.which("redis-server")
        if not exe:
            raise Abort("redis-server not found (run `make install`)")
        port = free_port()
        proc = self.procs["redis"] = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)],
            stdout=open(self.tmp / "redis.log", "wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise Abort(f"redis-server exited ({proc.returncode}):\n{tail(self.tmp / 'redis.log')}")
            try:
                if client.ping():
                    break
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise Abort("redis-server did not answer PING within 20s")
            time.sleep(0.1)
        client.close()
        log(f"Redis on 127.0.0.1:{port}")
        return port

    def start_sink(self, mail_dir: Path) -> int:
        port = free_port()
        proc = self.procs["smtpsink"] = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "smtpsink.py"), "--host", "127.0.0.1",
             "--port", str(port), "--dir", str(mail_dir)],
            stdout=open(self.tmp / "smtpsink.log", "wb"), stderr=subprocess.STDOUT,
            start_new_session=True, cwd=ROOT,
        )
        try:
            wait_for_port(port, proc, "SMTP sink")
        except Abort:
            log(tail(self.tmp / "smtpsink.log"))
            raise
        log(f"SMTP sink on 127.0.0.1:{port}, storing in {mail_dir}")
        return port

    def start_worker(self, pg_port: int) -> None:
        env = dict(self.env, DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/test_forum")
        proc = self.procs["celery"] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "forum", "worker", "-l", "info", "-c", "2",
             "-n", "testworker@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            stdout=open(self.celery_log, "wb"), stderr=subprocess.STDOUT,
            env=env, cwd=ROOT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise Abort(f"Celery worker exited ({proc.returncode}) during start-up:\n{tail(self.celery_log)}")
            text = self.celery_log.read_text(errors="replace") if self.celery_log.exists() else ""
            if " ready." in text:
                break
            if time.monotonic() > deadline:
                raise Abort(f"Celery worker not ready within 90s:\n{tail(self.celery_log)}")
            time.sleep(0.2)
        log("Celery worker ready")

    # -- teardown -----------------------------------------------------------------
    def stop(self) -> None:
        for name in ("celery", "smtpsink", "redis"):
            try:
                stop_process(self.procs.get(name), name)
            except Exception as exc:  # keep tearing down
                log(f"stopping {name}: {exc}")
        if self.pg_data is not None and self.pg_bin is not None:
            res = subprocess.run(
                as_pg([str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-m", "immediate", "-w", "stop"]),
                capture_output=True, text=True,
            )
            if res.returncode != 0:
                log(f"pg_ctl stop failed: {res.stderr.strip()}")
        shutil.rmtree(self.tmp, ignore_errors=True)


SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "EMAIL_PORT", "SMTP_SINK_DIR")


def _without_services() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}


def only_pure_tests(argv: list[str]) -> bool:
    """True if ``argv`` selects tests and all of them are marked pure (tests/conftest.py
    reports it after collecting). The whole suite (no arguments) is never collected twice."""
    if not any(not a.startswith("-") for a in argv):
        return False
    with tempfile.TemporaryDirectory(prefix="forum-plan-") as tmp:
        plan = Path(tmp) / "plan"
        subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *argv],
                       env={**_without_services(), "FORUM_TEST_PLAN": str(plan)}, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return plan.exists() and plan.read_text() == "pure"


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if only_pure_tests(argv):
        log("only pure tests selected: running them without the services")
        return subprocess.run([sys.executable, "-m", "pytest", *argv], env=_without_services(), cwd=ROOT).returncode
    signal.signal(signal.SIGTERM, _raise_sigterm)
    env = Env()
    pytest_proc: subprocess.Popen | None = None
    code = 1
    try:
        pg_port = env.start_postgres()
        redis_port = env.start_redis()
        mail_dir = env.tmp / "mail"
        mail_dir.mkdir()
        smtp_port = env.start_sink(mail_dir)
        env.env.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/forum",
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            SMTP_SINK_DIR=str(mail_dir),
            CHROMIUM_PATH=os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium",
            DJANGO_ALLOW_ASYNC_UNSAFE="true",
            OUTBOX_RETRY_BASE_SECONDS="1",
            DJANGO_SECRET_KEY="test-only-secret",
            # Plain http on loopback: no TLS redirect or secure-only cookies in tests.
            DJANGO_HTTPS="false",
            PYTHONUNBUFFERED="1",
        )
        env.env.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
        env.start_worker(pg_port)

        cmd = [sys.executable, "-m", "pytest", "--reuse-db", *argv]
        log("running: " + " ".join(cmd))
        pytest_proc = subprocess.Popen(cmd, env=env.env, cwd=ROOT)
        code = pytest_proc.wait()
    except Abort as exc:
        log(f"ERROR: {exc}")
        code = 1
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc or 'SIGINT'}); shutting down")
        if pytest_proc is not None and pytest_proc.poll() is None:
            pytest_proc.terminate()
            try:
                pytest_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pytest_proc.kill()
        code = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if code not in (0, 130) and env.celery_log.exists():
            log("---- celery worker log (tail) ----")
            print(tail(env.celery_log, 120), file=sys.stderr, flush=True)
            log("---- end of celery worker log ----")
        env.stop()
    if code == 5:
        log("FAILED: pytest collected no tests (exit code 5); a run without tests is a failure.")
    elif code not in (0, 130):
        log(f"FAILED: exit code {code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
