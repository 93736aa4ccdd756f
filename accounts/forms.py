"""Account forms. They validate only; services do the writing."""
from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from forum.fields import BoundedCharField, portal_formfield
from forum.models import Organisation
from forum.selectors import organisation_by_orgnr
from forum.validators import normalise_organisationsnummer

from .models import User


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with the person's name (allauth's adapter saves first and last name)."""

    first_name = BoundedCharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = BoundedCharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )

    field_order = ["first_name", "last_name", "email", "password1", "password2"]


class ProfileForm(forms.ModelForm):
    """Name and language, and – separately and voluntarily – gender and background for the
    forum's diversity figures. The answers are kept only with the separate consent."""

    gender = forms.ChoiceField(
        label=_("Gender"), required=False, widget=forms.RadioSelect,
        choices=[("", _("I do not want to answer"))] + list(User.Gender.choices),
    )
    background = forms.ChoiceField(
        label=_("Background"), required=False, widget=forms.RadioSelect,
        choices=[("", _("I do not want to answer"))] + list(User.Background.choices),
        help_text=_(
            "As Statistics Sweden defines it: you have a foreign background if you were born abroad, or born in "
            "Sweden with both parents born abroad. Otherwise you have a Swedish background."
        ),
    )
    demographics_consent = forms.BooleanField(
        label=_("I agree that my gender and background are stored and used in the forum's diversity statistics."),
        required=False,
        help_text=_("Without this consent your answers are not saved. Untick the box and save to withdraw your "
                    "consent: your answers are then deleted at once."),
    )

    class Meta:
        model = User
        formfield_callback = portal_formfield
        # How often each kind of mail comes (issue updates included) is chosen in the form of
        # communication's preferences on the same page.
        fields = ["first_name", "last_name", "language"]
        labels = {"language": _("Language for email and the portal")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = self.instance
        if user is not None and user.pk:
            self.fields["gender"].initial = user.gender
            self.fields["background"].initial = user.background
            self.fields["demographics_consent"].initial = user.demographics_consent_at is not None

    def clean(self) -> dict:
        cleaned = super().clean()
        answered = cleaned.get("gender") or cleaned.get("background")
        had_consent = self.instance is not None and self.instance.demographics_consent_at is not None
        if answered and not cleaned.get("demographics_consent") and not had_consent:
            # Answers without consent are never stored; say so rather than drop them silently.
            # (Unticking an earlier consent is a withdrawal and clears the answers instead.)
            self.add_error(
                "demographics_consent",
                _("Tick the box to give your consent, or choose “I do not want to answer”. "
                  "Without consent your answers are not saved."),
            )
        return cleaned


class AffiliationForm(forms.Form):
    """Represent a company: an existing one by its organisationsnummer, or a new one."""

    organisationsnummer = BoundedCharField(
        label=_("Organisationsnummer"),
        max_length=20,
        help_text=_("Ten digits, for example 559123-4561."),
    )
    title = BoundedCharField(label=_("Your title"), max_length=120)
    name = BoundedCharField(label=_("Company name"), max_length=200, required=False,
                            help_text=_("Needed only if the company is not registered in the portal yet."))
    sni_section = forms.ChoiceField(
        label=_("Industry (SNI section)"),
        choices=[("", "—")] + list(Organisation._meta.get_field("sni_section").choices),
        required=False,
    )
    size_class = forms.ChoiceField(
        label=_("Number of employees"), choices=[("", "—")] + list(Organisation.SizeClass.choices), required=False
    )
    postcode = forms.RegexField(
        label=_("Postcode"), regex=r"^\d{3} ?\d{2}$", required=False, max_length=6,
        error_messages={"invalid": _("A postcode has five digits, for example 211 20.")},
    )
    district = BoundedCharField(label=_("District"), max_length=100, required=False)

    def clean_organisationsnummer(self) -> str:
        return normalise_organisationsnummer(self.cleaned_data["organisationsnummer"])

    def clean(self) -> dict:
        cleaned = super().clean()
        orgnr = cleaned.get("organisationsnummer")
        self.existing = organisation_by_orgnr(orgnr) if orgnr else None
        if orgnr and self.existing is None:
            # A company that is new to the register needs the facts the diversity figures use.
            for field, message in (
                ("name", _("Enter the company's name.")),
                ("sni_section", _("Choose the company's industry.")),
                ("size_class", _("Choose the company's size.")),
            ):
                if not cleaned.get(field):
                    self.add_error(field, message)
        return cleaned


class AccountEraseForm(forms.Form):
    """The person confirms that erasing their account cannot be undone."""

    confirm = forms.BooleanField(
        label=_("I understand that my account and my details are erased for good and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm that you want to erase your account.")},
    )
