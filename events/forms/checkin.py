"""Forms of check-in at the door."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from forum.fields import BoundedCharField


class CheckinSearchForm(forms.Form):
    """Search at the door (GET): a name, company, email address or the invitation's code."""

    q = BoundedCharField(
        label=_("Name, company, email or code"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autocapitalize": "off",
                                      "spellcheck": "false", "enterkeyhint": "search"}),
        help_text=_("The code has six characters and is in the invitation and the confirmation."),
    )


class CheckinActionForm(forms.Form):
    """Check in or undo (POST); ``q`` keeps the search to return to."""

    action = forms.ChoiceField(choices=[("checkin", "checkin"), ("undo", "undo")])
    q = BoundedCharField(max_length=200, required=False)
