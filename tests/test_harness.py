"""Checks that the throwaway services started by scripts/testenv.py are usable."""
from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

import pytest
import redis


def _message(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "harness@example.org"
    msg["To"] = "someone@example.org"
    msg["Subject"] = subject
    msg.set_content(f"Hej! Se https://example.org/{subject.replace(' ', '-')}.\n")
    return msg


def _send(msg: EmailMessage) -> None:
    with smtplib.SMTP(os.environ["EMAIL_HOST"], int(os.environ["EMAIL_PORT"]), timeout=10) as smtp:
        smtp.send_message(msg)


def test_sink_stores_messages(mailbox):
    _send(_message("harness one"))
    [msg] = mailbox.wait_for(lambda m: m["Subject"] == "harness one", timeout=10)
    assert msg["To"] == "someone@example.org"
    assert "someone@example.org" in msg["X-Sink-Rcpt-To"]
    assert mailbox.links(msg) == ["https://example.org/harness-one"]


def test_sink_failure_injection(mailbox):
    mailbox.fail_next(1)
    with pytest.raises(smtplib.SMTPDataError) as excinfo:
        _send(_message("rejected"))
    assert excinfo.value.smtp_code == 451
    _send(_message("accepted"))
    messages = mailbox.wait_for(timeout=10)
    assert [m["Subject"] for m in messages] == ["accepted"]


def test_redis_answers_ping():
    assert redis.Redis.from_url(os.environ["REDIS_URL"]).ping() is True
