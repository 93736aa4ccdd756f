"""Run the portal in another process whose Redis – broker and cache – is a closed port on
this machine, against the test database: what a web process sees while Redis is down.
Settings are read once per process, so the outage needs a process of its own."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnServer:
    """A server process of the test's own on a port of its own, which a test can stop and start
    again (an outage, a restart). A subclass names its ``command()`` and says when it
    ``answers()``; ``start()`` returns once it does."""

    def __init__(self) -> None:
        self.port = closed_port()
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def answers(self) -> bool:
        raise NotImplementedError

    def start(self) -> None:
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + 20
        while not self.answers():
            assert self.process.poll() is None and time.monotonic() < deadline, f"{type(self).__name__} did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def database_url() -> str:
    """DATABASE_URL naming the test database that pytest-django created."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def environment(redis_port: int | None = None) -> dict[str, str]:
    """The environment of a process on the test database whose Redis is unreachable."""
    port = redis_port or closed_port()
    return {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": f"redis://127.0.0.1:{port}/0"}


def run_python(code: str, *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``code`` (after django.setup()) in such a process; fail with its output if it fails."""
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code],
                            cwd=settings.BASE_DIR, env=environment(), capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@contextmanager
def serve(*, timeout: float = 60, redis_port: int | None = None) -> Iterator[str]:
    """The portal under gunicorn (as in production) in such a process; yields its base URL.
    Static files are not collected: pages come without style, which these tests do not need.
    ``redis_port``: a Redis that does answer (the suite's), for tests about other services."""
    import time

    port = closed_port()  # free now; gunicorn takes it
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-redis-down-", suffix=".log", delete=False)
    env = {**environment(redis_port), "FORUM_SITE_URL": url, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "forum.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "4", "--timeout", "60"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited ({process.returncode}):\n{Path(log.name).read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start:\n{Path(log.name).read_text()}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(Path(log.name).read_text()[-5000:])  # shown by pytest when the test failed
        Path(log.name).unlink(missing_ok=True)
