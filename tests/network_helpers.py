"""Helpers for the network tests: issues to form networks from, and a formed network."""
from __future__ import annotations

from forum.models import Role
from issues import services as issue_services
from issues.models import Issue, Side
from networks import services
from networks.models import Network
from tests.factories import (
    make_company,
    make_meeting,
    make_registration,
    make_representative,
    make_role_holder,
    next_number,
)


def raiser_and_issue(meeting, text: str, *, email: str | None = None, status: str = Issue.Status.CANDIDATE):
    """A participant with an account who raises ``text`` at ``meeting``; the issue in ``status``."""
    company = make_company()
    user = make_representative(company, email or f"raiser{next_number()}@example.se", first_name="Rut",
                               last_name="Raiser")
    registration = make_registration(meeting, company, attendee=user)
    issue = issue_services.issue_create(actor=user, meeting=meeting, text=text, side=Side.BUSINESS,
                                        registration=registration, focus_area=meeting.forum.focus_areas.first())
    if status != Issue.Status.NEW:
        issue = issue_services.issue_set_status(actor=None, issue=issue, status=status)
    return user, issue


def form_network(forum, *, coordinator=None, leader=None, issues=None, title="Matchning unga",
                 visibility=Network.Visibility.PUBLIC) -> Network:
    """A network formed by the coordinator from one new candidate issue (or ``issues``), led by ``leader``."""
    coordinator = coordinator or make_role_holder(forum, Role.COORDINATOR, f"samordnare{next_number()}@example.se")
    leader = leader or make_representative(make_company(), f"ledare{next_number()}@example.se", first_name="Lea",
                                           last_name="Ledare")
    if issues is None:
        meeting = make_meeting(forum)
        issues = [raiser_and_issue(meeting, f"Fråga {next_number()}")[1]]
    return services.network_form(actor=coordinator, forum=forum, title=title, goal="Fler unga i arbete.",
                                 issues=issues, process_leaders=[(leader, None)], visibility=visibility)
