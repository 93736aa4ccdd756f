"""Forms of the coordinators' meeting pages: meetings, pools, invitations, nominations."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from forum.fields import (
    CAPACITY,
    INVITATION_DAYS,
    LONG_TEXT,
    OFFER_HOURS,
    PLAN_YEAR,
    POOL_SIZE,
    SEATS_PER_COMPANY,
    BoundedCharField,
    BoundedDateTimeField,
    BoundedIntegerField,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
)
from forum.models import Organisation
from forum.sni import SNI_SECTIONS
from forum.validators import normalise_organisationsnummer

from ..models import Meeting, SeatPool
from ..selectors import facilitator_candidates, invitable_organisations
from ..services import pool_refusal


class YearForm(forms.Form):
    """The year for which the yearly plan's meetings are created."""

    year = BoundedIntegerField(label=_("Year"), bounds=PLAN_YEAR, grouping=False)


class MeetingForm(forms.Form):
    """A theme meeting's facts. ``forum`` limits focus areas and facilitators to the forum."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    title = BoundedCharField(label=_("Title"), max_length=200)
    theme = BoundedCharField(label=_("Theme"), required=False, max_length=LONG_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))
    focus_areas = BoundedModelMultipleChoiceField(
        label=_("Focus areas"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_at = BoundedDateTimeField(label=_("Starts"))
    ends_at = BoundedDateTimeField(label=_("Ends"))
    venue_name = BoundedCharField(label=_("Venue"), max_length=200, required=False)
    venue_address = BoundedCharField(label=_("Address"), max_length=300, required=False)
    venue_accessibility = BoundedCharField(
        label=_("Accessibility at the venue"), required=False, max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example step-free access, hearing loop, accessible toilet."),
    )
    facilitators = BoundedModelMultipleChoiceField(
        label=_("Facilitators (at most two)"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("People with the facilitator role in the forum."),
    )
    agenda = BoundedCharField(label=_("Agenda"), required=False, max_length=LONG_TEXT,
                              widget=forms.Textarea(attrs={"rows": 5}))
    capacity = BoundedIntegerField(
        label=_("Seats in total"), bounds=CAPACITY, initial=120,
        help_text=_("A new meeting shares its seats out into seat pools: three quarters for companies (the city's "
                    "pick, the partners' pick and open registration), a quarter for the city's own participants. "
                    "The pools' seats together are never more than this."))
    seats_per_company = BoundedIntegerField(label=_("Seats per company"), bounds=SEATS_PER_COMPANY, initial=1)
    offer_hours = BoundedIntegerField(label=_("Hours to answer a waiting-list offer"), bounds=OFFER_HOURS, initial=48)
    invitation_days = BoundedIntegerField(label=_("Days to answer an invitation"), bounds=INVITATION_DAYS, initial=14)

    FIELDS = [
        "kind", "title", "theme", "starts_at", "ends_at", "venue_name", "venue_address", "venue_accessibility",
        "agenda", "capacity", "seats_per_company", "offer_hours", "invitation_days",
    ]

    def __init__(self, *args, forum, **kwargs) -> None:

        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = forum.focus_areas.order_by("position")
        self.fields["facilitators"].queryset = facilitator_candidates(forum)
        self.fields["facilitators"].label_from_instance = lambda u: u.get_full_name() or u.email

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        initial = {name: getattr(meeting, name) for name in cls.FIELDS}
        initial["focus_areas"] = list(meeting.focus_areas.all())
        initial["facilitators"] = list(meeting.facilitators.all())
        return initial

    def clean_facilitators(self):
        facilitators = self.cleaned_data["facilitators"]
        if len(facilitators) > 2:
            raise forms.ValidationError(_("Choose at most two facilitators."))
        return facilitators

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned data as keyword arguments for meeting_create / meeting_update."""
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["focus_areas"] = list(self.cleaned_data["focus_areas"])
        data["facilitators"] = list(self.cleaned_data["facilitators"])
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Meeting.Status.choices)


class PoolForm(forms.Form):
    """A seat pool. ``kind`` is asked only for a new pool; a pool keeps its kind."""

    kind = forms.ChoiceField(label=_("Kind of pool"), choices=SeatPool.Kind.choices)
    name = BoundedCharField(label=_("Name"), max_length=120)
    size = BoundedIntegerField(label=_("Seats"), bounds=POOL_SIZE)
    hold_until = BoundedDateTimeField(
        label=_("Reserved until"),
        required=False,
        help_text=_(
            "Until then the seats are kept for this pool; afterwards unclaimed seats are open to anyone eligible."
        ),
    )
    partner_organisation = BoundedModelChoiceField(
        label=_("Partner organisation (partner pools split per partner)"), queryset=None, required=False
    )
    department = BoundedModelChoiceField(label=_("Department (municipal pools)"), queryset=None, required=False)

    def __init__(self, *args, pool: SeatPool | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pool = pool
        self.fields["partner_organisation"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.PARTNER).order_by("name")
        self.fields["department"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTMENT).order_by("name")
        if pool is not None:
            # A pool keeps its kind; only the fields that fit it are shown.
            del self.fields["kind"]
            if pool.kind != SeatPool.Kind.PARTNER_PICK:
                del self.fields["partner_organisation"]
            if pool.kind != SeatPool.Kind.MUNICIPAL:
                del self.fields["department"]

    @classmethod
    def initial_for(cls, pool: SeatPool) -> dict:
        return {"name": pool.name, "size": pool.size, "hold_until": pool.hold_until,
                "partner_organisation": pool.partner_organisation_id, "department": pool.department_id}

    def clean(self) -> dict:
        cleaned = super().clean()
        kind = self.pool.kind if self.pool is not None else cleaned.get("kind")
        if cleaned.get("partner_organisation") and kind != SeatPool.Kind.PARTNER_PICK:
            self.add_error("partner_organisation", _("Only partner pools belong to a partner organisation."))
        if cleaned.get("department") and kind != SeatPool.Kind.MUNICIPAL:
            self.add_error("department", _("Only municipal pools belong to a department."))
        return cleaned

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in ("name", "size", "hold_until")}
        if self.pool is None:
            data["kind"] = self.cleaned_data["kind"]
        if "partner_organisation" in self.fields:
            data["partner_organisation"] = self.cleaned_data.get("partner_organisation")
        if "department" in self.fields:
            data["department"] = self.cleaned_data.get("department")
        return data


def invitation_pools(meeting: Meeting):
    """Pools a coordinator invites into directly: city pick and municipal pools (partner
    pools go through nominations, the open pool through registration)."""
    return meeting.pools.filter(kind__in=(SeatPool.Kind.CITY_PICK, SeatPool.Kind.MUNICIPAL)).order_by("position", "pk")


class _PoolChoiceMixin:
    def _check_pool_kind(self, pool: SeatPool | None, organisation: Organisation | None, field: str) -> None:
        """Say early what the booking service would refuse (the rule lives in
        :func:`events.services.pool_refusal`)."""
        if pool is None or organisation is None:
            return
        refusal = pool_refusal(pool, organisation)
        if refusal:
            self.add_error(field, refusal)


class InvitationForm(_PoolChoiceMixin, forms.Form):
    """Invite one company or department through a pool."""

    pool = BoundedModelChoiceField(label=_("Pool"), queryset=None)
    organisation = BoundedModelChoiceField(label=_("Company or department"), queryset=None)
    contact_email = forms.EmailField(label=_("Contact's email address"))
    contact_name = BoundedCharField(label=_("Contact's name"), max_length=200, required=False)

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:

        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = invitation_pools(meeting)
        self.fields["organisation"].queryset = invitable_organisations()

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_pool_kind(cleaned.get("pool"), cleaned.get("organisation"), "organisation")
        return cleaned


class CompanyFilterForm(forms.Form):
    """Search and filter the register when picking several companies (GET)."""

    q = BoundedCharField(label=_("Search by name or organisationsnummer"), required=False, max_length=100)
    sni = forms.ChoiceField(label=_("Industry (SNI section)"), required=False,
                            choices=[("", _("All industries"))] + list(SNI_SECTIONS))
    size = forms.ChoiceField(label=_("Size"), required=False,
                             choices=[("", _("All sizes"))] + list(Organisation.SizeClass.choices))


class BulkInvitationForm(forms.Form):
    """Invite several companies of the register through a company pool at once."""

    pool = BoundedModelChoiceField(label=_("Pool"), queryset=None)
    companies = BoundedModelMultipleChoiceField(
        label=_("Companies"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one company.")},
    )

    def __init__(self, *args, meeting: Meeting, companies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = invitation_pools(meeting).exclude(kind=SeatPool.Kind.MUNICIPAL)
        self.fields["companies"].queryset = companies


class NominationForm(forms.Form):
    """A partner nominator proposes a company: by organisationsnummer or picked from the register."""

    pool = BoundedModelChoiceField(label=_("Pool"), queryset=None, empty_label=_("Choose a pool"),
                                   error_messages={"required": _("Choose the pool to nominate the company into.")})
    organisationsnummer = BoundedCharField(
        label=_("Organisationsnummer"), required=False, max_length=20,
        help_text=_("Ten digits, for example 559123-4561. Or choose the company in the list below."),
    )
    company = BoundedModelChoiceField(label=_("Company from the register"), queryset=None, required=False,
                                      empty_label=_("Choose a company"))
    contact_email = forms.EmailField(label=_("Contact's email address"))
    contact_name = BoundedCharField(label=_("Contact's name"), max_length=200, required=False)
    motivation = BoundedCharField(label=_("Why this company?"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, pools, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = SeatPool.objects.filter(pk__in=[p.pk for p in pools]).order_by("position")
        if len(pools) == 1:  # the nominator's one pool: nothing to choose
            self.fields["pool"].initial = pools[0].pk
        self.fields["company"].queryset = Organisation.objects.filter(kind=Organisation.Kind.COMPANY).order_by("name")

    def clean(self) -> dict:
        cleaned = super().clean()
        orgnr, company = cleaned.get("organisationsnummer"), cleaned.get("company")
        if orgnr:
            try:
                normalised = normalise_organisationsnummer(orgnr)
            except forms.ValidationError as error:
                self.add_error("organisationsnummer", error)
                return cleaned
            found = Organisation.objects.filter(organisationsnummer=normalised, kind=Organisation.Kind.COMPANY).first()
            if found is None:
                self.add_error("organisationsnummer", _(
                    "No company with that organisationsnummer is in the register. A company comes into the register "
                    "when someone there creates an account and adds it under “My organisations”; then you can "
                    "nominate it. Or write to %(email)s, and the forum adds the company.")
                    % {"email": settings.FORUM_CONTACT_EMAIL})
            elif company is not None and company != found:
                self.add_error("company", _("The organisationsnummer and the chosen company do not match."))
            else:
                cleaned["company"] = found
        elif company is None:
            self.add_error("company", _("Give the company's organisationsnummer or choose it in the list."))
        return cleaned
