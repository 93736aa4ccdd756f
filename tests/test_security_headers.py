"""Content-Security-Policy and Permissions-Policy (forum/middleware.py): the exact headers on
responses, the modes of FORUM_CSP and how they follow DJANGO_DEBUG, and templates that keep
to the policy (no inline script, event handler or style). The browser side (nothing blocked,
the scripts still work) is in tests/test_security_headers_browser.py and, for every browser
test, in the ``page`` fixture of tests/conftest.py."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings

from forum.middleware import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from tests.factories import make_user

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
EXPECTED_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
    "encrypted-media=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), serial=(), usb=(), xr-spatial-tracking=()"
)


def test_the_suite_runs_in_production_mode():
    """Debug is off under `make test` (DATABASE_URL is set), so every browser test runs under
    the enforced policy."""
    assert settings.FORUM_CSP == "enforce"
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP
    assert PERMISSIONS_POLICY == EXPECTED_PERMISSIONS_POLICY


@pytest.mark.django_db
@pytest.mark.parametrize("path, status", [
    ("/", 200),
    ("/konto/login/", 200),
    ("/admin/login/", 200),
    ("/forum/finns-inte/", 404),
])
def test_responses_carry_the_exact_policies(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY
    assert "Content-Security-Policy-Report-Only" not in response.headers
    # No exception for inline code anywhere in the policy.
    assert "unsafe" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_report_only_mode_sends_the_same_policy_without_enforcing_it(client, settings):
    settings.FORUM_CSP = "report-only"
    response = client.get("/")
    assert response.headers["Content-Security-Policy-Report-Only"] == EXPECTED_CSP
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY


@pytest.mark.django_db
def test_off_mode_sends_no_policy_but_keeps_the_permissions_policy(client, settings):
    settings.FORUM_CSP = "off"
    response = client.get("/")
    assert "Content-Security-Policy" not in response.headers
    assert "Content-Security-Policy-Report-Only" not in response.headers
    assert response.headers["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY


def _csp_setting(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with only these variables set; print FORUM_CSP."""
    env = {"PATH": os.environ["PATH"], "DJANGO_DATA_DIR": str(tmp_path), **variables}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='forum.settings'; django.setup();"
        "from django.conf import settings as s; print(s.DEBUG, s.FORUM_CSP)"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True)


PRODUCTION = {"DATABASE_URL": "postgres://forum@db/forum", "DJANGO_SECRET_KEY": "x" * 60}


@pytest.mark.parametrize("variables, expected", [
    ({}, "True report-only"),  # embedded development mode: debug pages keep their inline code
    (PRODUCTION, "False enforce"),
    ({**PRODUCTION, "FORUM_CSP": "report-only"}, "False report-only"),
    ({**PRODUCTION, "FORUM_CSP": "off"}, "False off"),
    ({"DJANGO_DEBUG": "true", "FORUM_CSP": "enforce"}, "True enforce"),
])
def test_the_mode_follows_debug_unless_set(tmp_path, variables, expected):
    result = _csp_setting(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_an_unknown_mode_is_refused_at_start_up(tmp_path):
    result = _csp_setting(tmp_path, **PRODUCTION, FORUM_CSP="strict")
    assert result.returncode != 0
    assert "FORUM_CSP must be enforce, report-only or off, not 'strict'" in result.stderr


# --- the templates keep to the policy ----------------------------------------------------
@pytest.mark.django_db
def test_pending_email_change_page_hides_its_form_without_an_inline_style(client):
    """allauth's own email_change.html hides a form with style="display: none"; ours (a copy in
    templates/account/) uses the hidden attribute instead."""
    user = make_user("ida@forum.example", verified_email=True)
    EmailAddress.objects.create(user=user, email="ida.ny@forum.example", verified=False, primary=False)
    client.force_login(user)
    response = client.get("/konto/email/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<form hidden\s+id="pending-email"', html)
    assert "style=" not in html


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def _page_templates() -> list[Path]:
    """Every HTML template of the project that renders a page (mail templates are mail, not
    pages: the policy does not apply to them, and mail clients need inline styles)."""
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        Path(settings.BASE_DIR) / app / "templates" for app in ("forum", "accounts", "events", "issues", "networks")
    ]
    found = [path for root in roots if root.is_dir() for path in root.rglob("*.html")]
    return [path for path in found if "email" not in path.relative_to(settings.BASE_DIR).parts]


def test_page_templates_have_no_inline_script_handler_or_style():
    templates = _page_templates()
    assert len(templates) > 30  # the scan really looks at the templates
    offences = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for name, pattern in (("inline <script>", INLINE_SCRIPT), ("event handler attribute", EVENT_HANDLER),
                              ("style attribute", STYLE_ATTRIBUTE), ("<style> element", STYLE_ELEMENT),
                              ("javascript: URL", JAVASCRIPT_URL)):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {name}")
    assert offences == []
