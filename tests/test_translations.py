"""Swedish everywhere: every message the code and templates use is in the committed Swedish
catalogue, translated and not fuzzy.

The test runs Django's makemessages for Swedish in a temporary copy of the project (so the
committed catalogue is left alone), the same way the README tells a developer to update it,
and then asks gettext's msgattrib which messages are untranslated or fuzzy. A string wrapped in
gettext under another name (``_voting_``, ``_d`` …) is not extracted: the name check below
catches that the catalogue cannot.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("forum/locale/sv/LC_MESSAGES/django.po")
# What makemessages must not look in: the list `make messages` uses too (pyproject.toml).
IGNORED = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["forum"]["makemessages-ignore"]
APPS = ["accounts", "events", "forum", "issues", "networks"]


def _copy_project(target: Path) -> None:
    def skip(directory: str, names: list[str]) -> set[str]:
        top = Path(directory) == ROOT
        return {n for n in names if (top and n in {".git", *IGNORED}) or n == "__pycache__" or n.endswith(".mo")}

    shutil.copytree(ROOT, target, ignore=skip)


def _msgattrib(po: Path, *flags: str) -> list[str]:
    """The msgids msgattrib selects with ``flags`` (without the header entry)."""
    out = subprocess.run(["msgattrib", "--no-obsolete", "--no-wrap", *flags, str(po)],
                         capture_output=True, text=True, check=True).stdout
    return [m for m in re.findall(r'^msgid "(.*)"$', out, flags=re.MULTILINE) if m]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The Swedish catalogue as makemessages leaves it after scanning today's code."""
    if shutil.which("msgattrib") is None:
        pytest.fail("gettext's tools are missing: run `make install`.")
    copy = tmp_path_factory.mktemp("project") / "forum-portal"
    _copy_project(copy)
    ignore = [f"--ignore={name}" for name in IGNORED]
    result = subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete", *ignore],
                            cwd=copy, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return copy / CATALOGUE


def test_every_message_is_in_the_committed_catalogue(extracted):
    committed = set(_msgattrib(ROOT / CATALOGUE))
    missing = sorted(set(_msgattrib(extracted)) - committed)
    assert not missing, "Not in forum/locale/sv (run `make messages`):\n" + "\n".join(missing)


def test_every_message_is_translated(extracted):
    untranslated = _msgattrib(extracted, "--untranslated")
    assert not untranslated, "Untranslated in Swedish:\n" + "\n".join(untranslated)


def test_no_message_is_fuzzy(extracted):
    fuzzy = _msgattrib(extracted, "--only-fuzzy")
    assert not fuzzy, "Fuzzy (check and remove the flag):\n" + "\n".join(fuzzy)


def test_gettext_is_only_called_by_its_standard_names():
    """makemessages finds only _, gettext, gettext_lazy, ngettext, pgettext … (and their lazy
    forms): importing them under another name hides the strings from the catalogue."""
    standard = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
                "npgettext", "npgettext_lazy", "gettext_noop"}
    pattern = re.compile(r"from django\.utils\.translation import (\([^)]*\)|[^\n]+)")
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for names in pattern.findall(path.read_text(encoding="utf-8")):
                for part in names.replace("(", "").replace(")", "").replace("\n", ",").split(","):
                    bits = part.split("#")[0].split()
                    if len(bits) == 3 and bits[1] == "as" and bits[0] in standard and bits[2] not in standard:
                        offenders.append(f"{path.relative_to(ROOT)}: {part.strip()}")
    assert not offenders, "gettext imported under a name makemessages does not know:\n" + "\n".join(offenders)


def test_labels_built_into_markup_are_extracted(extracted):
    """A label joined into HTML in Python (the vote result's "not compared") is extracted: an
    f-string hides its gettext call from makemessages, and the page then read English."""
    text = extracted.read_text(encoding="utf-8")
    assert re.search(r'^msgid "not compared"$', text, flags=re.MULTILINE)
