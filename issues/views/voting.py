"""Views: the priority vote – creating and running it, the ballot, the receipt check and
the result.

Secrecy: no page shows who voted what. The receipt code is shown once, in the response to
the ballot itself (never stored in the session, never put in a URL), and the receipt check
takes it by POST so it does not end up in server logs.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from events import permissions as event_permissions
from forum.forms import add_service_error
from forum.pagecache import public_page

from .. import permissions, selectors, services, tally
from ..forms import BallotForm, PaperBallotForm, ReceiptCheckForm, VoteActionForm, VoteCreateForm
from ..models import Vote


# --- helpers ------------------------------------------------------------------------------
def _public_vote(request: HttpRequest, pk: int, registration_of=None) -> tuple[Vote, Any]:
    """A vote the visitor may see (:func:`issues.permissions.can_view_vote`: a vote of a
    draft meeting, or one not begun yet, is a 404 for the others), and the registration
    ``registration_of(vote)`` gives (the voter's, for the ballot pages; else None)."""
    vote = Vote.objects.select_related("meeting__forum").filter(pk=pk).first()
    registration = registration_of(vote) if vote is not None and registration_of is not None else None
    if vote is None or not permissions.can_view_vote(request.user, vote, registration):
        raise Http404
    return vote, registration


def _method_explanation(method: str) -> str:
    return {
        Vote.Method.SCHULZE: _(
            "The Schulze method compares every pair of issues: an issue is placed above another when more voters "
            "ranked it higher, directly or through a chain of such wins."),
        Vote.Method.BORDA: _(
            "The Borda count gives each issue points for its place on every ballot (the first place the most "
            "points); issues not ranked get none."),
        Vote.Method.DOTS: _(
            "In dot voting each voter spreads a number of points over the issues; the issue with the most points "
            "comes first."),
    }[method]


def _tie_break_sentence(rule: str) -> str:
    if rule == tally.TIE_BREAK:
        return _("On the published priority list, tied issues are listed by how many ballots marked them, then by "
                 "which was raised first.")
    return rule


def _places(ranking: list[list[int]], order: list[int] | None = None) -> list[dict[str, Any]]:
    """Ranking groups as rows with a shared place label ("2–3") for ties. ``order`` (the
    tie-broken list) orders the issues within a group the way the published list does."""
    position = {c: i for i, c in enumerate(order or [])}
    rows = []
    place = 1
    for group in ranking:
        label = tally.place_label(place, len(group))
        for candidate in sorted(group, key=lambda c: position.get(c, 0)):
            rows.append({"id": candidate, "place": label, "tied": len(group) > 1})
        place += len(group)
    return rows


def _refuse_ballot(form: BallotForm, error: services.IssueError) -> None:
    """Show a refused ballot on the form: the reason at the top, and for places that clash or
    follow a gap, at each such field (with the issue's number, as the ballot shows it), so the
    error summary links to them and they are marked invalid (WCAG 3.3.1)."""
    form.add_error(None, str(error))
    if not isinstance(error, services.BallotMarksError):
        return
    number = {name[1:]: field.number for name, field in form.fields.items() if hasattr(field, "number")}
    for place, keys in error.clashes.items():
        for key in keys:
            others = [str(number[other]) for other in keys if other != key and other in number]
            if key in number:
                form.add_error(f"c{key}", ngettext(
                    "Issue %(number)d has the same place (%(place)d) as issue %(others)s.",
                    "Issue %(number)d has the same place (%(place)d) as issues %(others)s.", len(others),
                ) % {"number": number[key], "place": place, "others": ", ".join(others)})
    for key in error.after_gap:
        if key in number and not any(key in keys for keys in error.clashes.values()):
            form.add_error(f"c{key}", _("Issue %(number)d has place %(place)d, but no issue has place %(missing)d.")
                           % {"number": number[key], "place": int(form.cleaned_data.get(f"c{key}") or 0),
                              "missing": error.gaps[0]})


# --- coordinator pages --------------------------------------------------------------------
@require_safe
@login_required
def vote_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The votes of a meeting (coordinators and the meeting's facilitators)."""
    meeting = event_permissions.meeting_for(request.user, pk, permissions.can_open_vote)
    votes = list(selectors.votes_for_meeting(meeting))
    for vote in votes:
        vote.is_open_now = services.vote_is_open(vote)
    return render(request, "issues/voting/vote_list.html", {
        "meeting": meeting, "votes": votes, "can_create": permissions.can_manage_vote(request.user, meeting),
    })


@login_required
def vote_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator creates a vote over the forum's candidates for the priority list."""
    meeting = event_permissions.meeting_for(request.user, pk, permissions.can_manage_vote)
    form = VoteCreateForm(request.POST if request.method == "POST" else None, forum=meeting.forum)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                vote = services.vote_create(
                    actor=request.user, meeting=meeting, title=data["title"], candidates=data["candidates"],
                    method=data["method"], dots=data["dots"], opens_at=data["opens_at"], closes_at=data["closes_at"],
                )
            except services.IssueError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The vote was created."))
                return redirect("issues:vote_manage", pk=vote.pk)
        status = 400
    return render(request, "issues/voting/vote_create.html", {"meeting": meeting, "form": form}, status=status)


@login_required
@never_cache
def vote_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a vote: open it (facilitators too), close it and confirm the priority list
    (coordinators), key in paper ballots (coordinators). Shows turnout as a count only."""
    vote = permissions.vote_for(request.user, pk, permissions.can_open_vote)
    meeting = vote.meeting
    can_manage = permissions.can_manage_vote(request.user, meeting)
    candidates = selectors.vote_candidates(vote)
    paper_form = None
    receipt = None
    status = 200
    if request.method == "POST":
        if "registration" in request.POST:
            if not can_manage:
                raise PermissionDenied
            paper_form = PaperBallotForm(request.POST, vote=vote, candidates=candidates,
                                         registrations=selectors.vote_not_yet_voted(vote))
            if paper_form.is_valid():
                try:
                    receipt = services.ballot_cast(vote=vote, registration=paper_form.cleaned_data["registration"],
                                                   marks=paper_form.marks(), actor=request.user, paper=True)
                except services.IssueError as error:
                    _refuse_ballot(paper_form, error)
            if receipt is None:
                status = 400
            else:
                paper_form = None
        else:
            action_form = VoteActionForm(request.POST)
            if not action_form.is_valid():
                messages.error(request, _("Something went wrong. Try again."))
                return redirect("issues:vote_manage", pk=vote.pk)
            action = action_form.cleaned_data["action"]
            if action != "open" and not can_manage:
                raise PermissionDenied
            try:
                if action == "open":
                    services.vote_open(actor=request.user, vote=vote)
                    messages.success(request, _("The vote is open."))
                elif action == "close":
                    services.vote_close(actor=request.user, vote=vote)
                    messages.success(request, _("The vote is closed and its result is final."))
                else:
                    services.vote_confirm(actor=request.user, vote=vote)
                    messages.success(request, _("The priority list was confirmed and published on the forum page."))
            except services.IssueError as error:
                messages.error(request, str(error))
            return redirect("issues:vote_manage", pk=vote.pk)
    vote.refresh_from_db()
    now = timezone.now()
    is_open = services.vote_is_open(vote, now)
    if paper_form is None and can_manage and is_open:
        paper_form = PaperBallotForm(vote=vote, candidates=candidates, registrations=selectors.vote_not_yet_voted(vote))
    return render(request, "issues/voting/vote_manage.html", {
        "vote": vote, "meeting": meeting, "can_manage": can_manage, "is_open": is_open,
        # What happened, not only what was planned: a vote opened by hand before its opening
        # time, or closed before its closing time, says so.
        "opened_at": services.vote_opened_at(vote, now), "closed_at": services.vote_closed_at(vote, now),
        "voted": selectors.vote_voter_count(vote), "eligible": selectors.vote_eligible_count(vote),
        "candidates": candidates, "paper_form": paper_form if is_open else None, "receipt": receipt,
        "can_open": services.vote_may_open(vote, now),
        "can_close": can_manage and vote.status in (Vote.Status.DRAFT, Vote.Status.OPEN),
        "can_confirm": can_manage and services.vote_may_confirm(vote),
    }, status=status)


# --- the ballot ---------------------------------------------------------------------------
def _ballot(request: HttpRequest, vote: Vote, registration, action_url: str) -> HttpResponse:
    if not permissions.can_vote(vote, registration):
        return render(request, "issues/voting/not_eligible.html", {"vote": vote}, status=403)
    is_open = services.vote_is_open(vote)
    if not is_open:
        return render(request, "issues/voting/not_open.html", {"vote": vote},
                      status=409 if request.method == "POST" else 200)
    candidates = selectors.vote_candidates(vote)
    record = selectors.voter_record(vote, registration)
    form = BallotForm(request.POST if request.method == "POST" else None, vote=vote, candidates=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                receipt = services.ballot_cast(vote=vote, registration=registration, marks=form.marks())
            except services.IssueError as error:
                _refuse_ballot(form, error)
            else:
                return render(request, "issues/voting/receipt.html", {
                    "vote": vote, "receipt": receipt, "ballot_url": action_url, "changed": record is not None,
                })
        status = 400
    return render(request, "issues/voting/ballot.html", {
        "vote": vote, "form": form, "record": record, "action_url": action_url, "dots": vote.method == Vote.Method.DOTS,
        "candidate_count": len(candidates),
    }, status=status)


@login_required
@never_cache
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """The ballot for a logged-in confirmed participant of the vote's meeting."""
    vote, registration = _public_vote(
        request, pk, lambda vote: permissions.participant_registration(request.user, vote.meeting))
    return _ballot(request, vote, registration, reverse("issues:ballot", kwargs={"pk": vote.pk}))


@never_cache
def ballot_by_token(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The ballot by the personal link of the invitation (no login needed)."""
    vote, registration = _public_vote(request, pk, lambda vote: event_permissions.registration_for_token(token))
    return _ballot(request, vote, registration,
                   reverse("issues:ballot_by_token", kwargs={"pk": vote.pk, "token": token}))


@never_cache
def receipt_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone with a receipt code sees the marks of the ballot counted under it, nothing else."""
    vote, _registration = _public_vote(request, pk)
    form = ReceiptCheckForm(request.POST if request.method == "POST" else None)
    rows = None
    not_found = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ballot = services.receipt_check(vote=vote, code=form.cleaned_data["code"])
            if ballot is None:
                not_found = True
            else:
                issues = {issue.pk: issue for issue in selectors.vote_candidates(vote)}
                rows = sorted(
                    ({"issue": issues.get(int(k)), "mark": v} for k, v in ballot.marks.items()),
                    key=lambda row: (row["mark"] if vote.method != Vote.Method.DOTS else -row["mark"]),
                )
        else:
            status = 400
    return render(request, "issues/voting/receipt_check.html", {
        "vote": vote, "form": form, "rows": rows, "not_found": not_found, "dots": vote.method == Vote.Method.DOTS,
    }, status=status)


# --- the result ---------------------------------------------------------------------------
@public_page
def vote_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen result of a closed vote, public."""
    vote, _registration = _public_vote(request, pk)
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.CONFIRMED) or not vote.result:
        return render(request, "issues/voting/result_pending.html", {"vote": vote})
    result = vote.result
    issues = {issue.pk: issue for issue in selectors.vote_candidates(vote)}
    numbers = {c: i for i, c in enumerate(result["candidates"], start=1)}
    scores = result.get("scores", {})

    def rows_of(ranking, order=None):
        rows = _places(ranking, order)
        for row in rows:
            row["issue"] = issues.get(row["id"])
            row["number"] = numbers.get(row["id"])
            row["score"] = scores.get(str(row["id"]))
        return rows

    combined = rows_of(result["ranking"], result.get("ordered"))
    sides = [
        {"key": key, "label": label, "ballots": result["by_side"][key]["ballots"],
         "withheld": result["by_side"][key].get("withheld", False),
         "rows": rows_of(result["by_side"][key]["ranking"]) if result["by_side"][key]["ranking"] else []}
        for key, label in (("business", _("Business voters")), ("city", _("City voters")))
        if key in result.get("by_side", {})
    ]
    # One table compares the rankings: a column per side whose ranking may be shown (a side
    # below SIDE_RESULT_MIN_BALLOTS is withheld by the count itself and gets no column).
    shown_sides = [side for side in sides if side["ballots"] and side["rows"] and not side["withheld"]]
    side_rows = [{r["id"]: r for r in side["rows"]} for side in shown_sides]
    for row in combined:
        row["side_places"] = [rows.get(row["id"]) for rows in side_rows]
    turnout = result["turnout"]
    turnout_percent = selectors.turnout_percent(turnout)
    # The table's cells are written from the stored matrix by issues/templatetags/vote_matrix.py.
    matrix = result["pairwise"] if vote.method != Vote.Method.DOTS and result.get("pairwise") else []
    legend = [{"number": numbers[c], "issue": issues.get(c)} for c in result["candidates"]]
    return render(request, "issues/voting/result.html", {
        "vote": vote, "combined": combined, "sides": sides, "matrix": matrix, "legend": legend,
        "shown_sides": shown_sides, "turnout": turnout, "turnout_percent": turnout_percent,
        "method_explanation": _method_explanation(vote.method),
        "strength_explanation": _("The strength of a win is counted in winning votes: the number of ballots that "
                                  "ranked the winning issue above the other. A chain of wins is as strong as its "
                                  "weakest win.") if vote.method == Vote.Method.SCHULZE else "",
        "tie_break": _tie_break_sentence(result.get("tie_break", tally.TIE_BREAK)),
        "has_ties": any(len(group) > 1 for group in result["ranking"]),
        "dots": vote.method == Vote.Method.DOTS, "confirmed": vote.status == Vote.Status.CONFIRMED,
        "side_min": services.SIDE_RESULT_MIN_BALLOTS,
    })
