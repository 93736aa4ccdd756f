"""Every role against every URL of the portal, as the outside testing does it.

The demo data (``seed_demo``: one forum with meetings, issues, votes, networks and news in every
state, one person per role) and a second forum with its own coordinator and an open meeting are
loaded once for the module. Every URL pattern of the portal (not Django's admin) is filled in
with a real object of the demo forum, one of the second forum where the pattern takes a meeting
or a forum, a number that names nothing, one too large for any database column, and made-up
tokens; each address is opened with GET and with an empty POST by each person. Each request
runs in a savepoint that is rolled back, so what one person's POST did (an empty POST to a
button's address can act) never changes what the next one sees.

What must hold for every person and address:

- no server error (5xx), and no exception out of a view;
- a refused method is the portal's error page (405), not an empty answer, and every other
  refusal in HTML is a whole page of the portal too (never a bare line of text);
- a staff member of one forum reaches nothing of the other forum that an anonymous visitor or
  a company's representative with no role anywhere cannot reach too (each forum is its own
  world);
- an anonymous POST is answered (2xx) only by the public forms named in ``ANONYMOUS_FORMS``,
  each of them rate-limited: a page that only shows information answers POST with 405, past
  the public page cache.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import DEMO_PEOPLE

pytestmark = pytest.mark.django_db

DEMO, OTHER = "meet-malmo", "lund"
ROLES = {
    **DEMO_PEOPLE,
    "other_coordinator": "lundsamordnare@forum.example",
    # The yardstick for "each forum is its own world": a company's representative with no role
    # in either forum (their company may register for either forum's open meetings).
    "stranger": "framling@forum.example",
}
# The staff of one forum, and the forum whose addresses are foreign to them.
FOREIGN = {
    "coordinator": OTHER, "communicator": OTHER, "partner_nominator": OTHER, "facilitator": OTHER,
    "researcher": OTHER, "other_coordinator": DEMO,
}
# The forms an anonymous visitor may send (each limited per client address and per e-mail
# address: forum/antispam.py, accounts/adapter.py).
ANONYMOUS_FORMS = {
    "account_login", "account_request_login_code", "account_reset_password", "account_signup",
    "follow", "follow_network",
}
MISSING, TOO_LARGE = "999999", "9" * 30
# Who also opens the addresses with numbers that name nothing: someone not logged in, someone
# with the forum's staff pages and two with none (a view may look the number up before or after
# it checks the person's permission, so both kinds of path are taken).
EVERY_ADDRESS = {"anonymous", "coordinator", "company_representative", "stranger"}
TOKENS = ["x", "abc:def", "ö" * 5, "A" * 300]

# The object a pattern's number names, by the pattern's start (first match wins) or by the
# parameter's own name. A new pattern that fits none fails the test: add it here.
BY_PARAMETER = {
    "batch_pk": "events.InvitationBatch", "nomination_pk": "events.Nomination",
    "registration_pk": "events.Registration", "network_id": "networks.Network",
}
BY_PREFIX = [
    ("tematraff/", "events.Meeting"), ("anmalan/", "events.Registration"), ("fraga/", "issues.Issue"),
    ("omrostning/", "issues.Vote"), ("nyhetsbrev/", "communication.Newsletter"),
    ("natverk/traff/", "networks.NetworkMeeting"), ("natverk/atgard/", "networks.Action"),
    ("natverk/utgift/", "networks.Expense"), ("natverk/medlemskap/", "networks.Membership"),
    ("natverk/", "networks.Network"), ("forum/<slug:slug>/nyheter/", "communication.NewsPost"),
    ("forum/<slug:slug>/roller/", "forum.ForumRole"), ("konto/organisationer/", "forum.Affiliation"),
]


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or ""


def _first(label: str, **filters) -> list[str]:
    pk = apps.get_model(label).objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    return [str(pk)] if pk is not None else []


def _values(pattern: str, parameter: str, other_meeting: str) -> list[tuple[str, str | None]]:
    """(value, the forum it belongs to) for one parameter of ``pattern``."""
    if parameter == "slug":
        return [(DEMO, DEMO), (OTHER, OTHER), ("finns-inte", None)]
    if parameter == "year":
        return [("2026", None), ("0", None), (TOO_LARGE, None)]
    if parameter in ("token", "key", "uidb36"):
        return [(token, None) for token in TOKENS]
    if parameter == "public_id":
        real = apps.get_model("communication.Newsletter").objects.values_list("public_id", flat=True).first()
        return [(str(real), DEMO), ("00000000-0000-0000-0000-000000000000", None)]
    label = BY_PARAMETER.get(parameter) or next(
        (model for start, model in BY_PREFIX if pattern.startswith(start)), None)
    assert label, f"no object known for <{parameter}> in {pattern!r}: add it to BY_PARAMETER or BY_PREFIX"
    values = [(pk, DEMO) for pk in _first(label)] + [(MISSING, None), (TOO_LARGE, None)]
    if label == "events.Meeting":
        values.append((other_meeting, OTHER))
    return values


def _combinations(choices: list[list[tuple[str, str | None]]]) -> list[tuple[tuple[str, str | None], ...]]:
    """The first value of every parameter, then each other value of one parameter with the
    first of the others (not every product: the matrix stays a minute long)."""
    first = tuple(values[0] for values in choices)
    found = [first]
    for index, values in enumerate(choices):
        found += [first[:index] + (value,) + first[index + 1:] for value in values[1:]]
    return found


def _addresses(other_meeting: str) -> list[tuple[str, str, str | None]]:
    """(view name, path, the forum it belongs to) for every pattern of the portal."""
    found = []
    for pattern, name in _patterns(get_resolver()):
        if pattern.startswith("admin/") or "^" in pattern:  # Django's admin; allauth's regex keys
            continue
        parameters = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
        for combination in _combinations([_values(pattern, p, other_meeting) for p in parameters]):
            path = pattern
            for parameter, (value, _forum) in zip(parameters, combination, strict=True):
                path = re.sub(rf"<(?:\w+:)?{parameter}>", value, path, count=1)
            forums = {forum for _value, forum in combination if forum}
            # An address mixing both forums (a slug of one, an object of the other) is nobody's.
            found.append((name, "/" + path, forums.pop() if len(forums) == 1 else None))
    return found


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo forum and a second one, committed for the module, flushed afterwards."""
    from tests.factories import (
        make_company,
        make_forum,
        make_meeting,
        make_representative,
        make_role_holder,
        open_with_small_pools,
    )

    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        other = make_forum(slug=OTHER, name="Lund möter näringslivet", municipality="Lund")
        make_role_holder(other, "coordinator", ROLES["other_coordinator"])
        meeting = open_with_small_pools(make_meeting(other, title="Lunds vårträff"))
        make_representative(make_company("Främlings Konsult AB"), ROLES["stranger"])
        try:
            yield _addresses(str(meeting.pk))
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _names_nothing(path: str) -> bool:
    return MISSING in path.split("/") or TOO_LARGE in path


def _answers(email: str | None, addresses, *, everything: bool
             ) -> dict[tuple[str, str], tuple[int, str, bytes, bool]]:
    """(method, path) -> (status, view name, content, whether it is HTML) for one person over
    the addresses: all of them if ``everything``, else those that name something (the numbers
    that name nothing are tried by ``EVERY_ADDRESS`` people only, to keep the test short). Each
    request starts from the person's own cookies (a POST may have set a language, a message or
    a new session key that the rollback took back)."""
    from accounts.models import User

    client = Client(raise_request_exception=True, HTTP_ACCEPT_LANGUAGE="sv")
    if email:
        client.force_login(User.objects.get(email=email))
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    answers = {}
    for name, path, _forum in addresses:
        if not everything and _names_nothing(path):
            continue
        for method in ("get", "post"):
            client.cookies.clear()
            if session is not None:
                client.cookies[settings.SESSION_COOKIE_NAME] = session.value
            try:
                with transaction.atomic():
                    response = getattr(client, method)(path)
                    transaction.set_rollback(True)
            except Exception as error:  # an exception out of a view: a 500 in production
                answers[(method, path)] = (500, name, repr(error).encode(), False)
            else:
                html = response.get("Content-Type", "").startswith("text/html")
                answers[(method, path)] = (response.status_code, name, response.content, html)
    return answers


def test_every_person_against_every_address(world):
    addresses = world
    forum_of = {path: forum for _name, path, forum in addresses}
    answers = {role: _answers(email, addresses, everything=role in EVERY_ADDRESS) for role, email in ROLES.items()}
    anonymous, stranger = answers["anonymous"], answers["stranger"]
    problems = []
    for role, by_address in answers.items():
        for (method, path), (status, name, content, html) in by_address.items():
            if status >= 500:
                problems.append(f"{role}: {method.upper()} {path} ({name}) answered {status} {content[:200]!r}")
            if status == 405 and b'class="error-page' not in content:
                problems.append(f"{role}: {method.upper()} {path} ({name}) answered an empty 405")
            # A refusal in HTML is a whole page of the portal (a form shown again with its errors,
            # or an error page), never a bare line of text.
            if status >= 400 and html and b"<html lang=" not in content:
                problems.append(f"{role}: {method.upper()} {path} ({name}) answered {status} without a page: "
                                f"{content[:100]!r}")
            if (role in FOREIGN and forum_of[path] == FOREIGN[role] and 200 <= status < 300
                    and not any(200 <= baseline[(method, path)][0] < 300 for baseline in (anonymous, stranger))):
                problems.append(f"{role}: {method.upper()} {path} ({name}) of the other forum answered {status}, "
                                f"anonymous {anonymous[(method, path)][0]}, stranger {stranger[(method, path)][0]}")
            if role == "anonymous" and method == "post" and 200 <= status < 300 and name not in ANONYMOUS_FORMS:
                problems.append(f"anonymous: POST {path} ({name}) answered {status}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])

    # The people were who they should be: each forum's coordinator has its staff pages, and
    # only its own.
    def reached(role: str, forum: str) -> set[str]:
        return {name for (method, path), (status, name, _content, _html) in answers[role].items()
                if method == "get" and status == 200 and forum_of[path] == forum}
    staff_pages = {"forum_work", "triage_queue", "meeting_manage", "forum_roles", "plan"}
    assert staff_pages <= reached("coordinator", DEMO)
    assert staff_pages <= reached("other_coordinator", OTHER)
    assert not (staff_pages - {"plan"}) & reached("coordinator", OTHER)
    assert not (staff_pages - {"plan"}) & reached("other_coordinator", DEMO)
    # A network's members and money: the forum's coordinators read them (its process leaders
    # change them), the other forum's coordinator does not.
    running = {"members", "expenses"}
    assert running <= reached("coordinator", DEMO)
    assert not running & reached("other_coordinator", DEMO)
