"""Klarspråk: the Swedish the portal speaks keeps to the term list in DESIGN.md.

The committed Swedish catalogues (the portal's and the overrides of allauth's texts) and the
Swedish demo data are searched for words the term list rules out: "Vänligen", "mail"/"mailet"
(e-post, mejl), "köad", "epost", "verifiera" (bekräfta), "initierade", "avidentifiera"
(anonymisera), "registrera" for keying in issues or creating an account, and "väcka"/"lyfta"
for raising an issue (ta upp). A new text that slips back into them fails here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [
    ROOT / "forum/locale/sv/LC_MESSAGES/django.po",
    ROOT / "forum/locale_overrides/sv/LC_MESSAGES/django.po",
]
# Each rule: what is ruled out, and what DESIGN.md says instead.
RULED_OUT = {
    r"\bvänligen\b": "no 'Vänligen': say what to do",
    r"\bmail(et|en|s|a|ar|en)?\b": "e-post or mejl, not mail",
    r"\bköad": "say 'i kön', not 'köad'",
    r"\bepost": "e-post, not epost",
    r"verifi": "bekräfta, not verifiera",
    r"initierade": "plain verbs, not 'initierade'",
    r"avidentifi": "anonymisera, one term",
    r"registrera (frågor|dina frågor)": "skriva in frågor",
    r"registrera (dig|sig|ett konto)": "skapa konto",
    r"\bväck(t|a|er|te)\b": "ta upp en fråga, one term",
    r"\blyft(e|a|s|es|er)?\b": "ta upp en fråga, one term",
    r"har plats nummer": "nummer i kön",
    r"\(valfritt\)": "(frivilligt), one word for an optional field",
    r"gav ingen träff": "sökträff for a search result (träff is the meeting)",
}
# The demo is Malmö: its city is "staden" (the catalogues also serve other municipalities).
DEMO_RULED_OUT = {r"\bkommun(en|ens)\b": "staden, not kommunen, for Malmö"}


def _msgstrs(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every translated entry, plural forms included, without the header."""
    entries: list[tuple[str, str]] = []
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue  # obsolete entries are not shown to anyone
        found = re.search(r'^msgid "(.*)"((?:\n".*")*)', block, flags=re.MULTILINE)
        msgid = found.group(1) + "".join(re.findall(r'^"(.*)"$', found.group(2), flags=re.MULTILINE)) if found else ""
        for match in re.finditer(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, flags=re.MULTILINE):
            value = match.group(1) + "".join(re.findall(r'^"(.*)"$', match.group(2), flags=re.MULTILINE))
            if value and not value.startswith("Project-Id-Version") and "Content-Type:" not in value:
                entries.append((msgid, value))
    return entries


def _demo_strings() -> list[tuple[str, str]]:
    """The string literals of the demo data: what a visitor of the demo reads."""
    sources = [ROOT / "forum/management/commands/seed_demo.py", *sorted(ROOT.glob("*/demo.py"))]
    found: list[tuple[str, str]] = []
    for source in sources:
        # Docstrings are English and for developers: only the other literals reach the pages.
        code = re.sub(r'"""(?:.|\n)*?"""', "", source.read_text(encoding="utf-8"))
        found.extend((source.name, literal) for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', code))
    return found


@pytest.mark.pure
@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parent.parent.parent.parent.name)
def test_swedish_catalogue_keeps_to_the_term_list(catalogue: Path):
    entries = _msgstrs(catalogue)
    assert len(entries) > 100, "the catalogue was not read"
    breaches = [
        f"{why}: {msgstr[:100]!r} (msgid {msgid[:60]!r})"
        for msgid, msgstr in entries
        for pattern, why in RULED_OUT.items()
        if re.search(pattern, msgstr, flags=re.IGNORECASE)
    ]
    assert not breaches, "\n".join(breaches)


@pytest.mark.pure
def test_demo_data_keeps_to_the_term_list():
    literals = _demo_strings()
    assert literals, "no demo data found"
    swedish = [(name, text) for name, text in literals if re.search(r"[åäöÅÄÖ]", text)]
    assert len(swedish) > 20, "the demo's Swedish text was not found"
    breaches = [
        f"{name}: {why}: {text[:100]!r}"
        for name, text in swedish
        for pattern, why in {**RULED_OUT, **DEMO_RULED_OUT}.items()
        if re.search(pattern, text, flags=re.IGNORECASE)
    ]
    assert not breaches, "\n".join(breaches)


@pytest.mark.pure
def test_the_rules_catch_what_they_name():
    """The patterns are live: each ruled-out phrasing is caught, the preferred one is not."""
    caught = ["Vänligen logga in", "Du får det här mailet", "Meddelandet köades", "epost-adress",
              "Verifiera din adress", "Registrera frågor", "Registrera dig", "Väckt av", "Lyft en fråga",
              "Kvitto (valfritt)", "Sökningen gav ingen träff."]
    allowed = ["Logga in", "Du får det här mejlet", "i kön", "E-postadress", "Bekräfta din adress",
               "Skriv in frågor", "Skapa konto", "Togs upp av", "Ta upp en fråga", "Dina platser",
               "Kvitto (frivilligt)", "Ingen sökträff.", "Ingen träff är planerad."]
    for text in caught:
        assert any(re.search(p, text, flags=re.IGNORECASE) for p in RULED_OUT), text
    for text in allowed:
        assert not any(re.search(p, text, flags=re.IGNORECASE) for p in RULED_OUT), text
