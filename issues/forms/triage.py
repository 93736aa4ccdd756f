"""Forms of triage: the coordinators' queue filters, the public filters, editing, status
and merging an issue. They validate only."""
from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Meeting
from forum.fields import (
    LONG_TEXT,
    BoundedCharField,
    BoundedDateField,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
)
from forum.models import Organisation
from forum.widgets import LongSelect

from ..models import Issue, Side


class _MeetingFilterField(forms.TypedChoiceField):
    """Every meeting of the forum's years (hundreds: read as three columns, written by
    LongSelect in Python, forum/widgets.py); its value is the meeting's id, or None for all.
    Only a listed meeting is accepted, so a draft is refused where drafts are not listed."""

    widget = LongSelect

    def __init__(self, **kwargs) -> None:
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)

    def set_meetings(self, meetings) -> None:
        self.choices = [("", _("All meetings"))] + [
            (pk, f"{title} ({timezone.localtime(starts_at):%Y-%m-%d})")
            for pk, title, starts_at in meetings.values_list("pk", "title", "starts_at")
        ]


def _forum_meetings(forum, public: bool = False):
    meetings = Meeting.objects.filter(forum=forum).order_by("starts_at", "pk")
    return meetings.exclude(status=Meeting.Status.DRAFT) if public else meetings


class TriageFilterForm(forms.Form):
    """Filters of the coordinators' triage queue (all optional, sent by GET)."""

    q = BoundedCharField(label=_("Search"), required=False, max_length=200)
    meeting = _MeetingFilterField(label=_("Meeting"))
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=None, required=False,
                                         empty_label=_("All focus areas"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All except merged"))] + list(Issue.Status.choices))
    overdue = forms.BooleanField(label=_("Only overdue quick fixes"), required=False)
    merged = forms.BooleanField(label=_("Include merged issues"), required=False)

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].set_meetings(_forum_meetings(forum))
        self.fields["focus_area"].queryset = forum.focus_areas.order_by("position")


class PublicIssueFilterForm(forms.Form):
    """Filters of the public issues page (all optional, sent by GET)."""

    meeting = _MeetingFilterField(label=_("Meeting"))
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=None, required=False,
                                         empty_label=_("All focus areas"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses"))] + list(Issue.Status.choices))
    side = forms.ChoiceField(label=_("Raised for"), required=False,
                             choices=[("", _("Both"))] + list(Side.choices))

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].set_meetings(_forum_meetings(forum, public=True))
        self.fields["focus_area"].queryset = forum.focus_areas.order_by("position")


class IssueEditForm(forms.Form):
    """Edit an issue's text, focus area, side and anonymity (the history keeps before and after)."""

    text = BoundedCharField(label=_("Issue"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=None, required=False,
                                         empty_label=_("No focus area"))
    side = forms.ChoiceField(label=_("Raised for"), choices=Side.choices, widget=forms.RadioSelect)
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
        choices=[c for c in Issue.Status.choices if c[0] != Issue.Status.MERGED],
    )
    department = BoundedModelChoiceField(
        label=_("Department (quick fix)"), required=False, empty_label=_("Choose a department"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).order_by("name"),
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
    answer = BoundedCharField(
        label=_("Answer (resolved) or reason (out of scope)"), required=False, max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the public issues page and mailed to those who raised or support the issue."),
    )

    def __init__(self, *args, people=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people if people is not None else get_user_model().objects.none()

    def clean(self) -> dict:
        cleaned = super().clean()
        email = cleaned.get("responsible_email")
        if email:
            person = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
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

    q = BoundedCharField(required=False, max_length=200)

    def query(self) -> str:
        """The search text, or "" when it is not a valid search (a NUL byte, too long)."""
        return self.cleaned_data["q"] if self.is_valid() else ""


class _MergeChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Issue) -> str:
        return obj.text[:200]


class IssueMergeForm(forms.Form):
    """Choose the duplicates to merge into the issue on the page."""

    duplicates = _MergeChoiceField(
        label=_("Duplicates to merge into this issue"), queryset=Issue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one issue to merge into this one.")},
    )

    def __init__(self, *args, issue=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any other unmerged issue of the forum may be chosen, not only those listed by the search.
        self.fields["duplicates"].queryset = (
            Issue.objects.filter(forum_id=issue.forum_id).exclude(pk=issue.pk)
            .exclude(status=Issue.Status.MERGED)
        )
