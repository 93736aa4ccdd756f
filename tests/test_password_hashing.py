"""The suite hashes passwords with a fast hasher (tests/conftest.py); this checks the real one
production uses, through the log-in page."""
from __future__ import annotations

import pytest
from django.conf import global_settings
from django.test import override_settings

from forum import settings as project_settings
from tests.factories import make_user


def test_production_keeps_djangos_default_hashers():
    assert not hasattr(project_settings, "PASSWORD_HASHERS")
    assert global_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS)
def test_a_password_hashed_with_pbkdf2_logs_in(client):
    user = make_user("riktig@example.se", password="Ett-riktigt-lösenord-1", verified_email=True)
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    response = client.post("/konto/login/", {"login": "riktig@example.se", "password": "Ett-riktigt-lösenord-1"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
