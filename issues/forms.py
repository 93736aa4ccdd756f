"""Forms of issues and the priority vote. They validate only; the services in
issues.services do the writing.

Sections per area, each under a `# --- <area> forms` header."""
from __future__ import annotations

from typing import Any

from django import forms  # noqa: F401

# --- capture forms
# Called by its own name (not an alias) so that makemessages finds the strings.
from django.utils.translation import gettext_lazy  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from forum.fields import (  # noqa: E402
    BIGINT_MAX,
    DOTS,
    LONG_TEXT,
    BoundedDateField,
    BoundedDateTimeField,
    BoundedIntegerField,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
)

from .models import Side as _CaptureSide  # noqa: E402

ISSUE_MAX_LENGTH = 2000


class _CaptureIssueFields(forms.Form):
    """Text, focus area, side and anonymity: what a participant and a facilitator both give."""

    text = forms.CharField(
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
        label=gettext_lazy("I speak for"), choices=_CaptureSide.choices, widget=forms.RadioSelect,
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
# --- end capture forms


# --- voting forms

from .models import Issue as _VotingIssue  # noqa: E402
from .models import Vote as _VotingVote


class _CandidateChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: _VotingIssue) -> str:
        area = f" ({obj.focus_area.name})" if obj.focus_area_id else ""
        return f"{obj.text}{area}"


class VoteCreateForm(forms.Form):
    """A new vote over the forum's candidates for the priority list."""

    title = forms.CharField(label=_("Title"), max_length=200)
    method = forms.ChoiceField(
        label=_("Counting method"), choices=_VotingVote.Method.choices, initial=_VotingVote.Method.SCHULZE,
        widget=forms.RadioSelect,
        help_text=_("The Schulze method is recommended: voters rank the issues and every pair of issues is "
                           "compared."),
    )
    dots = BoundedIntegerField(
        label=_("Points per voter (dot voting)"), bounds=DOTS, initial=5,
        help_text=_("Only used with dot voting."),
    )
    candidates = _CandidateChoiceField(
        label=_("Candidate issues"), queryset=_VotingIssue.objects.none(), widget=forms.CheckboxSelectMultiple,
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
        self.fields["candidates"].queryset = (
            _VotingIssue.objects.filter(forum=forum, status=_VotingIssue.Status.CANDIDATE)
            .select_related("focus_area").order_by("created_at", "pk")
        )


class BallotForm(forms.Form):
    """One field per candidate: a place (ranked methods) or points (dot voting). The rules
    of a whole ballot (no gaps, each place once, the points total) are checked by
    ``issues.services.clean_marks`` when it is cast."""

    def __init__(self, *args, vote: _VotingVote, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.vote = vote
        self.dots = vote.method == _VotingVote.Method.DOTS
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

    code = forms.CharField(label=_("Receipt code"), max_length=40,
                           help_text=_("For example ABCD-EFGH-JKLM."))


class VoteActionForm(forms.Form):
    """A button on the vote's management page."""

    action = forms.ChoiceField(choices=[("open", "open"), ("close", "close"), ("confirm", "confirm")])
# --- end voting forms


# --- triage forms
from django.contrib.auth import get_user_model as _triage_user_model  # noqa: E402

from events.models import Meeting as _TriageMeeting  # noqa: E402
from forum.models import Organisation as _TriageOrganisation  # noqa: E402

from .models import Issue as _TriageIssue  # noqa: E402
from .models import Side as _TriageSide


class _MeetingChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, obj: _TriageMeeting) -> str:
        return f"{obj.title} ({obj.starts_at:%Y-%m-%d})"


def _forum_meetings(forum, public: bool = False):
    meetings = _TriageMeeting.objects.filter(forum=forum).order_by("starts_at", "pk")
    return meetings.exclude(status=_TriageMeeting.Status.DRAFT) if public else meetings


class TriageFilterForm(forms.Form):
    """Filters of the coordinators' triage queue (all optional, sent by GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    meeting = _MeetingChoiceField(label=_("Meeting"), queryset=_TriageMeeting.objects.none(), required=False,
                                  empty_label=_("All meetings"))
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=None, required=False,
                                         empty_label=_("All focus areas"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All except merged"))] + list(_TriageIssue.Status.choices))
    overdue = forms.BooleanField(label=_("Only overdue quick fixes"), required=False)
    merged = forms.BooleanField(label=_("Include merged issues"), required=False)

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = _forum_meetings(forum)
        self.fields["focus_area"].queryset = forum.focus_areas.order_by("position")


class PublicIssueFilterForm(forms.Form):
    """Filters of the public issues page (all optional, sent by GET)."""

    meeting = _MeetingChoiceField(label=_("Meeting"), queryset=_TriageMeeting.objects.none(), required=False,
                                  empty_label=_("All meetings"))
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=None, required=False,
                                         empty_label=_("All focus areas"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses"))] + list(_TriageIssue.Status.choices))
    side = forms.ChoiceField(label=_("Raised for"), required=False,
                             choices=[("", _("Both"))] + list(_TriageSide.choices))

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = _forum_meetings(forum, public=True)
        self.fields["focus_area"].queryset = forum.focus_areas.order_by("position")


class IssueEditForm(forms.Form):
    """Edit an issue's text, focus area, side and anonymity (the history keeps before and after)."""

    text = forms.CharField(label=_("Issue"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=None, required=False,
                                         empty_label=_("No focus area"))
    side = forms.ChoiceField(label=_("Raised for"), choices=_TriageSide.choices, widget=forms.RadioSelect)
    anonymous = forms.BooleanField(label=_("Show anonymously to the public"), required=False)

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = forum.focus_areas.order_by("position")

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the issue."))
        return text


class _PersonChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} <{obj.email}>" if name else obj.email


class IssueStatusForm(forms.Form):
    """Move an issue to a status. What each status needs (department, responsible person and
    due date; answer or reason) is checked by ``issues.services.issue_set_status``; this form
    only turns the responsible person's email address into a person."""

    status = forms.ChoiceField(
        label=_("New status"), widget=forms.RadioSelect,
        choices=[c for c in _TriageIssue.Status.choices if c[0] != _TriageIssue.Status.MERGED],
    )
    department = BoundedModelChoiceField(
        label=_("Department (quick fix)"), required=False, empty_label=_("Choose a department"),
        queryset=_TriageOrganisation.objects.filter(kind=_TriageOrganisation.Kind.DEPARTMENT).order_by("name"),
    )
    responsible = _PersonChoiceField(
        label=_("Responsible person (quick fix)"), required=False, queryset=None,
        empty_label=_("Choose from the forum's people"),
    )
    responsible_email = forms.EmailField(
        label=_("… or the responsible person's email address"), required=False,
        help_text=_("The person needs an account in the portal."),
    )
    due_date = BoundedDateField(label=_("Due date (quick fix)"), required=False)
    answer = forms.CharField(
        label=_("Answer (resolved) or reason (out of scope)"), required=False, max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the public issues page and mailed to those who raised or support the issue."),
    )

    def __init__(self, *args, people=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people if people is not None else _triage_user_model().objects.none()

    def clean(self) -> dict:
        cleaned = super().clean()
        email = cleaned.get("responsible_email")
        if email:
            person = _triage_user_model().objects.filter(email__iexact=email, is_active=True).first()
            if person is None:
                self.add_error("responsible_email", _("No one in the portal has this email address."))
            elif cleaned.get("responsible") and cleaned["responsible"].pk != person.pk:
                self.add_error("responsible_email", _("Choose a person from the list or give an email "
                                                             "address, not both."))
            else:
                cleaned["responsible"] = person
        return cleaned


class MergeSearchForm(forms.Form):
    """The text search for duplicates on an issue's staff page (GET ``q``)."""

    q = forms.CharField(required=False, max_length=200)

    def query(self) -> str:
        """The search text, or "" when it is not a valid search (a NUL byte, too long)."""
        return self.cleaned_data["q"] if self.is_valid() else ""


class _MergeChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: _TriageIssue) -> str:
        return obj.text[:200]


class IssueMergeForm(forms.Form):
    """Choose the duplicates to merge into the issue on the page."""

    duplicates = _MergeChoiceField(
        label=_("Duplicates to merge into this issue"), queryset=_TriageIssue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one issue to merge into this one.")},
    )

    def __init__(self, *args, issue=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any other unmerged issue of the forum may be chosen, not only those listed by the search.
        self.fields["duplicates"].queryset = (
            _TriageIssue.objects.filter(forum_id=issue.forum_id).exclude(pk=issue.pk)
            .exclude(status=_TriageIssue.Status.MERGED)
        )
# --- end triage forms
