"""allauth's mail – in the portal's own words – names the site from settings ("… ett konto på
Meet Malmö (forum.malmo.example)"), comes from it by name, and has a subject prefix followed by
a space – as it reaches the SMTP sink."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.adapter import AccountAdapter
from forum.models import OutboxMessage
from forum.tasks import outbox_send

PASSWORD = "Sommar-i-Malmö-2026"


def _send_account_mail(client, email: str, language: str = "sv") -> None:
    """Sign up (verification mail), ask for a log-in code and a password reset through the
    pages in ``language``, then send the queued mails to the SMTP sink."""

    def fresh_visit() -> None:  # logging out empties the test client's cookies, the language's too
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    fresh_visit()
    client.post(reverse("account_signup"), {"first_name": "Ida", "last_name": "Exempel", "email": email,
                                            "password1": PASSWORD, "password2": PASSWORD})
    fresh_visit()
    client.post(reverse("account_request_login_code"), {"email": email})
    fresh_visit()
    client.post(reverse("account_reset_password"), {"email": email})
    messages = OutboxMessage.objects.filter(to_email=email, template__startswith="account/email/")
    assert sorted(m.template.rsplit("/", 1)[1] for m in messages) == [
        "email_confirmation_signup", "login_code", "password_reset_key"]
    for message in messages:
        assert outbox_send.apply(args=[message.pk]).get() == "sent"


def _check(mails, *, name: str, domain: str) -> None:
    for mail in mails:
        # A non-ASCII subject is folded onto its own header line ("Subject: \n =?utf-8?…"): the
        # parser keeps the folding space, mail programs drop it.
        subject, body = str(mail["Subject"]).strip(), mail.get_body(preferencelist=("plain",)).get_content()
        assert subject.startswith(f"[{name}] ") and not re.search(r"\][^ ]", subject), subject
        assert name in body and domain in body, body
        assert name in str(mail["From"]), mail["From"]
        for gap in ("från !", "from !", " på .", " on .", "på \n", "on \n"):
            assert gap not in body, body


@pytest.mark.django_db
def test_account_mail_names_the_site_from_settings(client, mailbox, settings):
    settings.FORUM_SITE_NAME = "Meet Malmö"
    settings.FORUM_SITE_URL = "https://forum.malmo.example"
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = None
    _send_account_mail(client, "ida@forum.example")
    mails = mailbox.wait_for(lambda m: "ida@forum.example" in m["To"], count=3)
    _check(mails, name="Meet Malmö", domain="forum.malmo.example")
    assert all("Meet Malmö (forum.malmo.example)" in mail.get_body(preferencelist=("plain",)).get_content()
               for mail in mails)


@pytest.mark.django_db
def test_account_mail_by_default_and_in_english(client, mailbox, settings):
    settings.FORUM_SITE_NAME = ""
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = None
    domain = settings.FORUM_SITE_URL.split("://", 1)[1].split("/")[0]
    _send_account_mail(client, "sv@forum.example")
    _check(mailbox.wait_for(lambda m: "sv@forum.example" in m["To"], count=3), name="Forumportalen", domain=domain)
    _send_account_mail(client, "en@forum.example", "en")
    mails = mailbox.wait_for(lambda m: "en@forum.example" in m["To"], count=3)
    _check(mails, name="Forum portal", domain=domain)
    assert any(f"an account on Forum portal ({domain})" in mail.get_body(preferencelist=("plain",)).get_content()
               for mail in mails)


@pytest.mark.pure
def test_subject_prefix_from_the_environment_gets_its_space(settings):
    """settings.env() strips the variable's value ("[Malmö forum] " arrives as "[Malmö forum]"):
    the adapter puts exactly one space between prefix and subject."""
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Malmö forum]"
    assert (
        AccountAdapter().format_email_subject("Bekräfta din e-postadress") == "[Malmö forum] Bekräfta din e-postadress"
    )
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Malmö forum]   "
    assert AccountAdapter().format_email_subject("Din kod") == "[Malmö forum] Din kod"
