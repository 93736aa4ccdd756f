#!/usr/bin/env python3
"""Throwaway SMTP sink for the test suite.

Every accepted message is stored atomically as ``<dir>/<timestamp_ns>-<uuid>.eml``
(written under a temporary name, then renamed). Two headers are prepended with the
SMTP envelope: ``X-Sink-Mail-From`` and ``X-Sink-Rcpt-To``.

Failure injection: if ``<dir>/fail_next`` holds an integer N > 0, the sink
decrements it and answers DATA with a 451 without storing the message.

State: ``<dir>/sessions`` holds the number of SMTP connections open right now, so a test can
wait until no message is on its way (tests/mailbox.py ``Mailbox.wait_until_idle``) instead of
sleeping.

Runs until SIGTERM / SIGINT.
"""
from __future__ import annotations

import argparse
import os
import signal
import threading
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

FAIL_REPLY = "451 4.3.0 Temporary failure, try again later"
# "fail_next" holding "<n> permanent": the next n DATA commands are refused for good.
PERMANENT_FAIL_REPLY = "550 5.1.1 Mailbox unavailable"


class SinkHandler:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.fail_file = os.path.join(directory, "fail_next")
        self.lock = threading.Lock()

    def _should_fail(self) -> str | None:
        """The reply for an injected failure of this DATA command, or None to accept it."""
        with self.lock:
            try:
                with open(self.fail_file) as fh:
                    count, _sep, kind = fh.read().strip().partition(" ")
                    remaining = int(count or "0")
            except (FileNotFoundError, ValueError):
                return None
            if remaining <= 0:
                return None
            tmp = f"{self.fail_file}.{uuid.uuid4().hex}.tmp"
            with open(tmp, "w") as fh:
                fh.write(f"{remaining - 1} {kind}".strip())
            os.replace(tmp, self.fail_file)
            return PERMANENT_FAIL_REPLY if kind == "permanent" else FAIL_REPLY

    async def handle_DATA(self, server, session, envelope):
        reply = self._should_fail()
        if reply:
            print(f"smtpsink: injected failure {reply[:3]}", flush=True)
            return reply
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        headers = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        tmp = os.path.join(self.directory, f".{name}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(headers + content)
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(tmp, os.path.join(self.directory, name))
        print(f"smtpsink: stored {name} for {envelope.rcpt_tos}", flush=True)
        return "250 2.0.0 Message accepted for delivery"


class SessionCounter:
    """The number of open SMTP connections, written to ``<dir>/sessions`` on every change."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, "sessions")
        self.lock = threading.Lock()
        self.open = 0
        self._write()

    def change(self, delta: int) -> None:
        with self.lock:
            self.open += delta
            self._write()

    def _write(self) -> None:
        tmp = f"{self.path}.{uuid.uuid4().hex}.tmp"
        with open(tmp, "w") as fh:
            fh.write(str(self.open))
        os.replace(tmp, self.path)


class CountingSMTP(SMTP):
    counter: SessionCounter

    def connection_made(self, transport):
        self.counter.change(+1)
        super().connection_made(transport)

    def connection_lost(self, error):
        try:
            super().connection_lost(error)
        finally:
            self.counter.change(-1)


class CountingController(Controller):
    def __init__(self, *args, counter: SessionCounter, **kwargs) -> None:
        self.counter = counter
        super().__init__(*args, **kwargs)

    def factory(self):
        server = CountingSMTP(self.handler, **self.SMTP_kwargs)
        server.counter = self.counter
        return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    controller = CountingController(
        SinkHandler(args.dir),
        counter=SessionCounter(args.dir),
        hostname=args.host,
        port=args.port,
        enable_SMTPUTF8=True,
        data_size_limit=0,
    )
    controller.start()
    print(f"smtpsink: listening on {args.host}:{args.port}, storing in {args.dir}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        controller.stop()
        print("smtpsink: stopped", flush=True)


if __name__ == "__main__":
    main()
