"""The rows of the research exports (DESIGN: "Pseudonymised exports (CSV, XLSX) of
participation, the life of issues, vote aggregates, networks, survey answers"; the researcher
"reads pseudonymised exports and aggregates, never names").

What no export holds, whichever row it is: a person's name, e-mail address or anything typed
about a person (needs, messages, notes, motivations), an organisation's name or
organisationsnummer (a sole trader's is a personal identity number), who raised or supported an
issue, a ballot or a receipt. Organisations appear only as :func:`organisation_pseudonym`.
Groups of 1–4 in the aggregates are suppressed as on the diversity page
(:func:`events.diversity.suppress`). Meetings that are drafts (seen by their coordinators only)
and what belongs to them are left out, as on the public pages.

Each export is one :class:`Export`: ``rows(forum)`` gives the header and the rows (values:
text, numbers, dates; no formatting) in a fixed number of queries however much data there is.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communication import selectors as communication_selectors
from events.diversity import MIN_CELL, Cell, suppress
from events.models import Meeting, Registration, SeatPool
from forum.models import Forum, Organisation
from forum.sni import SNI_SECTIONS
from issues import selectors as issue_selectors
from issues.models import Issue, IssueEvent, PriorityListEntry, Side, Vote
from networks.models import Action, Allocation, Attendance, Expense, Membership, Network, NetworkMeeting

Rows = tuple[list[str], list[list[Any]]]
PSEUDONYM_LENGTH = 12


def organisation_pseudonym(forum: Forum, organisation_id: int | None) -> str:
    """A stable pseudonym of an organisation within ``forum``'s exports: the first 12 hex
    characters of an HMAC-SHA256 of its id, keyed by the server secret and the forum's id. The
    same organisation has the same pseudonym in every export of that forum (so a researcher can
    follow it from meeting to meeting), another in another forum's, and without the secret
    nobody can compute it from the register."""
    if organisation_id is None:
        return ""
    key = f"{settings.SECRET_KEY}:research:{forum.pk}".encode()
    return hmac.new(key, str(organisation_id).encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value else None


def _time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _labels(choices) -> dict[str, str]:
    """A choices list as {value: label in the request's language}."""
    return {value: str(label) for value, label in choices}


def _visible_meetings_q(prefix: str) -> Q:
    """Rows whose meeting (through ``prefix``) is not a draft; rows without a meeting stay."""
    return ~Q(**{f"{prefix}status": Meeting.Status.DRAFT})


# --- participation ------------------------------------------------------------------------
def participation(forum: Forum) -> Rows:
    """One row per registration of the forum's meetings (any status): the meeting, the pool's
    kind, how the registration came, its status, whether someone checked in, and the
    organisation as a pseudonym with its kind, industry, size and district. No person, no
    needs, no name or number of the organisation. One query."""
    header = [_("Meeting (id)"), _("Meeting"), _("Kind of meeting"), _("Date"), _("Kind of pool"), _("Source"),
              _("Status"), _("Checked in"), _("Organisation (pseudonym)"), _("Kind of organisation"),
              _("Industry (SNI section)"), _("Size"), _("District")]
    kinds, pools = _labels(Meeting.Kind.choices), _labels(SeatPool.Kind.choices)
    sources, statuses = _labels(Registration.Source.choices), _labels(Registration.Status.choices)
    org_kinds, sizes = _labels(Organisation.Kind.choices), _labels(Organisation.SizeClass.choices)
    sni = _labels(SNI_SECTIONS)
    rows = []
    for (meeting_id, title, kind, starts_at, pool_kind, source, status, checked_in_at, organisation_id, org_kind,
         sni_section, size, district) in (
            Registration.objects.filter(meeting__forum=forum).filter(_visible_meetings_q("meeting__"))
            .order_by("meeting__starts_at", "meeting_id", "pk")
            .values_list("meeting_id", "meeting__title", "meeting__kind", "meeting__starts_at", "pool__kind",
                         "source", "status", "checked_in_at", "organisation_id", "organisation__kind",
                         "organisation__sni_section", "organisation__size_class", "organisation__district")):
        rows.append([meeting_id, title, kinds.get(kind, kind), _date(starts_at), pools.get(pool_kind, pool_kind),
                     sources.get(source, source), statuses.get(status, status), _yes_no(checked_in_at is not None),
                     organisation_pseudonym(forum, organisation_id), org_kinds.get(org_kind or "", ""),
                     sni.get(sni_section or "", sni_section or ""), sizes.get(size or "", size or ""),
                     district or ""])
    return header, rows


# --- the life of issues -------------------------------------------------------------------
# The statuses an issue can move to, each with the date it first got there.
LATER_STATUSES = [s for s in Issue.Status if s != Issue.Status.NEW]


def issues(forum: Forum) -> Rows:
    """One row per issue (merged ones too): its public id and text as the public issue page
    shows them, meeting, focus area, side, status now, the day it was raised and the day it
    first reached each later status (from its history), what it was merged into, and its place
    on the latest published priority list it was on. Never who raised or supported it. Three
    queries."""
    header = [_("Issue (id)"), _("Issue"), _("Meeting (id)"), _("Meeting"), _("Focus area"), _("Side"), _("Status"),
              _("Raised"),
              *[_("%(status)s, first date") % {"status": status.label} for status in LATER_STATUSES],
              _("Status changes"), _("Merged into (id)"), _("On a priority list"), _("Place on the priority list"),
              _("Priority list (vote id)")]
    first_reached: dict[int, dict[str, dt.date]] = defaultdict(dict)
    changes: Counter = Counter()
    events = (IssueEvent.objects.filter(issue__forum=forum, kind__in=[IssueEvent.Kind.STATUS, IssueEvent.Kind.MERGED])
              .filter(_visible_meetings_q("issue__meeting__")).order_by("at", "pk")
              .values_list("issue_id", "changes", "at"))
    for issue_id, change, at in events:
        status = (change or {}).get("status")
        if not isinstance(status, list) or len(status) != 2:
            continue  # the survivor's side of a merge: its own status did not change
        changes[issue_id] += 1
        first_reached[issue_id].setdefault(status[1], _date(at))
    # The latest confirmed (published) priority list each issue is on.
    places: dict[int, tuple[int, int]] = {}
    for issue_id, rank, vote_id in (
            PriorityListEntry.objects.filter(vote__meeting__forum=forum, vote__status=Vote.Status.CONFIRMED)
            .filter(_visible_meetings_q("vote__meeting__")).order_by("vote__confirmed_at", "vote_id")
            .values_list("issue_id", "rank", "vote_id")):
        places[issue_id] = (rank, vote_id)
    sides, statuses = _labels(Side.choices), _labels(Issue.Status.choices)
    rows = []
    for (pk, text, meeting_id, meeting_title, area, side, status, created_at, merged_into) in (
            Issue.objects.filter(forum=forum).filter(_visible_meetings_q("meeting__")).order_by("created_at", "pk")
            .values_list("pk", "text", "meeting_id", "meeting__title", "focus_area__name", "side", "status",
                         "created_at", "merged_into_id")):
        rank, vote_id = places.get(pk, (None, None))
        reached = first_reached.get(pk, {})
        rows.append([pk, text, meeting_id, meeting_title or "", area or "", sides.get(side, side),
                     statuses.get(status, status), _date(created_at),
                     *[reached.get(s.value) for s in LATER_STATUSES],
                     changes[pk], merged_into, _yes_no(rank is not None), rank, vote_id])
    return header, rows


# --- vote aggregates ----------------------------------------------------------------------
def _place_labels(ranking: list[list[int]] | None) -> dict[int, str]:
    """Places as the public result page labels them: a shared label ("2–3") for a tie."""
    labels: dict[int, str] = {}
    place = 1
    for group in ranking or []:
        last = place + len(group) - 1
        for candidate in group:
            labels[candidate] = str(place) if len(group) == 1 else f"{place}–{last}"
        place = last + 1
    return labels


def _side_places(by_side: dict, key: str) -> dict[int, str]:
    """A side's places, none where the count withheld them (fewer than 5 ballots)."""
    side = by_side.get(key) or {}
    return {} if side.get("withheld") else _place_labels(side.get("ranking"))


def votes(forum: Forum) -> Rows:
    """One row per candidate of every counted vote (closed or confirmed): the vote's method,
    when it opened and closed, eligible voters, ballots, turnout, the ballots of each side, and
    the candidate's place among all voters and among business and city voters – what the
    public result page shows, a side's place withheld below 5 ballots as there. No ballot, no
    receipt, no voter. One query."""
    header = [_("Vote (id)"), _("Vote"), _("Meeting (id)"), _("Meeting"), _("Counting method"), _("Status"),
              _("Opened"), _("Closed"), _("Eligible voters"), _("Ballots"), _("Turnout (%)"),
              _("Ballots from business"), _("Ballots from the city"), _("Issue (id)"), _("Issue as voted on"),
              _("Place"), _("Place among business voters"), _("Place among city voters")]
    methods, statuses = _labels(Vote.Method.choices), _labels(Vote.Status.choices)
    rows = []
    for vote in (Vote.objects.filter(meeting__forum=forum, status__in=[Vote.Status.CLOSED, Vote.Status.CONFIRMED],
                                     result__isnull=False)
                 .filter(_visible_meetings_q("meeting__")).select_related("meeting").order_by("closed_at", "pk")):
        result = vote.result or {}
        turnout = result.get("turnout") or {}
        eligible, ballots = turnout.get("eligible") or 0, turnout.get("ballots") or 0
        percent = issue_selectors.turnout_percent(turnout, places=1)
        by_side = result.get("by_side") or {}

        combined, business, city = (_place_labels(result.get("ranking")), _side_places(by_side, Side.BUSINESS),
                                    _side_places(by_side, Side.CITY))
        common = [vote.pk, vote.title, vote.meeting_id, vote.meeting.title, methods.get(vote.method, vote.method),
                  statuses.get(vote.status, vote.status), _time(vote.opened_at), _time(vote.closed_at), eligible,
                  ballots, percent, (by_side.get(Side.BUSINESS) or {}).get("ballots", 0),
                  (by_side.get(Side.CITY) or {}).get("ballots", 0)]
        order = result.get("ordered") or result.get("candidates") or []
        texts = vote.candidate_texts or {}
        if not order:
            rows.append([*common, None, "", "", "", ""])
        for candidate in order:
            rows.append([*common, candidate, (texts.get(str(candidate)) or {}).get("text", ""),
                         combined.get(candidate, ""), business.get(candidate, ""), city.get(candidate, "")])
    return header, rows


# --- networks -----------------------------------------------------------------------------
def _suppressed(counts: dict[str, int], categories: list[str]) -> list[int | str]:
    """The counts of one dimension with the diversity page's suppression: 1–4 "fewer than 5",
    and the next smallest "hidden" when a single small one could be worked out from the total."""
    cells = [Cell(category=c, label=c, count=counts.get(c, 0)) for c in categories]
    suppress(cells, sum(counts.values()))
    return [_("hidden") if cell.complementary else _("fewer than 5") if cell.suppressed else cell.count
            for cell in cells]


def _small(n: int) -> int | str:
    """A total of people: 1–4 suppressed (as the annual report's attendance)."""
    return _("fewer than 5") if 0 < n < MIN_CELL else n


def networks(forum: Forum) -> Rows:
    """One row per network: status, visibility, focus area, when it was formed, the issues it
    drives, its current members in total, by role and by kind of organisation, its meetings
    held and their attendance in total, its actions by status, and per budget year the money
    allocated and spent. Counts of members and attendance under 5 are suppressed. Eight
    queries."""
    nets = list(Network.objects.filter(forum=forum).select_related("focus_area")
                .annotate(n_issues=Count("issue_links", distinct=True)).order_by("created_at", "pk"))
    ids = [n.pk for n in nets]
    current = Membership.objects.filter(network__in=ids, status=Membership.Status.ACTIVE)
    by_role: dict[int, Counter] = defaultdict(Counter)
    for net, role, n in current.values("network", "role").annotate(n=Count("pk")).values_list("network", "role", "n"):
        by_role[net][role] += n
    by_kind: dict[int, Counter] = defaultdict(Counter)
    for net, kind, n in (current.values("network", "organisation__kind").annotate(n=Count("pk"))
                         .values_list("network", "organisation__kind", "n")):
        by_kind[net][kind or "none"] += n
    held = NetworkMeeting.objects.filter(network__in=ids, status=NetworkMeeting.Status.HELD)
    meetings = Counter(dict(held.values("network").annotate(n=Count("pk")).values_list("network", "n")))
    attendance = Counter(dict(Attendance.objects.filter(meeting__in=held, present=True).values("meeting__network")
                              .annotate(n=Count("pk")).values_list("meeting__network", "n")))
    actions: dict[int, Counter] = defaultdict(Counter)
    for net, status, n in (Action.objects.filter(network__in=ids).values("network", "status").annotate(n=Count("pk"))
                           .values_list("network", "status", "n")):
        actions[net][status] += n
    money: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for model, key in ((Allocation, "allocated"), (Expense, "spent")):
        for net, year, total in (model.objects.filter(network__in=ids).values("network", "pot__year")
                                 .annotate(t=Sum("amount")).values_list("network", "pot__year", "t")):
            money[(net, year)][key] = total
    years = sorted({year for _net, year in money})

    roles, kinds = list(Membership.Role), [*Organisation.Kind, "none"]
    kind_labels = {**_labels(Organisation.Kind.choices), "none": _("No organisation")}
    header = [_("Network (id)"), _("Network"), _("Status"), _("Visibility"), _("Focus area"), _("Formed"),
              _("Issues"), _("Members now"),
              *[_("Members: %(role)s") % {"role": role.label} for role in roles],
              *[_("Members: %(kind)s") % {"kind": kind_labels[str(kind)]} for kind in kinds],
              _("Network meetings held"), _("Attendance at them (in total)"),
              *[_("Actions: %(status)s") % {"status": status.label} for status in Action.Status],
              *[label % {"year": year} for year in years
                for label in (_("Allocated %(year)s (SEK)"), _("Spent %(year)s (SEK)"))]]
    statuses, visibilities = _labels(Network.Status.choices), _labels(Network.Visibility.choices)
    zero = Decimal("0.00")
    rows = []
    for net in nets:
        members = sum(by_role[net.pk].values())
        rows.append([
            net.pk, net.title, statuses.get(net.status, net.status), visibilities.get(net.visibility, net.visibility),
            net.focus_area.name if net.focus_area else "", _date(net.created_at), net.n_issues,
            _small(members),
            *_suppressed(by_role[net.pk], [str(r) for r in roles]),
            *_suppressed(by_kind[net.pk], [str(k) for k in kinds]),
            meetings[net.pk], _small(attendance[net.pk]),
            *[actions[net.pk][status.value] for status in Action.Status],
            # Kronor with two decimals throughout (a sum can come back as 60000 or 35740.5).
            *[Decimal(money[(net.pk, year)].get(key, zero)).quantize(zero) for year in years
              for key in ("allocated", "spent")],
        ])
    return header, rows


# --- survey answers -----------------------------------------------------------------------
def surveys(forum: Forum) -> Rows:
    """The survey figures as the survey page's CSV has them (communication.selectors): per
    scale question of each published survey, groups under 5 left empty, no free text. Two
    queries."""
    return communication_selectors.survey_export_header(), communication_selectors.survey_export_rows(forum)


# --- the list of exports ------------------------------------------------------------------
@dataclass(frozen=True)
class Export:
    """One export of the research page: its key (in the audit trail), file name (the address's
    last part), title, what a row is, what is left out, and the function giving its rows."""

    key: str
    filename: str
    title: Promise
    row: Promise
    left_out: Promise
    rows: Callable[[Forum], Rows]


EXPORTS: dict[str, Export] = {export.key: export for export in (
    Export("participation", "deltagande", gettext_lazy("Participation"),
           gettext_lazy("One row per registration for the forum's theme meetings: the meeting, the pool, how the "
                        "registration came in, its status, check-in, and the organisation as a pseudonym with its "
                        "kind, industry, size and district. The same organisation has the same pseudonym in every "
                        "export of this forum."),
           gettext_lazy("Left out: names, e-mail addresses, organisation names and organisationsnummer, dietary "
                        "and accessibility needs and everything else typed in."),
           participation),
    Export("issues", "fragor", gettext_lazy("The life of issues"),
           gettext_lazy("One row per issue: its number and text as the public issue page shows them, meeting, focus "
                        "area, side, status now, the day it was raised, the first day of each later status, what "
                        "it was merged into, and its place on the latest priority list it was on."),
           gettext_lazy("Left out: who raised or supported the issue, and the answers of the departments. The "
                        "issue texts are as they were published, so a text may mention an organisation or a place."),
           issues),
    Export("votes", "omrostningar", gettext_lazy("Vote aggregates"),
           gettext_lazy("One row per issue of every counted vote: the method, when voting opened and closed, "
                        "eligible voters, ballots, turnout, and the issue's place among all voters and among "
                        "business and city voters, as the public result page shows them."),
           gettext_lazy("Left out: ballots, receipts and who voted. A side's places are empty when it had fewer "
                        "than 5 ballots."),
           votes),
    Export("networks", "natverk", gettext_lazy("Networks"),
           gettext_lazy("One row per network: status, focus area, number of issues, current members by role and "
                        "by kind of organisation, network meetings held and attendance, actions by status, and "
                        "the money allocated and spent per year."),
           gettext_lazy("Left out: members' names and organisations, notes, progress updates and receipts. Groups "
                        "of fewer than 5 people are not shown."),
           networks),
    Export("surveys", "enkater", gettext_lazy("Survey answers"),
           gettext_lazy("One row per scale question of each published evaluation survey: the number of answers, "
                        "the average and the number of answers per score from 1 to 5."),
           gettext_lazy("Left out: free-text answers and who answered. Figures for fewer than 5 answers are "
                        "empty."),
           surveys),
)}
