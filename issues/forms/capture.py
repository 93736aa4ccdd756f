"""Forms of capture: raising an issue, keying one in, supporting one. They validate only."""
from __future__ import annotations

from django import forms

# Called by its own name (not an alias) so that makemessages finds the strings.
from django.utils.translation import gettext_lazy

from forum.fields import (
    BIGINT_MAX,
    BoundedCharField,
    BoundedIntegerField,
    BoundedModelChoiceField,
)

from ..models import Side

ISSUE_MAX_LENGTH = 2000


class _CaptureIssueFields(forms.Form):
    """Text, focus area, side and anonymity: what a participant and a facilitator both give."""

    text = BoundedCharField(
        label=gettext_lazy("Your issue"), max_length=ISSUE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Describe the problem or idea in a few sentences."),
        error_messages={"required": gettext_lazy("Write the issue.")},
    )
    focus_area = BoundedModelChoiceField(
        label=gettext_lazy("Focus area"), queryset=None, empty_label=gettext_lazy("Choose a focus area"),
        error_messages={"required": gettext_lazy("Choose a focus area."),
                        "invalid_choice": gettext_lazy("Choose one of the forum's focus areas.")},
    )
    side = forms.ChoiceField(
        label=gettext_lazy("I speak for"), choices=Side.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether you speak for the city or for business.")},
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Show my issue anonymously"), required=False,
        help_text=gettext_lazy("Your organisation's name is then not shown with the issue to others."),
    )

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = forum.focus_areas.order_by("position")

    def clean_text(self) -> str:
        # Whitespace only is no issue; the service would refuse it too, but say so by the field.
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(gettext_lazy("Write the issue."))
        return text


class IssueRaiseForm(_CaptureIssueFields):
    """A participant raises an issue at the meeting from their phone."""


class IssueKeyInForm(_CaptureIssueFields):
    """A facilitator keys in an issue from the table notes, optionally for one of the
    meeting's confirmed organisations."""

    organisation = BoundedModelChoiceField(
        label=gettext_lazy("Organisation (optional)"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Not known"),
        error_messages={
            "invalid_choice": gettext_lazy("Choose an organisation with a confirmed place at the meeting.")
        },
    )

    def __init__(self, *args, organisations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = gettext_lazy("Issue")
        self.fields["text"].help_text = ""
        self.fields["text"].widget.attrs.update({"rows": 3, "autofocus": True})
        self.fields["side"].label = gettext_lazy("Raised for")
        self.fields["anonymous"].label = gettext_lazy("Show anonymously")
        self.fields["anonymous"].help_text = ""
        self.fields["organisation"].queryset = organisations
        self.order_fields(["text", "focus_area", "side", "organisation", "anonymous"])


class IssueSupportForm(forms.Form):
    """ "Me too" on one of the meeting's issues."""

    issue = BoundedIntegerField(widget=forms.HiddenInput, bounds=(1, BIGINT_MAX))
