"""Views: participation – the public meeting page, open registration, the personal
invitation link and "my invitations and registrations".

Thin: permission check (events.permissions), form validation, one service call. Seat
changes happen only in events.services; a BookingError is shown as a 400 with the form kept.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum.models import Organisation
from forum.pagecache import public_page

from .. import permissions, selectors, services
from ..calendar import meeting_ics
from ..forms import OfferAcceptForm, OpenRegistrationForm, ParticipantDetailsForm
from ..models import Registration

Status = Registration.Status


def _actor(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _registrable_companies(user) -> list:
    """The companies the user may register: those they are a confirmed representative of
    (the same rule as :func:`events.permissions.can_register_for`, in one query)."""
    return permissions.represented_companies(user)


# --- The public meeting page ------------------------------------------------------------
def _visible_meeting(request: HttpRequest, pk: int):
    """A meeting the user may see; a draft is a 404 for the public, so it is not revealed."""
    try:
        return permissions.meeting_for(request.user, pk, permissions.can_view_meeting)
    except PermissionDenied:
        raise Http404 from None


@public_page
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting's facts for everyone; drafts only for those who manage the forum."""
    meeting = _visible_meeting(request, pk)
    # The person's organisations (one query): the companies register, and every organisation's
    # registrations are shown, a department's too (as on "My invitations and registrations").
    organisations = permissions.represented_organisations(request.user)
    companies = [organisation for organisation in organisations if organisation.kind == Organisation.Kind.COMPANY]
    # Issues of the meeting (capture): imported here to keep the app's imports one-way at load.
    from issues import permissions as issue_permissions

    # Read once: whether they raise issues, and (in the template) the votes open to them.
    participant = issue_permissions.participant_registration(request.user, meeting)
    can_raise_issues = issue_permissions.can_raise(meeting, participant)
    standing = selectors.meeting_standing(request.user, meeting, companies, organisations=organisations)
    return render(
        request,
        "events/participation/meeting_detail.html",
        {
            "meeting": meeting,
            "focus_areas": meeting.focus_areas.order_by("position"),
            "facilitators": meeting.facilitators.all(),
            "standing": standing,
            "can_register": standing.can_register,
            "represents_companies": bool(companies),
            # A city official: municipal seats are given through the municipal pools.
            "represents_departments": any(organisation.kind == Organisation.Kind.DEPARTMENT
                                          for organisation in organisations),
            "can_manage": permissions.can_manage_meetings(request.user, meeting.forum),
            "can_check_in": permissions.can_check_in(request.user, meeting),
            "can_nominate": permissions.offers_nominations(request.user, meeting),
            "can_raise_issues": can_raise_issues,
            "participant": participant,
        },
    )


@require_safe
def meeting_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as an iCalendar file."""
    meeting = _visible_meeting(request, pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tematraff-{meeting.pk}.ics"'
    return response


# --- Open registration ------------------------------------------------------------------
@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmed company representative registers one of their companies."""
    meeting = _visible_meeting(request, pk)
    represented = _registrable_companies(request.user)
    if not represented:
        raise PermissionDenied(_("Only confirmed representatives of a company can register."))
    if request.method == "POST":
        # The booking decides under the meeting lock (open or not, seats, the one-seat rule);
        # the form is only checked against what can be known without counting. A page opened
        # before another registration of the company: the booking refuses it with its own
        # message, and the form comes back with what was typed.
        companies = represented
    else:
        standing = selectors.meeting_standing(request.user, meeting, represented, for_form=True)
        if not standing.registration_open:
            messages.error(request, _("Registration for this meeting is not open."))
            return redirect(meeting)
        # Only the companies the booking would take: one that already holds its place is not offered.
        companies = [company.organisation for company in standing.companies if company.can_register]
        if not companies:
            # Seated, invited, offered or waiting: the meeting page says which, and what to do.
            messages.info(request, _("None of your companies can register again. The meeting page shows "
                                     "what each of them holds."))
            return redirect(meeting)
    user = request.user
    form = OpenRegistrationForm(
        request.POST or None,
        companies=companies,
        initial={"attendee_name": user.get_full_name(), "attendee_email": user.email},
    )
    if request.method == "POST" and form.is_valid():
        # One of ``represented``: the companies permissions.represented_companies found this
        # person a confirmed representative of (can_register_for's rule) in this request.
        organisation = form.cleaned_data["organisation"]
        try:
            registration = services.registration_open_create(
                actor=user,
                meeting=meeting,
                organisation=organisation,
                attendee_name=form.cleaned_data["attendee_name"],
                attendee_email=form.cleaned_data["attendee_email"],
                dietary_needs=form.cleaned_data["dietary_needs"],
                accessibility_needs=form.cleaned_data["accessibility_needs"],
                consent=form.cleaned_data["consent"],
            )
        except services.RegistrationClosed as error:
            # Closed since the form was opened: nothing to correct in the form.
            messages.error(request, str(error))
            return redirect(meeting)
        except services.BookingError as error:
            form.add_error(None, str(error))
        else:
            if registration.status == Status.CONFIRMED:
                messages.success(
                    request,
                    _("%(company)s is registered. A confirmation with the check-in code has been sent to %(email)s.")
                    % {"company": organisation.name, "email": registration.attendee_email},
                )
            else:
                messages.info(
                    request,
                    _("The meeting is full. %(company)s is number %(position)d on the waiting list; "
                      "if a seat becomes free, it is offered by email.")
                    % {"company": organisation.name,
                       # Counted by the booking under the lock (the number its mail gives).
                       "position": getattr(registration, "position", None)
                       or services.waiting_position(registration) or 0},
                )
            return redirect("events:my_registrations")
    return render(
        request,
        "events/participation/register.html",
        {"meeting": meeting, "form": form, "single_company": companies[0] if len(companies) == 1 else None},
        status=400 if form.errors else 200,
    )


# --- The personal link ------------------------------------------------------------------
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Answer an invitation (or a waiting-list offer) by the personal link, without logging
    in: accept, decline, or cancel a confirmed place. Shows only this one registration."""
    registration = permissions.registration_for_token(token)
    now = timezone.now()
    state = registration.effective_status(now)
    details_form = None
    offer_form = None
    error = ""
    if state == "invited":
        details_form = ParticipantDetailsForm(
            request.POST if request.POST.get("action") == "accept" else None,
            initial={"attendee_name": registration.contact_name, "attendee_email": registration.contact_email},
        )
    elif state == "offered":
        offer_form = OfferAcceptForm(
            request.POST if request.POST.get("action") == "offer_accept" else None,
            initial={"dietary_needs": registration.dietary_needs,
                     "accessibility_needs": registration.accessibility_needs},
        )

    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if _invitation_action(request, registration, state, action, details_form, offer_form):
                return redirect("events:invitation", token=registration.token)
            error = ""  # the error summary lists what to correct, field by field
        except services.BookingError as booking_error:
            # Nothing was changed (the service rolled back); show the state as it is now.
            error = str(booking_error)
            registration.refresh_from_db()
            state = registration.effective_status()

    status = 200
    if state in ("expired", "offer_expired"):
        status = 410
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "events/participation/invitation.html",
        {
            "registration": registration,
            "meeting": registration.meeting,
            "state": state,
            "details_form": details_form,
            "offer_form": offer_form,
            "error": error,
            "position": services.waiting_position(registration),
            "may_cancel": registration.may_cancel(),
        },
        status=status,
    )


def _invitation_action(request, registration, state, action, details_form, offer_form) -> bool:
    """Run one answer from the personal link; True when done (redirect), False to re-render."""
    user = _actor(request)
    if action in ("accept", "decline") and state == Status.EXPIRED:
        # Too late by the clock: record the expiry (it is kept), then refuse the answer.
        services.invitation_expire(registration_id=registration.pk)
        raise services.BookingError(_("The invitation has expired."))
    if action == "accept" and state == "invited":
        if not details_form.is_valid():
            return False
        registration = services.invitation_accept(
            registration_id=registration.pk,
            attendee_name=details_form.cleaned_data["attendee_name"],
            attendee_email=details_form.cleaned_data["attendee_email"],
            dietary_needs=details_form.cleaned_data["dietary_needs"],
            accessibility_needs=details_form.cleaned_data["accessibility_needs"],
            consent=details_form.cleaned_data["consent"],
            user=user,
        )
        if registration.status == Status.CONFIRMED:
            messages.success(request, _("Thank you! Your seat is confirmed. A confirmation has been sent by email."))
        else:
            messages.info(request, _("The meeting is full, so you are on the waiting list. "
                                     "If a seat becomes free, it is offered to you by email."))
        return True
    if action == "decline" and state == "invited":
        services.invitation_decline(registration_id=registration.pk, user=user)
        messages.success(request, _("You have declined the invitation. Thank you for letting us know."))
        return True
    if action == "offer_accept" and state == "offered":
        if not offer_form.is_valid():
            return False
        services.offer_accept(
            registration_id=registration.pk,
            user=user,
            dietary_needs=offer_form.cleaned_data["dietary_needs"],
            accessibility_needs=offer_form.cleaned_data["accessibility_needs"],
        )
        messages.success(request, _("Thank you! Your seat is confirmed. A confirmation has been sent by email."))
        return True
    if action in ("cancel", "offer_decline") and registration.status in Registration.ACTIVE:
        services.registration_cancel(registration_id=registration.pk, user=user)
        messages.success(request, _("Your place has been cancelled. Thank you for letting us know."))
        return True
    raise services.BookingError(_("This answer is no longer possible. The page shows the current state."))


# --- My invitations and registrations ---------------------------------------------------
@require_safe
@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    """Every registration of the user and of the companies they represent (fixed queries)."""
    registrations = list(selectors.registrations_for_user(request.user))
    positions = selectors.waiting_positions(registrations)
    now = timezone.now()
    rows = [
        {"registration": r, "position": positions.get(r.pk), "state": r.effective_status(now),
         "may_cancel": r.may_cancel(now)}
        for r in registrations
    ]
    return render(request, "events/participation/my_registrations.html", {"rows": rows})


@login_required
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a place: GET asks for confirmation, POST cancels (the seat passes on at once)."""
    registration = permissions.registration_for(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            services.registration_cancel(registration_id=registration.pk, user=request.user)
        except services.BookingError as booking_error:
            error = str(booking_error)
        else:
            messages.success(
                request, _("The place at %(meeting)s has been cancelled.") % {"meeting": registration.meeting}
            )
            return redirect("events:my_registrations")
    return render(
        request,
        "events/participation/cancel_confirm.html",
        {"registration": registration, "meeting": registration.meeting, "error": error},
        status=400 if error else 200,
    )


@login_required
def registration_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline a waiting-list offer before its deadline."""
    registration = permissions.registration_for(request.user, pk)
    action = request.POST.get("action", "")
    form = OfferAcceptForm(
        request.POST if action == "accept" else None,
        initial={"dietary_needs": registration.dietary_needs, "accessibility_needs": registration.accessibility_needs},
    )
    error = ""
    if request.method == "POST":
        try:
            if action == "accept":
                if form.is_valid():
                    services.offer_accept(
                        registration_id=registration.pk,
                        user=request.user,
                        dietary_needs=form.cleaned_data["dietary_needs"],
                        accessibility_needs=form.cleaned_data["accessibility_needs"],
                    )
                    messages.success(
                        request, _("Thank you! Your seat is confirmed. A confirmation has been sent by email.")
                    )
                    return redirect("events:my_registrations")
            elif action == "decline":
                if registration.status != Status.OFFERED:
                    raise services.BookingError(_("There is no open offer to accept."))
                services.registration_cancel(registration_id=registration.pk, user=request.user)
                messages.success(request, _("You have declined the offer. The seat goes to the next in line."))
                return redirect("events:my_registrations")
            else:
                error = _("Choose whether to accept or decline the offer.")
        except services.BookingError as booking_error:
            error = str(booking_error)
            registration.refresh_from_db()
    return render(
        request,
        "events/participation/offer.html",
        {
            "registration": registration,
            "meeting": registration.meeting,
            "form": form,
            "error": error,
            "state": registration.effective_status(),
        },
        status=400 if request.method == "POST" else 200,
    )
