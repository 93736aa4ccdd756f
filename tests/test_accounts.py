"""Accounts through the real pages: sign-up with verification, log-in by password and by
emailed code, password reset, email change behind re-authentication, rate limits."""
from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from forum.models import OutboxMessage
from tests.factories import make_user

PASSWORD = "Sommar-i-Malmö-2026"


def _latest_mail(to: str) -> OutboxMessage:
    return OutboxMessage.objects.filter(to_email=to).latest("created_at")


def _make_user(email: str = "anna@forum.example") -> User:
    return make_user(email, PASSWORD, first_name="Anna", last_name="Testsson", verified_email=True)


@pytest.mark.django_db
def test_sign_up_requires_email_verification(client):
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Ida",
            "last_name": "Exempel",
            "email": "ida@forum.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="ida@forum.example")
    assert (user.first_name, user.last_name, user.language) == ("Ida", "Exempel", "sv")
    # Not verified yet: logging in leads to the "verify your address" page, not in.
    assert not EmailAddress.objects.get(user=user).verified
    client.logout()
    response = client.post(reverse("account_login"), {"login": "ida@forum.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    # The verification link arrives through the outbox, in Swedish.
    mail = _latest_mail("ida@forum.example")
    assert mail.language == "sv"
    assert mail.body_html
    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", mail.body_text).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    client.logout()
    response = client.post(reverse("account_login"), {"login": "ida@forum.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_sign_up_bad_input_keeps_what_was_typed(client):
    response = client.post(
        reverse("account_signup"),
        {"first_name": "Ida", "last_name": "", "email": "inte-en-adress", "password1": "kort", "password2": "annat"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Fyll i en giltig e-postadress" in content
    assert 'value="Ida"' in content
    assert not User.objects.exists()


@pytest.mark.django_db
def test_log_in_by_emailed_code(client):
    user = _make_user()
    response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 302
    mail = _latest_mail(user.email)
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mail.body_text, re.MULTILINE).group(1)
    wrong = "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"
    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_password_reset_by_mail(client):
    user = _make_user()
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    mail = _latest_mail(user.email)
    link = re.search(r"https?://\S+/konto/password/reset/key/\S+/", mail.body_text).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "Nytt-lösenord-Limhamn-9"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


@pytest.mark.django_db
def test_email_change_asks_for_reauthentication(client):
    user = _make_user()
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "ny-adress@forum.example"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="ny-adress@forum.example").exists()
    # Re-authenticating with the password resumes the change.
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("account_email"), {"action_add": "", "email": "ny-adress@forum.example"})
    assert EmailAddress.objects.filter(email="ny-adress@forum.example", user=user).exists()
    assert OutboxMessage.objects.filter(to_email="ny-adress@forum.example").exists()


@pytest.mark.django_db
def test_failed_logins_are_rate_limited(client):
    """allauth counts failures in the (Redis) cache and then refuses further attempts."""
    user = _make_user()
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "fel-lösenord"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "_auth_user_id" not in client.session
    # The portal's own message (accounts.adapter); who else can still log in: test_login_protection.py.
    assert "Too many failed log-in attempts for this account." in response.content.decode()


@pytest.mark.django_db
def test_language_switch_is_remembered_for_mail(client):
    user = _make_user()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    response = client.get("/")
    assert "Forums on the portal" in response.content.decode()


@pytest.mark.django_db
def test_profile_update(client):
    user = _make_user()
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"first_name": "Anna", "last_name": "Ny", "language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.last_name, user.language) == ("Ny", "en")


@pytest.mark.django_db
def test_english_account_pages_say_log_in_and_create_account_as_the_header_does(client):
    """allauth's own English ("Sign In", "Sign Up", "Signup", "Remember Me", "Request Code",
    "Reset My Password") is corrected in forum/locale_overrides/en to the header's words."""
    client.cookies["django_language"] = "en"
    pages = {name: client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
             for name in ("account_login", "account_signup", "account_request_login_code", "account_reset_password")}
    for name, html in pages.items():
        for stock in ("Sign In", "Sign Up", "Signup", "Remember Me", "Request Code", "Reset My Password",
                      "please sign in", "please sign up", "sign-in"):
            assert stock not in html, (name, stock)
    assert re.search(r"<title>\s*Log in", pages["account_login"])
    assert "Remember me" in pages["account_login"] and re.search(r">\s*Log in\s*<", pages["account_login"])
    assert re.search(r"<title>\s*Create account", pages["account_signup"])
    assert re.search(r">\s*Create account\s*<", pages["account_signup"])
    assert "Send me a code" in pages["account_request_login_code"]
    assert "Send the link" in pages["account_reset_password"]
