"""Forms of taking part: the participant's details, open registration, an offered seat."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from forum.fields import BoundedCharField


class ParticipantDetailsForm(forms.Form):
    """Who attends and what they need; the consent is required to take part."""

    attendee_name = BoundedCharField(label=_("Attendee's name"), max_length=200)
    attendee_email = forms.EmailField(
        label=_("Attendee's email address"),
        help_text=_("The confirmation, reminders and the check-in code are sent here."),
    )
    dietary_needs = BoundedCharField(
        label=_("Dietary needs"), max_length=300, required=False,
        help_text=_("For example vegetarian food, allergies or gluten-free food."),
    )
    accessibility_needs = BoundedCharField(
        label=_("Accessibility needs"), max_length=300, required=False,
        help_text=_("For example a hearing loop, wheelchair access or an interpreter."),
    )
    consent = forms.BooleanField(
        label=_("I agree that my details are stored and used to organise the meeting."),
        help_text=_(
            "We store the attendee's name and email address and the dietary and accessibility needs given "
            "here. They are used only to organise this meeting: to send the confirmation and reminders, for "
            "check-in at the door and for catering. Only the meeting's coordinators and facilitators see them. "
            "Dietary and accessibility needs are deleted after the meeting; the name and attendance are kept "
            "for follow-up of the forum for at most 12 months after the meeting and then anonymised."
        ),
        error_messages={"required": _("You must consent to the handling of your details to attend.")},
    )


class OpenRegistrationForm(ParticipantDetailsForm):
    """Open registration: which of the representative's companies registers, and who attends.
    ``companies`` are the organisations the view read (the user's own): the choice is among
    them, with no query of its own, and ``cleaned_data["organisation"]`` is one of them."""

    organisation = forms.TypedChoiceField(
        label=_("Company"), coerce=int,
        help_text=_("The company you register. Each company can have one seat at the meeting."),
    )
    field_order = ["organisation", "attendee_name", "attendee_email", "dietary_needs", "accessibility_needs", "consent"]

    def __init__(self, *args, companies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._companies = {company.pk: company for company in companies}
        field = self.fields["organisation"]
        field.choices = [(company.pk, company.name) for company in sorted(companies, key=lambda c: c.name)]
        if len(companies) == 1:
            # Nothing to choose: the page names the company instead.
            field.widget = forms.HiddenInput()
            field.initial = companies[0].pk

    def clean_organisation(self):
        # TypedChoiceField has already refused anything not among the choices.
        return self._companies[self.cleaned_data["organisation"]]


class OfferAcceptForm(forms.Form):
    """Accepting a waiting-list offer: the needs may have changed since registering."""

    dietary_needs = ParticipantDetailsForm.base_fields["dietary_needs"]
    accessibility_needs = ParticipantDetailsForm.base_fields["accessibility_needs"]
