"""The base interface: pages in Swedish and English, fixed query counts, the accessibility
statement with its report form, and production settings."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from forum import services
from forum.forms import AccessibilityReportForm
from forum.models import AccessibilityReport, OutboxMessage
from tests.factories import bot_guard_fields, make_forum


@pytest.mark.django_db
def test_home_lists_forums_in_swedish(client):
    services.forum_create(actor=None, municipality="Malmö", name="11:11 – Meet Malmö", slug="meet-malmo")
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="sv">' in content
    assert "11:11 – Meet Malmö" in content
    assert "Arbete och utbildning" in content
    assert "Hoppa till innehållet" in content  # skip link
    assert "Tillgänglighetsredogörelse" in content


@pytest.mark.django_db
def test_home_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get("/").content.decode()
    assert '<html lang="en">' in content
    assert "Skip to content" in content
    assert "Accessibility statement" in content


@pytest.mark.django_db
def test_home_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for index in range(3):
        services.forum_create(actor=None, municipality=f"Kommun {index}", name=f"Forum {index}")
    with django_assert_max_num_queries(4):
        client.get("/")
    for index in range(3, 20):
        services.forum_create(actor=None, municipality=f"Kommun {index}", name=f"Forum {index}")
    with django_assert_max_num_queries(4):
        response = client.get("/")
    assert response.content.decode().count('class="card h-100"') == 20


@pytest.mark.django_db
def test_roles_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    from accounts.models import User

    forum = services.forum_create(actor=None, municipality="Malmö", name="Meet Malmö", slug="meet-malmo")
    admin = User.objects.create_superuser("admin@forum.example", "Lösen-för-test-123")
    client.force_login(admin)
    url = reverse("forum:forum_roles", args=[forum.slug])
    for index in range(30):
        user = User.objects.create_user(f"person{index}@forum.example", "x")
        services.role_grant(actor=admin, forum=forum, user=user, role="researcher")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count("person") >= 30


@pytest.mark.django_db
def test_forum_page_and_unknown_forum(client):
    forum = services.forum_create(actor=None, municipality="Malmö", name="Meet Malmö", slug="meet-malmo",
                                  description="Stadens forum med näringslivet.")
    response = client.get(forum.get_absolute_url())
    assert response.status_code == 200
    assert "Investeringar" in response.content.decode()
    assert client.get("/forum/finns-inte/").status_code == 404


@pytest.mark.django_db
def test_accessibility_report_is_stored_and_mailed(client):
    response = client.get(reverse("forum:accessibility"))
    assert response.status_code == 200
    assert "Rapportera ett tillgänglighetsproblem" in response.content.decode()
    response = client.post(
        reverse("forum:accessibility"),
        {
            "page_url": "/",
            "description": "Menyn går inte att nå med tangentbordet.",
            "email": "besokare@forum.example",
            **bot_guard_fields(AccessibilityReportForm),
        },
    )
    assert response.status_code == 302
    report = AccessibilityReport.objects.get()
    assert report.email == "besokare@forum.example"
    assert OutboxMessage.objects.filter(to_email=settings.FORUM_ACCESSIBILITY_EMAIL).exists()
    receipt = OutboxMessage.objects.get(to_email="besokare@forum.example")
    assert receipt.subject == "Vi har tagit emot din rapport"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_accessibility_statement_has_what_the_dos_act_asks_for(client, language):
    """Digg's model statement: who stands behind the portal (the forum's organiser), whether it
    complies, what is not accessible, how it was assessed, when the statement was made and
    updated, and a working link to Digg's reporting channel."""
    make_forum(organiser="Malmö stad")
    client.cookies["django_language"] = language
    html = client.get(reverse("forum:accessibility"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert re.search("Malmö stad (står bakom den här portalen|is responsible for this portal)", text)
    assert "Staden står bakom" not in text and "The city is responsible" not in text
    assert re.search("delvis förenlig med lagen|partially compliant with the Act", text)
    assert re.search("Innehåll som inte är tillgängligt|Content that is not accessible", text)
    assert re.search(r"självskattning|self-assessment", text) and "axe-core" in text
    assert re.search(r"(gjordes den|was made on) 23 (november|November) 2026", text)
    assert re.search(r"(uppdaterades senast den|last updated on) 30 (november|November) 2026", text)
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert f'href="mailto:{settings.FORUM_ACCESSIBILITY_EMAIL}"' in html


@pytest.mark.django_db
def test_accessibility_report_needs_a_description(client):
    response = client.post(
        reverse("forum:accessibility"),
        {"page_url": "/konto/", "description": "", "email": "fel", **bot_guard_fields(AccessibilityReportForm)},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Detta fält måste fyllas i" in content
    assert "Fyll i en giltig e-postadress" in content
    assert 'value="/konto/"' in content
    assert not AccessibilityReport.objects.exists()


def test_check_deploy_has_no_warnings():
    """`manage.py check --deploy` with the production variables the README documents."""
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": "postgres://forum:secret@db.internal:5432/forum",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "EMAIL_HOST": "smtp.internal",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-of-good-length-and-variety-0123456789",
        "DJANGO_ALLOWED_HOSTS": "forum.malmo.example",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://forum.malmo.example",
        "FORUM_SITE_URL": "https://forum.malmo.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_required_without_debug():
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": "postgres://forum@db/forum"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='forum.settings'; django.setup()",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_embedded_default_needs_no_configuration(tmp_path):
    """Nothing set: SQLite in the data folder, eager tasks, console mail, local-memory cache."""
    env = {"PATH": os.environ["PATH"], "DJANGO_DATA_DIR": str(tmp_path)}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='forum.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, "
        "s.CACHES['default']['BACKEND'], s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3", "True", "django.core.mail.backends.console.EmailBackend",
        "django.core.cache.backends.locmem.LocMemCache", "True",
    ]


@pytest.mark.django_db
def test_allauth_swedish_corrections(client):
    """The log-in page invites those without an account to create one (allauth's own Swedish
    catalogue says the opposite), and "e-post" is spelt as Swedish authorities spell it."""
    content = client.get(reverse("account_login")).content.decode()
    assert "Har du inget konto än?" in content
    content = client.get(reverse("account_signup")).content.decode()
    assert "epost" not in content.lower().replace("e-post", "")
