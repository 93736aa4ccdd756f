"""Log-in protection (README "Log-in protection", accounts.adapter) on the real Redis cache:
failed passwords are counted per client address and account together, so a stranger cannot
lock a known user out; a much higher ceiling per account stops a spread-out attack; log-in by
emailed code keeps working for a throttled account."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from forum.models import OutboxMessage
from tests.factories import make_user

PASSWORD = "Sommar-i-Malmö-2026"
WRONG = "fel-lösenord-123"
REFUSED = "Too many failed log-in attempts for this account."


def _log_in(password: str, ip: str, client: Client | None = None, email: str = "anna@forum.example"):
    """Post the log-in form (in English) from ``ip``; returns (client, response)."""
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)
    return client, response


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def anna():
    return make_user("anna@forum.example", PASSWORD, verified_email=True)


@pytest.mark.django_db
def test_wrong_passwords_from_one_address_do_not_lock_out_another(anna):
    attacker = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        _client, response = _log_in(WRONG, "198.51.100.66", attacker)
        assert response.status_code == 200 and REFUSED not in response.content.decode()
    # From that address even the right password is refused for a while, with a way out …
    client, response = _log_in(PASSWORD, "198.51.100.66")
    assert not _logged_in(client)
    assert REFUSED in response.content.decode()
    assert "Log in with a code sent to your email" in response.content.decode()
    # … but Anna, elsewhere, logs in.
    client, response = _log_in(PASSWORD, "203.0.113.10")
    assert response.status_code == 302 and _logged_in(client)


@pytest.mark.django_db
def test_the_right_password_is_not_counted(anna):
    """allauth counts each attempt before the password is checked and takes the right ones
    back: a sixth log-in in a row from one address would otherwise be over the limit of five."""
    for _ in range(6):
        client, _response = _log_in(PASSWORD, "203.0.113.10")
        assert _logged_in(client)


@pytest.mark.django_db
def test_a_ceiling_per_account_stops_an_attack_from_many_addresses(anna, settings):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed_account"] == "100/1h/key"
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed_account": "4/1h/key"}
    for n in range(4):  # one guess from each of four addresses: under every per-address limit
        _client, response = _log_in(WRONG, f"198.51.100.{n}")
        assert REFUSED not in response.content.decode()
    client, response = _log_in(PASSWORD, "203.0.113.10")
    assert not _logged_in(client)
    assert REFUSED in response.content.decode()
    # Another account is not affected.
    make_user("bo@forum.example", PASSWORD, verified_email=True)
    client, _response = _log_in(PASSWORD, "203.0.113.10", email="bo@forum.example")
    assert _logged_in(client)


@pytest.mark.django_db
def test_a_password_reset_clears_the_failures(anna):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        _log_in(WRONG, "198.51.100.66", client)
    client.post(reverse("account_reset_password"), {"email": anna.email}, REMOTE_ADDR="198.51.100.66")
    mail = OutboxMessage.objects.filter(to_email=anna.email).latest("created_at")
    path = "/" + re.search(r"https?://\S+/konto/password/reset/key/\S+/", mail.body_text).group(0).split("/", 3)[3]
    response = client.get(path, REMOTE_ADDR="198.51.100.66", follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "Nytt-lösenord-Limhamn-9"
    response = client.post(
        form_url, {"password1": new_password, "password2": new_password}, REMOTE_ADDR="198.51.100.66"
    )
    assert response.status_code == 302
    client, _response = _log_in(new_password, "198.51.100.66")
    assert _logged_in(client)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_log_in_by_emailed_code_works_while_the_password_is_throttled(anna, mailbox):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        _log_in(WRONG, "198.51.100.66", client)
    _client, response = _log_in(PASSWORD, "198.51.100.66", client)
    assert REFUSED in response.content.decode() and not _logged_in(client)

    response = client.post(reverse("account_request_login_code"), {"email": anna.email}, REMOTE_ADDR="198.51.100.66")
    assert response.status_code == 302
    [mail] = mailbox.wait_for(lambda m: anna.email in m["To"])
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mailbox.body_text(mail), re.MULTILINE).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code}, REMOTE_ADDR="198.51.100.66")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(anna.pk)
    assert settings.ACCOUNT_LOGIN_BY_CODE_ENABLED
