"""Forms that send mail without log-in (forum/antispam.py), through the accessibility report
form, on the real Redis cache: rate limits per client address, per user and per address mail
goes to; the honeypot and the minimum fill time; refused submissions write nothing and keep
what was typed; the receipt to a typed address never quotes the sender's text."""
from __future__ import annotations

import html
import re
import time

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse

from forum.antispam import started_token
from forum.forms import AccessibilityReportForm
from forum.models import AccessibilityReport, AuditEvent, OutboxMessage
from tests.factories import bot_guard_fields, make_user

DESCRIPTION = "Knappen Skicka saknar synlig fokusmarkering."
ACTION = AccessibilityReportForm.antispam_action


def _post(client, *, ip: str = "198.51.100.7", guard: dict | None = None, forwarded_for: str = "", **data):
    """Send the form in English from ``ip`` (REMOTE_ADDR) – through the proxy when
    ``forwarded_for`` gives its X-Forwarded-For."""
    fields = {"page_url": "/forum/", "description": DESCRIPTION, "email": "",
              **(bot_guard_fields(AccessibilityReportForm) if guard is None else guard), **data}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(reverse("forum:accessibility"), fields, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en", **headers)


def _nothing_written() -> bool:
    return not (AccessibilityReport.objects.exists() or OutboxMessage.objects.exists()
                or AuditEvent.objects.filter(action="accessibility.report").exists())


def _started_value(content: str) -> str:
    return html.unescape(re.search(r'name="started" value="([^"]*)"', content).group(1))


def _assert_kept(content: str, email: str = "") -> None:
    """What the person typed is on the page again."""
    assert DESCRIPTION in html.unescape(content)
    assert 'value="/forum/"' in content
    if email:
        assert f'value="{email}"' in content


@pytest.mark.django_db
def test_forty_posts_from_one_client_only_the_first_five_go_out(client):
    assert settings.FORUM_FORM_RATE_LIMITS["ip"] == "5/10m"
    statuses = [_post(client, email=f"besokare{n}@example.org").status_code for n in range(39)]
    response = _post(client, email="sista@example.org")
    assert statuses == [302] * 5 + [429] * 34
    assert response.status_code == 429
    assert AccessibilityReport.objects.count() == 5
    # Five to the accessibility contact, five receipts; nothing for the refused 35.
    assert OutboxMessage.objects.filter(to_email=settings.FORUM_ACCESSIBILITY_EMAIL).count() == 5
    assert OutboxMessage.objects.exclude(to_email=settings.FORUM_ACCESSIBILITY_EMAIL).count() == 5
    assert not OutboxMessage.objects.filter(to_email="sista@example.org").exists()
    content = response.content.decode()
    assert "You have sent many reports in a short time, so this one was not sent." in content
    assert settings.FORUM_ACCESSIBILITY_EMAIL in content
    _assert_kept(content, "sista@example.org")
    # Another client is not affected.
    assert _post(client, ip="198.51.100.8").status_code == 302


@pytest.mark.django_db
def test_mail_to_one_address_is_limited_across_client_addresses(client):
    assert settings.FORUM_FORM_RATE_LIMITS["address"] == "3/1h"
    # Case and a "+tag" reach the same mailbox, so they count as the same address.
    variants = ["offer@example.org", "Offer@Example.org", "offer+2@example.org", "offer+3@example.org"]
    statuses = [_post(client, ip=f"203.0.113.{n}", email=email).status_code for n, email in enumerate(variants, 1)]
    assert statuses == [302, 302, 302, 429]
    assert OutboxMessage.objects.exclude(to_email=settings.FORUM_ACCESSIBILITY_EMAIL).count() == 3
    response = _post(client, ip="203.0.113.9", email="offer@example.org")
    assert response.status_code == 429
    content = response.content.decode()
    assert "We have sent many messages to this email address in a short time" in content
    _assert_kept(content, "offer@example.org")
    assert AccessibilityReport.objects.count() == 3
    # The refused sendings did not count against their client: it can still send five.
    assert [_post(client, ip="203.0.113.9").status_code for _ in range(6)] == [302] * 5 + [429]


@pytest.mark.django_db
def test_logged_in_people_are_counted_per_person_not_per_address(client, settings):
    """City staff share one address: each logged-in person has their own count."""
    settings.FORUM_FORM_RATE_LIMITS = {**settings.FORUM_FORM_RATE_LIMITS, "user": "2/10m"}
    for email in ("ett@forum.example", "tva@forum.example"):
        client.force_login(make_user(email))
        assert [_post(client, ip="192.0.2.1").status_code for _ in range(3)] == [302, 302, 429]
    assert AccessibilityReport.objects.count() == 4
    client.logout()
    # Anonymous on the same address: the address's own count, untouched by the staff.
    assert _post(client, ip="192.0.2.1").status_code == 302


@pytest.mark.django_db
def test_client_address_behind_the_proxy_is_the_one_the_proxy_appended(client):
    """X-Forwarded-For as nginx sends it: entries a client forges come first and change nothing."""
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 1

    def post(forged: str, real: str):
        return _post(client, ip="127.0.0.1", forwarded_for=f"{forged}, {real}")

    assert [post(f"10.0.0.{n}", "203.0.113.50").status_code for n in range(6)] == [302] * 5 + [429]
    assert post("10.0.0.1", "203.0.113.51").status_code == 302


@pytest.mark.django_db
def test_honeypot_filled_is_refused_and_writes_nothing(client):
    response = _post(client, email="besokare@example.org", website="https://spam.example")
    assert response.status_code == 400
    assert _nothing_written()
    content = response.content.decode()
    assert "The form could not be sent. Check what you have written and send it again." in content
    _assert_kept(content, "besokare@example.org")
    # Shown again with the honeypot emptied, so a person whose browser filled it can resend.
    honeypot = re.search(r'<input[^>]*name="website"[^>]*>', content).group(0)
    assert "spam.example" not in honeypot and 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot


@pytest.mark.django_db
def test_sent_too_fast_is_refused_then_accepted_a_moment_later(client, settings):
    settings.FORUM_FORM_MIN_SECONDS = 3
    token = started_token(ACTION, time.time() - 1)
    response = _post(client, guard={"website": "", "started": token}, email="besokare@example.org")
    assert response.status_code == 400
    assert _nothing_written()
    _assert_kept(response.content.decode(), "besokare@example.org")
    # Nothing typed was wrong: the message says to wait and send again, not to check the text.
    assert re.search("Vänta en stund och skicka det igen|Wait a moment and send it again", response.content.decode())
    assert not re.search("Kontrollera det du har skrivit|Check what you have written", response.content.decode())
    # The page keeps its start time: sent again a moment later, it goes through.
    assert _started_value(response.content.decode()) == token
    settings.FORUM_FORM_MIN_SECONDS = 0.5
    response = _post(client, guard={"website": "", "started": token}, email="besokare@example.org")
    assert response.status_code == 302
    assert AccessibilityReport.objects.count() == 1


def _tampered() -> str:
    payload, stamp, signature = started_token(ACTION, time.time() - 60).split(":")
    earlier = signing.b64_encode(str(time.time() - 3600).encode()).decode()
    return ":".join([earlier, stamp, signature])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "started, message",
    [
        (None, "The form could not be sent."),
        ("", "The form could not be sent."),
        ("1700000000.0", "The form could not be sent."),
        ("tampered", "The form could not be sent."),
        ("other form", "The form could not be sent."),
        ("expired", "The page had been open for a long time, so the form was not sent."),
    ],
)
def test_missing_tampered_or_expired_start_time_is_refused(client, settings, started, message):
    guard = {
        "tampered": lambda: {"website": "", "started": _tampered()},
        "other form": lambda: {"website": "", "started": started_token("follow", time.time() - 60)},
        "expired": lambda: {"website": "", "started": started_token(
            ACTION, time.time() - settings.FORUM_FORM_MAX_AGE_SECONDS - 60)},
        None: lambda: {"website": ""},
    }.get(started, lambda: {"website": "", "started": started})()
    response = _post(client, guard=guard, email="besokare@example.org")
    assert response.status_code == 400
    assert _nothing_written()
    content = response.content.decode()
    assert message in content
    _assert_kept(content, "besokare@example.org")
    # The page shown again carries a fresh, valid start time: sent with it, the report goes through.
    settings.FORUM_FORM_MIN_SECONDS = 0
    response = _post(client, guard={"website": "", "started": _started_value(content)}, email="besokare@example.org")
    assert response.status_code == 302
    assert AccessibilityReport.objects.count() == 1


@pytest.mark.django_db
def test_a_person_at_a_normal_pace_gets_through_and_the_receipt_does_not_quote_the_text(client):
    assert settings.FORUM_FORM_MIN_SECONDS == 3
    response = _post(client, guard=bot_guard_fields(AccessibilityReportForm, age=20), email="besokare@example.org")
    assert response.status_code == 302
    report = AccessibilityReport.objects.get()
    assert report.description == DESCRIPTION
    to_contact = OutboxMessage.objects.get(to_email=settings.FORUM_ACCESSIBILITY_EMAIL)
    assert DESCRIPTION in to_contact.body_text and DESCRIPTION in to_contact.body_html
    receipt = OutboxMessage.objects.get(to_email="besokare@example.org")
    assert DESCRIPTION not in receipt.body_text and DESCRIPTION not in receipt.body_html
    assert settings.FORUM_ACCESSIBILITY_EMAIL in receipt.body_text


@pytest.mark.django_db
def test_receipt_quotes_the_text_only_to_the_reporters_own_verified_address(client):
    user = make_user("anna@forum.example", verified_email=True)
    client.force_login(user)
    assert _post(client, email="ANNA@forum.example").status_code == 302
    assert _post(client, email="nagon.annan@example.org").status_code == 302
    assert DESCRIPTION in OutboxMessage.objects.get(to_email="ANNA@forum.example").body_text
    assert DESCRIPTION not in OutboxMessage.objects.get(to_email="nagon.annan@example.org").body_text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_receipt_reaching_the_mail_server_does_not_contain_the_description(client, mailbox):
    assert _post(client, email="mottagare@example.org").status_code == 302
    [receipt] = mailbox.wait_for(lambda m: "mottagare@example.org" in m["To"])
    [to_contact] = mailbox.wait_for(lambda m: settings.FORUM_ACCESSIBILITY_EMAIL in m["To"])
    html_part = receipt.get_body(preferencelist=("html",)).get_content()
    assert DESCRIPTION not in mailbox.body_text(receipt) and DESCRIPTION not in html_part
    assert "/forum/" not in mailbox.body_text(receipt)
    assert DESCRIPTION in mailbox.body_text(to_contact)
