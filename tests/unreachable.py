"""Run the portal in another process whose Redis – broker and cache – is a closed port on
this machine, against the test database: what a web process sees while Redis is down.
Settings are read once per process, so the outage needs a process of its own."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
