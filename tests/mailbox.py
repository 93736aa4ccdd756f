"""Read the messages captured by tests/smtpsink.py."""
from __future__ import annotations

import email
import email.policy
import os
import re
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

URL_RE = re.compile(r"https?://[^\s<>\"']+")


class Mailbox:
    def __init__(self, directory: str | os.PathLike) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)

    @property
    def fail_file(self) -> Path:
        return self.dir / "fail_next"

    def _files(self) -> list[Path]:
        return sorted(p for p in self.dir.glob("*.eml") if not p.name.startswith("."))

    def clear(self) -> None:
        for path in self._files():
            path.unlink(missing_ok=True)
        self.fail_file.unlink(missing_ok=True)

    def messages(self) -> list[EmailMessage]:
        result = []
        for path in self._files():
            with open(path, "rb") as fh:
                result.append(email.message_from_binary_file(fh, policy=email.policy.default))
        return result

    def wait_for(
        self,
        predicate: Callable[[EmailMessage], bool] | None = None,
        count: int = 1,
        timeout: float = 20,
    ) -> list[EmailMessage]:
        """Poll until at least ``count`` messages match ``predicate``; return the matches."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [m for m in self.messages() if predicate is None or predicate(m)]
            if len(matching) >= count:
                return matching
            if time.monotonic() >= deadline:
                summary = [f"{m['To']!s}: {m['Subject']!s}" for m in self.messages()] or ["(empty)"]
                raise AssertionError(
                    f"Timed out after {timeout}s waiting for {count} matching message(s), "
                    f"got {len(matching)}. Mailbox holds:\n  " + "\n  ".join(summary)
                )
            time.sleep(0.1)

    def open_sessions(self) -> int:
        """How many SMTP connections the sink has open now (tests/smtpsink.py)."""
        try:
            return int((self.dir / "sessions").read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def wait_until_idle(self, rows: Any = None, timeout: float = 30) -> None:
        """Wait until nothing more can arrive: every outbox row of ``rows`` (a queryset) has
        left "queued" and "sending" – a row is sent at most once, so none of them can be sent
        again – and the sink has no connection open. What the mailbox then holds is final,
        without sleeping for "long enough"."""
        from forum.models import OutboxMessage

        deadline = time.monotonic() + timeout
        while True:
            pending = [] if rows is None else list(
                rows.filter(status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING])
                .values_list("pk", "status")
            )
            if not pending and self.open_sessions() == 0:
                return
            if time.monotonic() >= deadline:
                raise AssertionError(f"Not idle after {timeout}s: rows still on their way {pending}, "
                                     f"{self.open_sessions()} SMTP session(s) open")
            time.sleep(0.05)

    def fail_next(self, n: int, *, permanent: bool = False) -> None:
        """Make the sink answer the next ``n`` DATA commands with a 451 (or, ``permanent``, a 550)."""
        tmp = self.dir / f"fail_next.{uuid.uuid4().hex}.tmp"
        tmp.write_text(f"{int(n)} permanent" if permanent else str(int(n)))
        os.replace(tmp, self.fail_file)

    @staticmethod
    def body_text(msg: EmailMessage) -> str:
        part = msg.get_body(preferencelist=("plain",))
        if part is None:
            return ""
        return part.get_content()

    @classmethod
    def links(cls, msg: EmailMessage) -> list[str]:
        return [url.rstrip(".,;:!?)]") for url in URL_RE.findall(cls.body_text(msg))]


def body_text(msg: EmailMessage) -> str:
    return Mailbox.body_text(msg)


def links(msg: EmailMessage) -> list[str]:
    return Mailbox.links(msg)
