"""A city makes the portal its own: name, logo and colour from settings, the colour served as a
stylesheet under the Content-Security-Policy, and a colour too light for white text refused at
start-up (WCAG 2.1 AA, 4.5:1)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from forum import branding
from forum.middleware import CONTENT_SECURITY_POLICY


@pytest.mark.pure
def test_colour_is_normalised_and_checked_for_contrast():
    assert branding.parse_brand_colour("") == ""
    assert branding.parse_brand_colour(" #1F7A3A ") == "#1f7a3a"
    assert branding.parse_brand_colour("#036") == "#003366"  # the short form is expanded
    # The WCAG formula: black on white is 21:1, the portal's own blue 8.87:1.
    assert round(branding.contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(branding.contrast_ratio("#0b4a8b", "#ffffff"), 2) == 8.87
    with pytest.raises(ImproperlyConfigured, match=r"4\.49:1"):
        branding.parse_brand_colour("#0d6efe")  # Bootstrap's blue, a shade lighter: just below 4.5
    assert branding.parse_brand_colour("#0d6efd") == "#0d6efd"  # Bootstrap's own blue: 4.50:1
    for bad in ("blue", "#12345", "#1234567", "rgb(0,0,0)"):
        with pytest.raises(ImproperlyConfigured, match="hex colour"):
            branding.parse_brand_colour(bad)


@pytest.mark.pure
def test_header_shade_is_darker_and_the_stylesheet_sets_the_portals_variables():
    assert branding.darker("#0b4a8b") == "#083461"
    assert branding.contrast_ratio(branding.darker("#1f7a3a"), "#ffffff") > branding.contrast_ratio(
        "#1f7a3a", "#ffffff"
    )
    css = branding.stylesheet("#1f7a3a")
    assert "--forum-blue: #1f7a3a;" in css and "--forum-blue-rgb: 31, 122, 58;" in css
    assert "--forum-blue-dark: #165529;" in css
    # The portal's own stylesheet builds Bootstrap's link and primary colours on these variables.
    forum_css = (settings.BASE_DIR / "static" / "css" / "forum.css").read_text()
    assert (
        "--bs-primary: var(--forum-blue);" in forum_css and "--bs-link-color-rgb: var(--forum-blue-rgb);" in forum_css
    )


@pytest.mark.pure
def test_logo_must_come_from_the_portals_own_origin():
    assert branding.parse_logo(" brand/logo.svg ") == "brand/logo.svg"
    assert branding.parse_logo("/media/logo.png") == "/media/logo.png"
    for outside in ("https://malmo.se/logo.svg", "//cdn.example/logo.svg", "data:image/png;base64,AAAA"):
        with pytest.raises(ImproperlyConfigured, match="Content-Security-Policy"):
            branding.parse_logo(outside)


def _start(data_dir, **variables: str) -> subprocess.CompletedProcess:
    """Start Django as a new process would, with ``variables`` set (the embedded mode otherwise)."""
    env = {"PATH": os.environ["PATH"], "DJANGO_DATA_DIR": str(data_dir), **variables}
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='forum.settings'; "
                               "django.setup(); from django.conf import settings as s; print(s.FORUM_BRAND_COLOUR)"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )


def test_a_colour_too_light_for_white_text_stops_the_start(tmp_path):
    result = _start(tmp_path, FORUM_BRAND_COLOUR="#f0a500")
    assert result.returncode != 0
    assert "FORUM_BRAND_COLOUR #f0a500 has a contrast of" in result.stderr and "4.5:1" in result.stderr
    result = _start(tmp_path, FORUM_LOGO="https://malmo.se/logo.svg")
    assert result.returncode != 0 and "FORUM_LOGO" in result.stderr
    result = _start(tmp_path, FORUM_BRAND_COLOUR="#1F7A3A")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "#1f7a3a"


@pytest.mark.django_db
def test_pages_use_the_citys_name_logo_and_colour(client, settings):
    settings.FORUM_SITE_NAME = "Meet Malmö"
    settings.FORUM_LOGO = "brand/malmo.svg"
    settings.FORUM_BRAND_COLOUR = "#1f7a3a"
    response = client.get("/")
    content = response.content.decode()
    assert "<title>" in content and re.search(r"<title>[^<]* – Meet Malmö</title>", content)
    assert f'<img class="brand-logo" src="{settings.STATIC_URL}brand/malmo.svg" alt="">Meet Malmö</a>' in content
    [stylesheet] = re.findall(r'<link rel="stylesheet" href="(/farger\.css\?v=[0-9a-f]+)">', content)
    # No inline style anywhere: the colour comes as a file the policy allows (style-src 'self').
    assert "<style" not in content and " style=" not in content
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY

    css = client.get(stylesheet)
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "public" in css.headers["Cache-Control"] and "max-age=86400" in css.headers["Cache-Control"]
    assert "--forum-blue: #1f7a3a;" in css.content.decode()
    assert not css.cookies  # cacheable by anyone: it sets nothing

    # Another colour, another address: no browser keeps showing the old one from its cache.
    settings.FORUM_BRAND_COLOUR = "#8b0b4a"
    assert stylesheet not in client.get("/").content.decode()


@pytest.mark.django_db
def test_without_a_colour_the_portal_keeps_its_own(client, settings):
    settings.FORUM_SITE_NAME = ""
    settings.FORUM_LOGO = ""
    settings.FORUM_BRAND_COLOUR = ""
    content = client.get("/").content.decode()
    assert "/farger.css" not in content and "brand-logo" not in content
    assert re.search(r"<title>[^<]* – Forumportalen</title>", content)
    assert client.get("/farger.css").status_code == 404
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert re.search(r"<title>[^<]* – Forum portal</title>", client.get("/").content.decode())


def test_the_citys_own_folder_is_served_as_static_files(tmp_path):
    """FORUM_BRAND_DIR: the city's logo is found under brand/ (and so collected and served)."""
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    env = {"PATH": os.environ["PATH"], "DJANGO_DATA_DIR": str(tmp_path / "data"), "FORUM_BRAND_DIR": str(brand),
           "FORUM_LOGO": "brand/logo.svg"}
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='forum.settings'; django.setup();"
            "from django.contrib.staticfiles import finders; from forum import branding;"
            "print(finders.find('brand/logo.svg')); print(branding.logo_url())")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(brand / "logo.svg"), "/static/brand/logo.svg"]
    env["FORUM_BRAND_DIR"] = str(tmp_path / "finns-inte")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True)
    assert result.returncode != 0 and "FORUM_BRAND_DIR" in result.stderr
