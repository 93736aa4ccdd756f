"""Forms of the forum-wide domain. They validate only; services do the writing."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from .antispam import BotGuardForm
from .fields import BoundedCharField, BoundedModelChoiceField, portal_formfield
from .models import Organisation, Role
from .selectors import partner_organisations
from .validators import normalise_organisationsnummer


def add_service_error(form: forms.BaseForm, error: Exception) -> None:
    """Show a service's refusal on ``form`` where it belongs (WCAG 3.3.1): at each field it
    names that the form has – ``error.field_errors`` ({field: message}) or ``error.field``
    with the error's message – else at the top of the form. The error summary lists them all."""
    field_errors = dict(getattr(error, "field_errors", None) or {})
    field = getattr(error, "field", None)
    if not field_errors and field:
        field_errors = {field: str(error)}
    shown = False
    for name, message in field_errors.items():
        if name in form.fields:
            form.add_error(name, message)
            shown = True
    if not shown:
        form.add_error(None, str(error))


class RoleGrantForm(forms.Form):
    email = forms.EmailField(label=_("The person's email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    partner_organisation = BoundedModelChoiceField(
        label=_("Partner organisation (partner nominators only)"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_organisation"].queryset = partner_organisations()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        self.user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if self.user is None:
            raise forms.ValidationError(
                _("Nobody with that email address has an account yet. Ask them to sign up first.")
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        role = cleaned.get("role")
        partner = cleaned.get("partner_organisation")
        if role == Role.PARTNER_NOMINATOR and partner is None:
            self.add_error("partner_organisation", _("Choose the partner organisation the nominator acts for."))
        if role and role != Role.PARTNER_NOMINATOR and partner is not None:
            self.add_error("partner_organisation", _("Only partner nominators are tied to a partner organisation."))
        return cleaned


class AccessibilityReportForm(BotGuardForm):
    """A reported accessibility problem. Anyone may send it, so it carries the bot guard and
    the view counts it against the rate limits (forum.antispam)."""

    antispam_action = "accessibility_report"
    antispam_email_field = "email"
    rate_limited_message = _(
        "You have sent many reports in a short time, so this one was not sent. "
        "Try again in a while, or email us at %(email)s."
    )

    @property
    def contact_email(self) -> str:
        return settings.FORUM_ACCESSIBILITY_EMAIL

    page_url = BoundedCharField(
        label=_("Which page or function is it about? (optional)"), max_length=500, required=False
    )
    description = BoundedCharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    email = forms.EmailField(
        label=_("Your email address, if you want an answer (optional)"), required=False
    )


def _https_by_default(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A model's form field, with an address typed without a scheme taken as https (as every
    form of the portal takes it; Django 5.2 would still say http)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return portal_formfield(db_field, **kwargs)


class OrganisationAdminForm(forms.ModelForm):
    """An organisation in the admin's register: the organisationsnummer is taken as people
    type it (a hyphen or not, spaces, the 12-digit form) and normalised before the model's
    checks run, so the unique check compares like with like and a number the register
    already has is refused with a message instead of becoming a second row."""

    organisationsnummer = BoundedCharField(
        label=_("Organisationsnummer"), max_length=20, required=False,
        help_text=_("Ten digits, for example 559123-4561."),
    )

    class Meta:
        model = Organisation
        fields = ["kind", "name", "organisationsnummer", "sni_section", "sni_code", "size_class", "postcode",
                  "district", "municipality", "website"]
        formfield_callback = _https_by_default

    def clean_organisationsnummer(self) -> str | None:
        number = self.cleaned_data["organisationsnummer"]
        return normalise_organisationsnummer(number) if number else None


class FocusAreaAdminFormSet(forms.BaseInlineFormSet):
    """The forum's focus areas in the admin (saved through ``forum.services.focus_area_save``).
    The page says how many focus areas it showed, and which; when that is not how many the
    forum has, or one is named twice (a tampered form, or a page opened before someone else
    added or removed one), the forms no longer match the rows and saving them would clash with
    the numbers already taken, so the whole change is refused with a message and nothing is
    saved."""

    def clean(self) -> None:
        super().clean()
        shown = [form.instance.pk for form in self.initial_forms if form.instance.pk is not None]
        if self.is_bound and (self.initial_form_count() != self.get_queryset().count()
                              or len(shown) != len(set(shown))):
            raise forms.ValidationError(
                _("The focus areas have changed since this page was opened. Open the page again and make your "
                  "change there."),
                code="stale",
            )
