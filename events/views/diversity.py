"""Views: diversity while picking – the aggregated composition of a meeting's invited and
confirmed groups against the forum's targets, candidates that would improve the balance,
and the forum's target shares. Coordinators only; never a person's name or answer."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from forum import permissions as forum_permissions

from .. import diversity as aggregates
from .. import permissions, services
from ..forms import CandidateFilterForm, DiversityTargetsForm

# The candidate list shows the best this many; the filter narrows it down.
CANDIDATE_LIMIT = 50


@login_required
def diversity(request: HttpRequest, pk: int) -> HttpResponse:
    """Composition tables (invited, confirmed) and ranked candidates; a fixed number of queries."""
    meeting = permissions.meeting_for(request.user, pk, lambda u, m: permissions.can_view_diversity(u, m.forum))
    targets = aggregates.targets_for(meeting.forum)
    invited = aggregates.composition(meeting, "invited", targets=targets)
    confirmed = aggregates.composition(meeting, "confirmed", targets=targets)
    filters = CandidateFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    ranked = aggregates.candidate_ranking(
        meeting,
        aggregates.candidate_companies(
            sni_section=chosen.get("sni_section", ""), size_class=chosen.get("size_class", "")
        ),
        invited=invited,
        targets=targets,
    )
    has_company_targets = any(d in aggregates.COMPANY_DIMENSIONS for d, _c in targets)
    return render(request, "events/diversity/diversity.html", {
        "meeting": meeting,
        "groups": [invited, confirmed],
        "filters": filters,
        "candidates": ranked[:CANDIDATE_LIMIT],
        "candidate_total": len(ranked),
        "has_company_targets": has_company_targets,
        "min_cell": aggregates.MIN_CELL,
    }, status=400 if filters.errors else 200)


@login_required
def targets(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit a forum's target shares per dimension and category."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_view_diversity)
    form = DiversityTargetsForm(request.POST or None, current=aggregates.targets_for(forum))
    if request.method == "POST" and form.is_valid():
        services.diversity_targets_save(actor=request.user, forum=forum, targets=form.targets())
        messages.success(request, _("The diversity targets were saved."))
        return redirect("events:diversity_targets", slug=forum.slug)
    return render(request, "events/diversity/targets.html", {"forum": forum, "form": form},
                  status=400 if form.errors else 200)
