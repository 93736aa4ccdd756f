"""The research page and its pseudonymised exports (DESIGN: "Pseudonymised exports (CSV, XLSX)
of participation, the life of issues, vote aggregates, networks, survey answers"; the
researcher "reads pseudonymised exports and aggregates, never names"): through the pages, for
every export in both formats."""
from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communication.models import FollowUp, SurveyAnswer, SurveyQuestion, SurveyResponse
from events.models import Meeting, SeatPool
from forum.models import AuditEvent, Organisation, Role
from forum.validators import luhn_check_digit
from issues import services as issue_services
from issues.models import Ballot, Issue, IssueEvent, Vote, VoterRecord
from networks.models import (
    Action,
    Allocation,
    Attendance,
    BudgetPot,
    Expense,
    Membership,
    Network,
    NetworkIssue,
    NetworkMeeting,
)
from research import selectors
from tests.factories import (
    make_company,
    make_forum,
    make_meeting,
    make_registration,
    make_representative,
    make_role_holder,
    next_number,
    pool_of,
)

pytestmark = pytest.mark.django_db

EXPORTS = ["participation", "issues", "votes", "networks", "surveys"]
FORMATS = ["csv", "xlsx"]
# Text that a spreadsheet would run as a formula, put where each export shows text.
FORMULA = "=HYPERLINK(\"http://evil.example\",\"klicka\")"


def _sole_trader_number() -> str:
    """A sole trader's organisationsnummer: a personal identity number (born 1981-12-18)."""
    first_nine = f"811218{next_number() % 1000:03d}"
    return f"{first_nine[:6]}-{first_nine[6:]}{luhn_check_digit(first_nine)}"


def build_world(forum, *, size: int = 1) -> dict:
    """A held meeting with ``size`` × 6 registrations of named people from named companies (one
    a sole trader), issues raised by them, a counted vote, a network with members, a meeting,
    actions and money, and a published survey with answers. Returns the secrets no export may
    hold."""
    secrets: set[str] = set()
    meeting = make_meeting(forum, title="-2+3 Vårträff", kind=Meeting.Kind.COMBINED,
                           starts_at=timezone.now() - dt.timedelta(days=10))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    city, municipal = pool_of(meeting, SeatPool.Kind.CITY_PICK), pool_of(meeting, SeatPool.Kind.MUNICIPAL)
    registrations, people = [], []
    for i in range(size * 6):
        n = f"{uuid.uuid4().hex[:6]}"
        if i == 0:
            company = make_company(f"Enskilda Firman {n}", organisationsnummer=_sole_trader_number(),
                                   district=FORMULA)
        else:
            company = make_company(f"Hemliga Bolaget {n} AB", district="Rosengård")
        person = make_representative(company, f"person{n}@hemlig.example", first_name=f"Förnamn{n}",
                                     last_name=f"Efternamn{n}")
        registration = make_registration(meeting, company, pool=city if i % 2 else municipal, attendee=person,
                                         contact_name=f"Kontakt{n}", dietary_needs=f"Glutenfritt{n}",
                                         checked_in_at=timezone.now() - dt.timedelta(days=10) if i % 3 else None)
        registrations.append(registration)
        people.append(person)
        secrets |= {company.name, company.organisationsnummer, company.organisationsnummer.replace("-", ""),
                    person.email, person.first_name, person.last_name, f"Kontakt{n}", f"Glutenfritt{n}"}
    # Issues: raised by the people above; one a formula; one merged; one with a status change.
    issues = []
    for i, registration in enumerate(registrations):
        issue = Issue.objects.create(forum=forum, meeting=meeting, text=FORMULA if i == 0 else f"Fråga {i}",
                                     side="business", raised_by=registration.attendee,
                                     raised_by_registration=registration, organisation=registration.organisation,
                                     focus_area=forum.focus_areas.first(), status=Issue.Status.CANDIDATE)
        IssueEvent.objects.create(issue=issue, kind=IssueEvent.Kind.STATUS, actor=registration.attendee,
                                  changes={"status": ["new", "candidate"]})
        issues.append(issue)
    # A vote over the candidates, counted by the service.
    vote = issue_services.vote_create(actor=None, meeting=meeting, title="+Prioritering", candidates=issues[:3])
    Vote.objects.filter(pk=vote.pk).update(status=Vote.Status.OPEN, opened_at=timezone.now())
    for i, registration in enumerate(registrations):
        VoterRecord.objects.create(vote=vote, registration=registration)
        Ballot.objects.create(vote=vote, voter_key=uuid.uuid4().hex, receipt_hash=uuid.uuid4().hex, side="business",
                              marks={str(issues[i % 3].pk): 1})
    vote = issue_services.vote_close(actor=None, vote=vote)
    # A network with members (named), a held meeting with attendance, actions and money.
    network = Network.objects.create(forum=forum, title="@SUM(1) Kompetensnätverk", goal="Mål",
                                     status=Network.Status.ACTIVE, focus_area=forum.focus_areas.first())
    NetworkIssue.objects.create(network=network, issue=issues[-1])
    memberships = [Membership.objects.create(
        network=network, person=person, email=person.email, name=person.get_full_name(),
        organisation=person.affiliations.first().organisation, organisation_name="Namngiven organisation",
        role=Membership.Role.PROCESS_LEADER if i == 0 else Membership.Role.MEMBER, status=Membership.Status.ACTIVE,
        started_on=dt.date(2025, 1, 1), message=f"Meddelande från {person.first_name}",
    ) for i, person in enumerate(people)]
    held = NetworkMeeting.objects.create(network=network, title="Nätverksträff", notes="Anteckning om Förnamn",
                                         starts_at=timezone.now() - dt.timedelta(days=3),
                                         ends_at=timezone.now() - dt.timedelta(days=3, hours=-2),
                                         status=NetworkMeeting.Status.HELD)
    for membership in memberships:
        Attendance.objects.create(meeting=held, membership=membership, present=True)
    Action.objects.create(network=network, text="Gör något", owner=memberships[0], status=Action.Status.DONE)
    Action.objects.create(network=network, text="Gör mer", status=Action.Status.OPEN)
    pot, _created = BudgetPot.objects.get_or_create(forum=forum, year=2025, defaults={"amount": Decimal("500000")})
    Allocation.objects.create(pot=pot, network=network, amount=Decimal("12000.50"))
    Expense.objects.create(network=network, pot=pot, date=dt.date(2025, 3, 1), category=Expense.Category.ROOM,
                           amount=Decimal("1500.25"), note="Lokal bokad av Förnamn")
    # A published survey with 6 answers to a scale question and free text.
    follow_up = FollowUp.objects.create(meeting=meeting, summary="Sammanfattning", published_at=timezone.now())
    scale = SurveyQuestion.objects.create(follow_up=follow_up, position=1, key="trust", text="Förtroende?",
                                          kind=SurveyQuestion.Kind.SCALE)
    comment = SurveyQuestion.objects.create(follow_up=follow_up, position=2, key="comment", text="Kommentar?",
                                            kind=SurveyQuestion.Kind.TEXT)
    for i in range(6):
        response = SurveyResponse.objects.create(follow_up=follow_up, submitted_on=timezone.localdate())
        SurveyAnswer.objects.create(response=response, question=scale, score=4 if i % 2 else 5)
        SurveyAnswer.objects.create(response=response, question=comment, text=f"Fritext från Förnamn{i}")
        secrets.add(f"Fritext från Förnamn{i}")
    secrets |= {"Namngiven organisation", "Meddelande från", "Anteckning om", "Lokal bokad av"}
    return {"meeting": meeting, "issues": issues, "vote": vote, "network": network, "secrets": secrets,
            "registrations": registrations}


def xlsx_cells(content: bytes) -> tuple[list[list[str]], str]:
    """The first sheet's cells as text (shared strings resolved), and the raw XML of the
    whole workbook (to search for anything that is not a cell value, such as formulas)."""
    book = zipfile.ZipFile(io.BytesIO(content))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
    sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = []
        for cell in row.findall("m:c", ns):
            value = cell.find("m:v", ns)
            text = value.text if value is not None else ""
            cells.append(shared[int(text)] if cell.get("t") == "s" else text)
        rows.append(cells)
    raw = "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist() if name.endswith(".xml"))
    return rows, raw


def download(client, forum, export: str, file_format: str) -> tuple[list[list[str]], str]:
    response = client.get(reverse(f"research:{export}_{file_format}", args=[forum.slug]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    if file_format == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
        text = response.content.decode("utf-8-sig")
        return [line.split(";") for line in text.split("\r\n") if line], text
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return xlsx_cells(response.content)


@pytest.fixture
def researcher(forum):
    return make_role_holder(forum, Role.RESEARCHER, "forskare@example.se", first_name="Forskar", last_name="Forsk")


@pytest.mark.parametrize("file_format", FORMATS)
def test_every_export_holds_the_rows_and_no_names(client, forum, researcher, file_format):
    world = build_world(forum)
    client.force_login(researcher)
    found = {}
    for export in EXPORTS:
        rows, raw = download(client, forum, export, file_format)
        found[export] = rows
        for secret in world["secrets"]:
            assert secret not in raw, (export, file_format, secret)
        # No formula anywhere: every cell that starts like one is neutralised by an apostrophe.
        assert "<f>" not in raw
        for row in rows:
            for cell in row:
                assert not re.match(r"\s*[=+\-@]", cell.strip('"')), (export, cell)
        assert AuditEvent.objects.filter(action="research.export", actor=researcher, forum=forum,
                                         data={"export": export, "format": file_format}).count() == 1
    # Participation: a row per registration, the organisation as the same pseudonym everywhere.
    participation = found["participation"][1:]
    assert len(participation) == 6
    pseudonyms = {selectors.organisation_pseudonym(forum, r.organisation_id) for r in world["registrations"]}
    assert {row[8] for row in participation} == pseudonyms and all(len(p) == 12 for p in pseudonyms)
    assert any(row[12].startswith("'=HYPERLINK") or row[12].startswith('"\'=HYPERLINK') for row in participation)
    assert {row[7] for row in participation} == {"Ja", "Nej"}
    # The meeting's title starting with "-" is neutralised.
    assert all(row[1].strip('"').startswith("'-2+3") for row in participation)
    # Issues: one row each, the formula neutralised, the status history's date.
    issues = found["issues"][1:]
    assert sorted(int(row[0]) for row in issues) == sorted(i.pk for i in world["issues"])
    assert any(row[1].strip('"').startswith("'=HYPERLINK") for row in issues)
    header = found["issues"][0]
    candidate_column = next(i for i, title in enumerate(header) if title.startswith("Kandidat"))
    assert all(row[candidate_column] for row in issues)
    # Votes: a row per candidate with its place; turnout 6 of 6.
    votes = found["votes"][1:]
    assert len(votes) == 3 and {row[0] for row in votes} == {str(world["vote"].pk)}
    assert all(row[1].strip('"') == "'+Prioritering" for row in votes)
    assert {row[8] for row in votes} == {"6"} and {row[9] for row in votes} == {"6"}
    assert {row[10] for row in votes} == ({"100,0"} if file_format == "csv" else {"100"})
    assert sorted(row[15] for row in votes) == ["1–3", "1–3", "1–3"]
    # Networks: members 6 in total; the process leader alone is suppressed, and one more with him.
    networks = found["networks"]
    assert len(networks) == 2
    row = dict(zip(networks[0], networks[1], strict=True))
    assert row["Nätverk"].strip('"') == "'@SUM(1) Kompetensnätverk"
    assert row["Medlemmar nu"] == "6"
    assert row["Medlemmar: Processledare"] == "färre än 5"
    assert row["Medlemmar: Medlem"] == "dold"
    assert row["Medlemmar: Företag"] == "6"
    assert row["Närvaro på dem (totalt)"] == "6"
    if file_format == "csv":
        assert row["Tilldelat 2025 (kr)"] == "12000,50" and row["Använt 2025 (kr)"] == "1500,25"
    else:
        assert row["Tilldelat 2025 (kr)"] == "12000.5" and row["Använt 2025 (kr)"] == "1500.25"
    # Surveys: the scale question with its figures, never the free text.
    surveys = found["surveys"][1:]
    assert len(surveys) == 1 and surveys[0][2] == "trust" and surveys[0][4] == "6"


def test_the_research_page_lists_every_export_in_both_formats(client, forum, researcher):
    client.force_login(researcher)
    page = client.get(reverse("research:index", args=[forum.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    for export in EXPORTS:
        for file_format in FORMATS:
            assert reverse(f"research:{export}_{file_format}", args=[forum.slug]) in html
    # In the researcher's header menu and on the forum page.
    forum_page = client.get(reverse("forum:forum_detail", args=[forum.slug])).content.decode()
    assert forum_page.count(reverse("research:index", args=[forum.slug])) >= 2
    # A coordinator too.
    client.force_login(make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se"))
    assert client.get(reverse("research:index", args=[forum.slug])).status_code == 200
    assert client.get(reverse("research:networks_xlsx", args=[forum.slug])).status_code == 200


def test_others_are_refused(client, forum):
    other = make_forum(slug="lund", name="Lund möter näringslivet", municipality="Lund")
    build_world(forum)
    urls = [reverse("research:index", args=[forum.slug])] + [
        reverse(f"research:{export}_{file_format}", args=[forum.slug]) for export in EXPORTS for file_format in FORMATS]
    # Anonymous: to the log-in page.
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/konto/login/" in response["Location"]
    # A company representative, another forum's researcher, a facilitator: refused.
    representative = make_representative(make_company("Eget AB"), "foretag@example.se")
    for user in (representative, make_role_holder(other, Role.RESEARCHER, "forskare@lund.example"),
                 make_role_holder(forum, Role.FACILITATOR, "processledare@example.se")):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
    assert not AuditEvent.objects.filter(action="research.export").exists()
    # Not in their menu or on the forum page either.
    client.force_login(representative)
    assert reverse("research:index", args=[forum.slug]) not in client.get(
        reverse("forum:forum_detail", args=[forum.slug])).content.decode()
    # A POST changes nothing and is not a download.
    client.force_login(make_role_holder(forum, Role.RESEARCHER, "forskare@example.se"))
    assert client.post(reverse("research:issues_csv", args=[forum.slug])).status_code == 405


def test_pseudonyms_differ_between_forums_and_cannot_be_computed_without_the_secret(forum, settings):
    other = make_forum(slug="lund", name="Lund möter näringslivet", municipality="Lund")
    company = make_company()
    here, there = selectors.organisation_pseudonym(forum, company.pk), selectors.organisation_pseudonym(
        other, company.pk)
    assert here != there and len(here) == 12 and here == selectors.organisation_pseudonym(forum, company.pk)
    settings.SECRET_KEY = "another secret " * 4
    assert selectors.organisation_pseudonym(forum, company.pk) != here


@pytest.mark.parametrize("export", EXPORTS)
def test_queries_per_export_do_not_grow_with_the_data(client, forum, researcher, export,
                                                      django_assert_max_num_queries):
    client.force_login(researcher)
    url = reverse(f"research:{export}_xlsx", args=[forum.slug])
    build_world(forum, size=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    build_world(forum, size=4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
    assert Organisation.objects.count() == 30
