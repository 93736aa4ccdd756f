"""Demo data of issues for "11:11 – Meet Malmö" (its meetings are :mod:`events.demo`'s, found
here by kind): about 40 issues raised at last year's theme meetings 1 and 2 in every status
(new, quick fix routed with a due date, some overdue, candidate, taken up by a network,
resolved, out of scope, merged duplicates), some anonymous, with supporters; and a closed
Schulze vote at meeting 3 with its confirmed priority list. Everything goes through
:mod:`issues.services`. Meetings 1 to 3 stay held: a meeting becomes documented when its
documentation is sent (:mod:`communication.demo` sends meeting 1's).

Idempotent: nothing is done if the forum already has issues, or its start-up year's three
meetings are not there to be held and documented. Run by ``python manage.py seed_demo``, after
the meetings' part.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from events.models import Meeting, Registration, SeatPool
from forum.demo import FORUM_SLUG, SEED
from forum.models import Forum, Organisation

from . import services as issue_services
from .models import Issue, IssueEvent, Vote

# (meeting 1 or 2, focus area index (0 work and education, 1 establishments and
# attractiveness, 2 investments), side, status, text, detail). Detail: for a quick fix the
# department and whether it is overdue; for resolved the answer; for out of scope the
# reason; for a merged issue the text of the issue it duplicates.
B, C = "business", "city"
DEMO_ISSUES: list[tuple[int, int, str, str, str, object]] = [
    # Candidates for the priority list (voted on at meeting 3).
    (1, 0, B, "candidate", "Fler praktikplatser för nyanlända inom bygg", None),
    (1, 0, B, "candidate", "Yrkessvenska som går att läsa på arbetsplatsen", None),
    (1, 1, B, "candidate", "Snabbare bygglov för små företag", None),
    (1, 1, B, "candidate", "En väg in till staden för företag som vill etablera sig", None),
    (1, 2, B, "candidate", "Lokaler till rimlig hyra för unga företag i Rosengård och Holma", None),
    (2, 0, C, "candidate", "Sommarjobb för gymnasieelever hos fler privata arbetsgivare", None),
    (2, 0, B, "candidate", "Validering av utländsk yrkeserfarenhet på veckor i stället för månader", None),
    (2, 2, C, "candidate", "Företag som tar emot lärlingar i vård och omsorg", None),
    (2, 1, B, "candidate", "Trygga och upplysta gångstråk till arbetsplatserna i Hyllie", None),
    (2, 2, B, "candidate", "Stadens upphandlingar uppdelade så att små företag kan lämna anbud", None),
    # New, not yet handled.
    (2, 0, B, "new", "Mentorprogram för kvinnor som vill starta företag", None),
    (2, 1, B, "new", "Fler laddplatser för företagens elbilar i innerstaden", None),
    (2, 2, C, "new", "Näringslivet medfinansierar fritidsgårdarnas läxhjälp", None),
    (2, 0, B, "new", "Kortare handläggningstid för arbetstillstånd vid rekrytering", None),
    (2, 1, B, "new", "Skyltning på fler språk vid företagsområdet i Fosie", None),
    (1, 2, B, "new", "Gemensam kompetensbank för små IT-företag i Malmö", None),
    (1, 0, C, "new", "Studiebesök på företag för elever i årskurs 8", None),
    # Quick fixes routed to a department.
    (1, 1, B, "quick_fix", "Tydligare information om vilka tillstånd en restaurang behöver",
     ("Miljöförvaltningen", True)),
    (1, 1, B, "quick_fix", "Lastzoner som räcker för leveranser på Södra Förstadsgatan",
     ("Fastighets- och gatukontoret", True)),
    (1, 0, B, "quick_fix", "En kontaktperson på Arbetsförmedlingen och staden för rekryterande företag",
     ("Arbetsmarknads- och socialförvaltningen", False)),
    (2, 1, B, "quick_fix", "Snöröjning av cykelbanorna vid industriområdet i Fosie",
     ("Fastighets- och gatukontoret", False)),
    (2, 0, C, "quick_fix", "Praktikplatser på stadens egna förvaltningar annonseras samlat",
     ("Stadskontoret", True)),
    (2, 2, B, "quick_fix", "Svar inom en vecka på frågor till företagslotsen",
     ("Stadsbyggnadskontoret", False)),
    (1, 0, B, "quick_fix", "Vuxenutbildningens yrkeskurser på kvällstid", (
        "Gymnasie- och vuxenutbildningsförvaltningen", False)),
    # Taken up by a network.
    (1, 0, B, "network", "Matchning mellan arbetsgivare och unga som varken arbetar eller studerar", None),
    (2, 2, B, "network", "Gemensamma investeringar i stadsdelarnas torg och handel", None),
    (2, 1, C, "network", "Ett företagsnätverk för besöksnäringen kring Malmö Live", None),
    # Resolved, with an answer.
    (1, 1, B, "resolved", "Kan staden samla all information till nya företag på ett ställe?",
     "Ja. Sedan i höstas finns Företagsservice på malmo.se med en samlad väg in och en företagslots."),
    (1, 0, B, "resolved", "Gymnasiets bygg- och anläggningsprogram saknar handledare på företagen",
     "Gymnasieförvaltningen har utbildat 24 nya handledare tillsammans med byggföretagen."),
    (2, 2, C, "resolved", "Kan företag sponsra utrustning till skolornas teknikundervisning?",
     "Ja, genom stadens samarbetsavtal. Kontakta Grundskoleförvaltningen, som har en mall för avtalet."),
    (2, 1, B, "resolved", "Parkeringsregler för hantverkare vid jobb i innerstaden",
     "Hantverkartillstånd kan nu sökas digitalt och gäller i hela innerstaden."),
    (1, 2, B, "resolved", "Bredband till företagen i Kirsebergs industriområde",
     "Utbyggnaden är klar sedan juni; alla fastigheter i området kan ansluta."),
    # Out of scope, with a reason.
    (1, 2, B, "out_of_scope", "Sänkt arbetsgivaravgift för unga anställda",
     "Arbetsgivaravgiften beslutas av riksdagen, inte av staden. Frågan har förts vidare till Företagarna."),
    (2, 1, B, "out_of_scope", "Fler direktflyg från Sturup",
     "Flygtrafiken ligger utanför forumets uppdrag om arbete och utbildning."),
    (1, 0, B, "out_of_scope", "Ändrade regler för a-kassan vid deltidsarbete",
     "Reglerna för arbetslöshetsförsäkringen beslutas nationellt."),
    (2, 2, C, "out_of_scope", "Ett nytt konserthus i Västra Hamnen",
     "Större kulturinvesteringar hanteras i stadens budgetprocess och inte i forumet."),
    # Duplicates, merged into the issue they repeat.
    (1, 0, B, "merged", "Praktik för nyanlända på byggarbetsplatser",
     "Fler praktikplatser för nyanlända inom bygg"),
    (1, 1, B, "merged", "Bygglov tar för lång tid för småföretagare",
     "Snabbare bygglov för små företag"),
    (2, 0, B, "merged", "Snabbare validering av utländska utbildningar",
     "Validering av utländsk yrkeserfarenhet på veckor i stället för månader"),
    (2, 2, B, "merged", "Dela upp stora upphandlingar i mindre delar",
     "Stadens upphandlingar uppdelade så att små företag kan lämna anbud"),
]


class IssuesAndVote:
    """Issues raised at last year's meetings 1 and 2 in every status, and the vote at meeting 3
    with its confirmed priority list, all through :mod:`issues.services`.

    The issue services have no ``now``: issues and their history get the real time, and are
    then dated back to their meeting (a demo-only adjustment, straight in the database). The
    vote is placed in time with ``now``: opened, cast and closed during meeting 3, the list
    confirmed two days later.
    """

    def __init__(self, forum: Forum, first: Meeting, second: Meeting, third: Meeting) -> None:
        User = get_user_model()
        self.coordinator = User.objects.get(email="samordnare@forum.example")
        self.facilitator = User.objects.get(email="processledare@forum.example")
        self.meetings = {1: first, 2: second}
        self.third = third
        self.rng = random.Random(SEED + 3)
        self.focus_areas = list(forum.focus_areas.order_by("position"))
        self.services = issue_services

    def play(self) -> None:
        issues = self._raise()
        self._triage(issues)
        # Fresh rows: the triage services changed the statuses in the database.
        candidates = Issue.objects.filter(pk__in=[issues[spec[4]].pk for spec in DEMO_ISSUES if spec[3] == "candidate"])
        self._vote(list(candidates.order_by("created_at", "pk")))

    def _participants(self, meeting: Meeting, side: str) -> list[Registration]:
        municipal = Q(pool__kind=SeatPool.Kind.MUNICIPAL)
        rows = meeting.registrations.filter(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False)
        rows = rows.filter(municipal) if side == C else rows.exclude(municipal)
        return list(rows.select_related("pool", "attendee", "organisation").order_by("pk"))

    def _raise(self) -> dict[str, Any]:
        issues = {}
        for n, (meeting_no, focus, side, _status, text, _detail) in enumerate(DEMO_ISSUES):
            meeting = self.meetings[meeting_no]
            raised_at = meeting.starts_at + dt.timedelta(minutes=25 + 2 * n)
            if n % 6 == 5:
                # Keyed in by the facilitator from the table notes.
                issue = self.services.issue_create(actor=self.facilitator, meeting=meeting, text=text, side=side,
                                                   focus_area=self.focus_areas[focus], keyed_in=True)
            else:
                registration = self.rng.choice(self._participants(meeting, side))
                issue = self.services.issue_create(
                    actor=registration.attendee, meeting=meeting, text=text, side=side,
                    focus_area=self.focus_areas[focus], anonymous=n % 5 == 3, registration=registration,
                )
            # "Me too" from others in the room.
            others = self._participants(meeting, B) + self._participants(meeting, C)
            for supporter in self.rng.sample(others, k=self.rng.randint(0, 6)):
                if supporter.pk == issue.raised_by_registration_id:
                    continue  # the raiser counts once, as the raiser (services.issue_support)
                if supporter.attendee_id:
                    self.services.issue_support(issue=issue, person=supporter.attendee)
                else:
                    self.services.issue_support(issue=issue, registration=supporter)
            Issue.objects.filter(pk=issue.pk).update(created_at=raised_at)
            IssueEvent.objects.filter(issue=issue).update(at=raised_at)
            issues[text] = issue
        return issues

    def _triage(self, issues: dict[str, Any]) -> None:
        today = timezone.localdate()
        responsible = [self.coordinator, get_user_model().objects.get(email="tjansteperson@forum.example")]
        for n, (_m, _f, _side, status, text, detail) in enumerate(DEMO_ISSUES):
            issue = issues[text]
            before = IssueEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            if status == "merged":
                self.services.issue_merge(actor=self.coordinator, survivor=issues[detail], duplicates=[issue])
            elif status == "quick_fix":
                department, overdue = detail
                due = today - dt.timedelta(days=10 + 7 * n % 30) if overdue else today + dt.timedelta(days=14 + n)
                # Triaged two weeks before it was due (a due date set is never already passed).
                self.services.issue_set_status(
                    actor=self.coordinator, issue=issue, status=Issue.Status.QUICK_FIX,
                    department=Organisation.objects.get(kind=Organisation.Kind.DEPARTMENT, name=department),
                    responsible=responsible[n % 2], due_date=due,
                    now=min(timezone.now(), timezone.make_aware(
                        dt.datetime.combine(due - dt.timedelta(days=14), dt.time(12)))),
                )
            elif status in ("resolved", "out_of_scope"):
                self.services.issue_set_status(actor=self.coordinator, issue=issue, status=status, answer=detail)
            elif status == "network":
                # Candidates now; networks/demo.py forms the networks that take them up (the
                # status "taken up by a network" comes only with the link to a network).
                self.services.issue_set_status(actor=self.coordinator, issue=issue, status=Issue.Status.CANDIDATE)
            elif status != "new":
                self.services.issue_set_status(actor=self.coordinator, issue=issue, status=status)
            # The coordinators triaged in the weeks after meeting 2, before the vote at meeting 3:
            # the issue's history says so (the services stamp the clock's time).
            IssueEvent.objects.filter(pk__gt=before).update(
                at=self.meetings[2].starts_at + dt.timedelta(days=7, hours=n))

    def _vote(self, candidates: list) -> None:
        """A Schulze vote at meeting 3 over the candidates: every participant who came votes
        (two on paper, keyed in by the coordinator), ranking three to all of them."""
        starts = self.third.starts_at
        vote = self.services.vote_create(
            actor=self.coordinator, meeting=self.third, title=f"Prioriteringslista {starts.year}",
            candidates=candidates, method=Vote.Method.SCHULZE,
        )
        opened = starts + dt.timedelta(hours=1, minutes=30)
        vote = self.services.vote_open(actor=self.facilitator, vote=vote, now=opened)
        # Popularity: a voter's ranking is drawn with these weights, so the result has clear
        # leaders and some close calls.
        weights = [9, 6, 7, 4, 5, 8, 6, 3, 2, 4][: len(candidates)]
        voters = self._participants(self.third, B) + self._participants(self.third, C)
        for i, registration in enumerate(voters):
            length = self.rng.randint(3, len(candidates))
            chosen: list = []
            while len(chosen) < length:
                pick = self.rng.choices(candidates, weights=weights, k=1)[0]
                if pick not in chosen:
                    chosen.append(pick)
            marks = {str(issue.pk): rank for rank, issue in enumerate(chosen, start=1)}
            paper = i in (7, 31)
            self.services.ballot_cast(vote=vote, registration=registration, marks=marks, paper=paper,
                                      actor=self.coordinator if paper else None,
                                      now=opened + dt.timedelta(seconds=20 * i))
        vote = self.services.vote_close(actor=self.coordinator, vote=vote, now=opened + dt.timedelta(minutes=40))
        self.services.vote_confirm(actor=self.coordinator, vote=vote, now=starts + dt.timedelta(days=2))


def seed(*, stdout: Any = None) -> None:
    """Issues at last year's meetings 1 and 2 and the vote at meeting 3 of the demo forum.
    Side effects: rows through :mod:`issues.services` (with their history, audit events and
    mail); a summary on ``stdout``."""
    forum = Forum.objects.filter(slug=FORUM_SLUG).first()
    if forum is None or Issue.objects.filter(forum=forum).exists():
        return
    held = forum.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at", "pk")
    meetings = [held.filter(kind=kind).first() for kind in (
        Meeting.Kind.CITY_FOR_BUSINESS, Meeting.Kind.BUSINESS_FOR_CITY, Meeting.Kind.PRIORITISATION)]
    if None in meetings:
        return
    IssuesAndVote(forum, *meetings).play()
    if stdout is not None:
        stdout.write(
            f"Frågor: {Issue.objects.filter(forum=forum).count()}; omröstningar: "
            + ", ".join(f"{v.title} ({v.get_status_display()}, {v.ballots.count()} valsedlar)"
                        for v in Vote.objects.filter(meeting__forum=forum))
        )
