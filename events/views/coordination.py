"""Views: coordination – the coordinator's side of theme meetings (yearly plan, meetings,
pools, invitations, nominations, catering list) and the partner nominators' page.

Thin: a permission check from :mod:`events.permissions`, form validation, one service call.
Bad input re-renders the form with status 400 and changes nothing.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from forum import permissions as forum_permissions
from forum.exports import csv_response
from forum.forms import add_service_error

from .. import permissions, selectors, services
from ..forms import (
    BulkInvitationForm,
    CompanyFilterForm,
    InvitationForm,
    MeetingForm,
    NominationForm,
    PoolForm,
    StatusForm,
    YearForm,
)
from ..models import InvitationBatch, Meeting, Nomination, Registration, SeatPool

# The most companies the bulk picker lists at once; the filters narrow it down.
PICKER_LIMIT = 300


def _status_steps(meeting: Meeting) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The next status and the one step back, as (value, label), or None at either end."""
    order = Meeting.STATUS_ORDER
    index = order.index(meeting.status)
    labels = dict(Meeting.Status.choices)
    forward = (order[index + 1], labels[order[index + 1]]) if index + 1 < len(order) else None
    back = (order[index - 1], labels[order[index - 1]]) if index > 0 else None
    # Documented is reached by sending the documentation and never left
    # (services.meeting_set_status): the page links the documentation instead of a button.
    if forward and forward[0] == Meeting.Status.DOCUMENTED:
        forward = None
    if meeting.status == Meeting.Status.DOCUMENTED:
        back = None
    return forward, back


# --- Yearly plan ------------------------------------------------------------------------
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    """The forum's meetings per year. Everyone sees the published ones; coordinators also
    see drafts and create a year's meetings (POST ``action`` = ``startup`` or ``later``)."""
    forum = forum_permissions.forum_for(request.user, slug, forum_permissions.can_view_forum)
    can_manage = permissions.can_manage_meetings(request.user, forum)
    startup_form = YearForm(prefix="startup")
    later_form = YearForm(prefix="later")
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in ("startup", "later"):
            # A button this page never has (a tampered or very old form): the portal's 400 page.
            raise BadRequest("unknown action")
        form = YearForm(request.POST, prefix=action)
        if form.is_valid():
            create = services.startup_year_create if action == "startup" else services.later_year_create
            try:
                meetings = create(actor=request.user, forum=forum, year=form.cleaned_data["year"])
            except services.BookingError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext("%(count)d meeting was created as a draft.", "%(count)d meetings were created as drafts.",
                             len(meetings)) % {"count": len(meetings)},
                )
                return redirect("events:plan", slug=forum.slug)
        status = 400
        if action == "startup":
            startup_form = form
        else:
            later_form = form
    year = request.GET.get("ar", "")
    plan = selectors.yearly_plan(forum, include_drafts=can_manage,
                                 year=int(year) if year.isdigit() and len(year) == 4 else None)
    return render(
        request,
        "events/coordination/plan.html",
        {"forum": forum, "years": plan.years, "other_years": plan.other_years, "year": plan.year,
         "can_manage": can_manage, "startup_form": startup_form, "later_form": later_form},
        status=status,
    )


# --- Meetings ---------------------------------------------------------------------------
@login_required
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_manage_meetings)
    form = MeetingForm(request.POST or None, forum=forum)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, forum=forum, **form.service_fields())
        except services.BookingError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The meeting was created as a draft with the default seat pools."))
            return redirect("events:meeting_manage", pk=meeting.pk)
    return render(request, "events/coordination/meeting_form.html", {"forum": forum, "form": form, "meeting": None},
                  status=400 if form.errors else 200)


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a meeting's facts (coordinators). A new time or venue is mailed by the service to
    everyone it concerns; the page says beforehand how many that is, and afterwards how many
    were told."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    # Counted only where a change is mailed (published, not started).
    concerned = selectors.people_told_of_changes(meeting).count() if services.meeting_changes_are_told(meeting) else 0
    if request.method == "POST":
        form = MeetingForm(request.POST, forum=meeting.forum)
        if form.is_valid():
            fields = form.service_fields()
            told = concerned if services.meeting_changes_told(meeting, fields) else 0
            try:
                services.meeting_update(actor=request.user, meeting=meeting, **fields)
            except services.BookingError as error:
                add_service_error(form, error)
            else:
                if told:
                    messages.success(request, ngettext(
                        "The meeting was saved. %(count)d person gets an email about the new time or venue.",
                        "The meeting was saved. %(count)d people get an email about the new time or venue.",
                        told) % {"count": told})
                else:
                    messages.success(request, _("The meeting was saved."))
                return redirect("events:meeting_manage", pk=meeting.pk)
    else:
        form = MeetingForm(initial=MeetingForm.initial_for(meeting), forum=meeting.forum)
    return render(request, "events/coordination/meeting_form.html",
                  {"forum": meeting.forum, "form": form, "meeting": meeting,
                   "concerned": concerned},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def meeting_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the meeting one step forwards or back."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    form = StatusForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.meeting_set_status(actor=request.user, meeting=meeting, status=form.cleaned_data["status"])
        except services.BookingError as exc:
            error = str(exc)
        else:
            messages.success(request, _("The status is now: %(status)s.") % {"status": meeting.get_status_display()})
            return redirect("events:meeting_manage", pk=meeting.pk)
    else:
        error = _("Choose a status.")
    context = _dashboard_context(meeting)
    context["status_error"] = error
    return render(request, "events/coordination/manage.html", context, status=400)


# --- Pools ------------------------------------------------------------------------------
@login_required
def pools(request: HttpRequest, pk: int) -> HttpResponse:
    """List and edit a meeting's pools; add one; delete an unused one."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    pool_list = list(selectors.pools_with_fill(meeting))
    forms_by_pk = {pool.pk: PoolForm(initial=PoolForm.initial_for(pool), pool=pool, prefix=f"pool-{pool.pk}")
                   for pool in pool_list}
    new_form = PoolForm(prefix="new", initial={"kind": SeatPool.Kind.CITY_PICK})
    status = 200
    if request.method == "POST":
        target = request.POST.get("pool", "")
        if target == "new":
            new_form = PoolForm(request.POST, prefix="new")
            form, pool = new_form, None
        else:
            pool = next((p for p in pool_list if str(p.pk) == target), None)
            if pool is None:
                raise BadRequest("unknown pool")
            form = forms_by_pk[pool.pk] = PoolForm(request.POST, pool=pool, prefix=f"pool-{pool.pk}")
        try:
            if request.POST.get("delete") and pool is not None:
                services.pool_delete(actor=request.user, pool=pool)
                messages.success(request, _("The pool %(name)s was removed.") % {"name": pool.name})
                return redirect("events:pools", pk=meeting.pk)
            if form.is_valid():
                services.pool_save(actor=request.user, meeting=meeting, pool=pool, **form.service_fields())
                messages.success(request, _("The pool was saved."))
                return redirect("events:pools", pk=meeting.pk)
        except services.BookingError as exc:
            add_service_error(form, exc)
        status = 400
    rows = [(pool, forms_by_pk[pool.pk]) for pool in pool_list]
    return render(request, "events/coordination/pools.html",
                  {"meeting": meeting, "rows": rows, "new_form": new_form}, status=status)


# --- Dashboard --------------------------------------------------------------------------
def _dashboard_context(meeting: Meeting) -> dict:
    from django.utils import timezone

    now = timezone.now()
    pool_list = list(selectors.pools_with_fill(meeting))
    for pool in pool_list:
        pool.hold_passed = not pool.is_held(now)
        pool.taken = pool.confirmed + pool.offered
    registrations = list(selectors.registrations_with_mail_status(meeting))
    mail_labels = {"queued": _("Queued"), "sending": _("Being sent"), "sent": _("Sent"), "failed": _("Failed")}
    for registration in registrations:
        registration.mail_label = mail_labels.get(registration.mail_status, "")
    forward, back = _status_steps(meeting)
    return {
        "meeting": meeting,
        "forum": meeting.forum,
        "pools": pool_list,
        "waiting": list(selectors.waiting_list(meeting)),
        "registrations": registrations,
        "status_forward": forward,
        "status_back": back,
        "invitation_source": Registration.Source.INVITATION,
    }


@login_required
def meeting_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's dashboard: pool fill, waiting list, registrations and their mail."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    return render(request, "events/coordination/manage.html", _dashboard_context(meeting))


# --- Invitations ------------------------------------------------------------------------
@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite one company or department, or pick several companies for a bulk invitation."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    filter_form = CompanyFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    candidates = selectors.company_candidates(
        search=filters.get("q", ""), sni_section=filters.get("sni", ""), size_class=filters.get("size", "")
    )
    single_form = InvitationForm(meeting=meeting, prefix="one")
    bulk_form = BulkInvitationForm(meeting=meeting, companies=candidates, prefix="bulk")
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "single":
        single_form = InvitationForm(request.POST, meeting=meeting, prefix="one")
        if single_form.is_valid():
            data = single_form.cleaned_data
            try:
                services.invitation_create(actor=request.user, pool=data["pool"], organisation=data["organisation"],
                                           contact_email=data["contact_email"], contact_name=data["contact_name"])
            except services.BookingError as exc:
                single_form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s was invited. The invitation is on its way by email.")
                                 % {"name": data["organisation"].name})
                return redirect("events:meeting_manage", pk=meeting.pk)
        status = 400
    elif action == "bulk":
        # Validate against the whole register, not only the companies the filter showed.
        bulk_form = BulkInvitationForm(request.POST, meeting=meeting, prefix="bulk",
                                       companies=selectors.company_candidates())
        if bulk_form.is_valid():
            chosen = list(bulk_form.cleaned_data["companies"])
            items = [{"organisation": c.pk, "email": c.representative_email, "name": c.representative_name or ""}
                     for c in chosen if c.representative_email]
            without = [c.name for c in chosen if not c.representative_email]
            if without:
                messages.warning(
                    request,
                    _("Skipped, because they have no confirmed representative with an email address: %(names)s.")
                    % {"names": ", ".join(without)},
                )
            if items:
                try:
                    batch = services.invitation_batch_create(actor=request.user, pool=bulk_form.cleaned_data["pool"],
                                                             items=items)
                except services.BookingError as exc:
                    bulk_form.add_error(None, str(exc))
                else:
                    return redirect("events:batch_progress", pk=meeting.pk, batch_pk=batch.pk)
            else:
                bulk_form.add_error("companies",
                                    _("None of the chosen companies has a confirmed representative to invite."))
        status = 400
    elif action is not None:
        raise BadRequest("unknown action")
    shown = list(candidates[:PICKER_LIMIT])
    return render(
        request,
        "events/coordination/invite.html",
        {"meeting": meeting, "single_form": single_form, "bulk_form": bulk_form, "filter_form": filter_form,
         "companies": shown, "more_companies": len(shown) >= PICKER_LIMIT,
         "chosen": {str(v) for v in request.POST.getlist("bulk-companies")}},
        status=status,
    )


# The mail counts the bulk invitation's JSON carries for static/js/progress.js.
MAIL_KEYS = ("queued", "sent", "failed", "unknown")


@login_required
def batch_progress(request: HttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    """Progress of a bulk invitation and the state of its mail; static/js/progress.js polls
    ``?format=json`` while it runs or mail is queued. The meeting's coordinators only."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    batch = get_object_or_404(InvitationBatch, pk=batch_pk, meeting=meeting)
    running = batch.status != InvitationBatch.Status.DONE
    mail = selectors.invitation_batch_mail_status(batch)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": batch.status, "running": running, "done": batch.done, "total": batch.total,
                             "handled": batch.done,
                             # Rounded down: 199 of 200 is 99 %, not "100 %" with one still to go.
                             "percent": 100 * batch.done // batch.total if batch.total else 100,
                             "skipped": batch.skipped, **{k: mail[k] for k in MAIL_KEYS}})
    return render(request, "events/coordination/batch.html",
                  {"meeting": meeting, "batch": batch, "running": running, "mail": mail})


@login_required
@require_POST
def batch_retry(request: HttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    """Put the bulk invitation's failed mails back in the queue. The meeting's coordinators only."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    batch = get_object_or_404(InvitationBatch, pk=batch_pk, meeting=meeting)
    count = services.invitation_batch_retry_failed(actor=request.user, batch=batch)
    if count:
        messages.success(request, ngettext("%(count)s failed email is back in the queue.",
                                           "%(count)s failed emails are back in the queue.", count) % {"count": count})
    else:
        messages.info(request, _("No email of this bulk invitation has failed."))
    return redirect("events:batch_progress", pk=meeting.pk, batch_pk=batch.pk)


# --- Nominations ------------------------------------------------------------------------
@login_required
def nominations(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner nominator nominates into their own pool(s) and sees those nominations; a
    coordinator sees all and decides. Anyone else: 403."""
    meeting = permissions.meeting_for(request.user, pk, permissions.can_view_nominations)
    is_coordinator = permissions.can_manage_meetings(request.user, meeting.forum)
    own_pools = permissions.nomination_pools(request.user, meeting)
    form = NominationForm(pools=own_pools) if own_pools else None
    status = 200
    if request.method == "POST":
        # Permission first: a pool that is not the nominator's own is refused, not validated.
        # No pool chosen at all is the form's to say, next to the field, with the input kept.
        if not own_pools:  # coordinators decide; they nominate only if they are nominators too
            raise PermissionDenied
        if request.POST.get("pool"):
            permissions.nomination_pool_for(request.user, meeting, request.POST.get("pool"))
        form = NominationForm(request.POST, pools=own_pools)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.nomination_create(actor=request.user, pool=data["pool"], company=data["company"],
                                           contact_email=data["contact_email"], contact_name=data["contact_name"],
                                           motivation=data["motivation"])
            except services.BookingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s was nominated. A coordinator will decide.")
                                 % {"name": data["company"].name})
                return redirect("events:nominations", pk=meeting.pk)
        status = 400
    listed = selectors.nominations_for(meeting, pools=None if is_coordinator else own_pools)
    return render(
        request,
        "events/coordination/nominations.html",
        {"meeting": meeting, "form": form, "nominations": list(listed), "is_coordinator": is_coordinator,
         "pending": Nomination.Status.PENDING},
        status=status,
    )


@login_required
@require_POST
def nomination_decide(request: HttpRequest, pk: int, nomination_pk: int) -> HttpResponse:
    """A coordinator approves (which invites the company) or rejects a nomination."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    nomination = get_object_or_404(Nomination.objects.select_related("company", "pool"), pk=nomination_pk,
                                   pool__meeting=meeting)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        raise BadRequest("unknown decision")
    try:
        services.nomination_decide(actor=request.user, nomination=nomination, approve=decision == "approve")
    except services.BookingError as exc:
        messages.error(request, str(exc))
    else:
        if decision == "approve":
            messages.success(request, _("%(name)s was approved and invited.") % {"name": nomination.company.name})
        else:
            messages.success(request, _("The nomination of %(name)s was rejected.") % {"name": nomination.company.name})
    return redirect("events:nominations", pk=meeting.pk)


# --- Catering ---------------------------------------------------------------------------
@login_required
def catering(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmed attendees' dietary and accessibility needs as CSV for the caterer and venue.
    UTF-8 with a byte-order mark and ``;`` so Swedish Excel opens it with å, ä and ö intact."""
    meeting = permissions.meeting_managed_by(request.user, pk)
    return csv_response(
        filename=f"catering-{slugify(meeting.title)[:50] or meeting.pk}",
        header=[_("Organisation"), _("Attendee"), _("Dietary needs"), _("Accessibility needs")],
        rows=([r.organisation.name, r.display_attendee, r.dietary_needs, r.accessibility_needs]
              for r in selectors.catering_rows(meeting)),
    )
