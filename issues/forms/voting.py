"""Forms of the priority vote: creating it, the ballot (online and on paper), the receipt check.
They validate only."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from forum.fields import (
    DOTS,
    BoundedCharField,
    BoundedDateTimeField,
    BoundedIntegerField,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    portal_formfield,
)

from ..models import Issue, Vote
from ..services import vote_problems


class _CandidateChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Issue) -> str:
        area = f" ({obj.focus_area.name})" if obj.focus_area_id else ""
        return f"{obj.text}{area}"


class VoteCreateForm(forms.Form):
    """A new vote over the forum's candidates for the priority list."""

    title = BoundedCharField(label=_("Title"), max_length=200)
    method = forms.ChoiceField(
        label=_("Counting method"), choices=Vote.Method.choices, initial=Vote.Method.SCHULZE,
        widget=forms.RadioSelect,
        help_text=_("The Schulze method is recommended: voters rank the issues and every pair of issues is "
                           "compared."),
    )
    dots = BoundedIntegerField(
        label=_("Points per voter (dot voting)"), bounds=DOTS, initial=5,
        help_text=_("Only used with dot voting."),
    )
    candidates = _CandidateChoiceField(
        label=_("Candidate issues"), queryset=Issue.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least two candidate issues.")},
    )
    opens_at = BoundedDateTimeField(
        label=_("Opens (optional)"), required=False,
        help_text=_("Leave empty to open the vote by hand during the meeting."),
    )
    closes_at = BoundedDateTimeField(
        label=_("Closes (optional)"), required=False,
        help_text=_("Leave empty to close the vote by hand."),
    )

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.forum = forum
        self.fields["candidates"].queryset = (
            Issue.objects.filter(forum=forum, status=Issue.Status.CANDIDATE)
            .select_related("focus_area").order_by("created_at", "pk")
        )

    def clean(self) -> dict[str, Any]:
        # Every rule of the service (issues.services.vote_problems) at its field at once, for
        # what passed its own field's check: nobody has to fix one message to see the next.
        cleaned = super().clean()
        _show_problems(self, vote_problems(
            candidates=cleaned.get("candidates"), forum_id=self.forum.pk if self.forum else None,
            method=cleaned.get("method"), dots=cleaned.get("dots"), opens_at=cleaned.get("opens_at"),
            closes_at=cleaned.get("closes_at"),
        ))
        return cleaned


def _show_problems(form: forms.BaseForm, problems: dict[str, str]) -> None:
    """Add each of the service's ``problems`` at its field, unless the field has its own message."""
    for name, message in problems.items():
        if name not in form.errors:
            form.add_error(name if name in form.fields else None, message)


class VoteAdminForm(forms.ModelForm):
    """A draft vote's settings in the admin: the same bounded fields as the portal's vote
    form, and the service's rules (:func:`issues.services.vote_settings_check`) checked here
    too, so a refused change shows its reason on the page and nothing is saved."""

    dots = BoundedIntegerField(label=_("Points per voter (dot voting)"), bounds=DOTS,
                               help_text=_("Only used with dot voting."))
    opens_at = BoundedDateTimeField(label=_("Opens (optional)"), required=False,
                                    help_text=_("Leave empty to open the vote by hand during the meeting."))
    closes_at = BoundedDateTimeField(label=_("Closes (optional)"), required=False,
                                     help_text=_("Leave empty to close the vote by hand."))

    class Meta:
        model = Vote
        fields = ["title", "method", "dots", "opens_at", "closes_at"]
        formfield_callback = portal_formfield

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A time left as it was is not checked again (self.instance holds the saved values).
        _show_problems(self, vote_problems(
            method=cleaned.get("method"), dots=cleaned.get("dots"), opens_at=cleaned.get("opens_at"),
            closes_at=cleaned.get("closes_at"), current=self.instance if self.instance.pk else None,
        ))
        return cleaned


class BallotForm(forms.Form):
    """One field per candidate: a place (ranked methods) or points (dot voting). The rules
    of a whole ballot (no gaps, each place once, the points total) are checked by
    ``issues.services.clean_marks`` when it is cast."""

    def __init__(self, *args, vote: Vote, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.vote = vote
        self.dots = vote.method == Vote.Method.DOTS
        count = len(candidates)
        for number, issue in enumerate(candidates, start=1):
            if self.dots:
                field = BoundedIntegerField(label=_("Points"), required=False, bounds=(0, vote.dots))
            else:
                field = forms.TypedChoiceField(
                    label=_("Place"), required=False, coerce=int, empty_value=None,
                    choices=[("", "–")] + [(n, str(n)) for n in range(1, count + 1)],
                )
            # Each field is described by its issue's text, so a screen reader announces which
            # issue the place or points are for.
            field.widget.attrs.update({"aria-describedby": f"issue-{issue.pk}",
                                       "class": "form-control points-input" if self.dots else "form-select"})
            if self.dots:
                field.widget.attrs["inputmode"] = "numeric"
            field.issue = issue
            field.number = number
            self.fields[f"c{issue.pk}"] = field

    def marks(self) -> dict[str, Any]:
        """{"<issue id>": place or points} of the filled-in fields, and also of any filled-in
        ``c<id>`` field sent for an issue that is not a candidate of this vote (a page from
        another vote, or a tampered form): the service refuses such a ballot with a message
        rather than counting the rest of it silently."""
        marks: dict[str, Any] = {name[1:]: value for name, value in self.cleaned_data.items()
                                 if name.startswith("c") and value not in (None, "")}
        for name in self.data:
            if name.startswith("c") and name[1:].isdigit() and name not in self.fields:
                value = self.data.get(name)
                if value not in (None, ""):
                    marks[name[1:]] = value
        return marks


class PaperBallotForm(BallotForm):
    """A paper ballot keyed in by a coordinator for a confirmed participant who has not voted."""

    def __init__(self, *args, registrations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registration"] = BoundedModelChoiceField(
            label=_("Participant"), queryset=registrations,
            empty_label=_("Choose the participant"),
            error_messages={"invalid_choice": _("Choose a confirmed participant who has not voted yet."),
                            "required": _("Choose the participant.")},
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        self.fields["registration"].label_from_instance = (
            lambda r: f"{r.display_attendee} ({r.organisation.name})"
        )
        self.order_fields(["registration"])



class ReceiptCheckForm(forms.Form):
    """The receipt code a voter was given."""

    code = BoundedCharField(label=_("Receipt code"), max_length=40,
                            help_text=_("For example ABCD-EFGH-JKLM."))


class VoteActionForm(forms.Form):
    """A button on the vote's management page."""

    action = forms.ChoiceField(choices=[("open", "open"), ("close", "close"), ("confirm", "confirm")])
