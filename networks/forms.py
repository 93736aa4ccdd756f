"""Forms of the network pages. They only validate; the services in networks.services decide
the rules (one or two process leaders, money left, who may be owner) and write."""
from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from forum.fields import (
    LONG_TEXT,
    PLAN_YEAR,
    BoundedCharField,
    BoundedDateField,
    BoundedDateTimeField,
    BoundedIntegerField,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    MoneyField,
    portal_formfield,
)
from forum.models import Affiliation, FocusArea, Organisation
from issues.models import Issue

from . import receipts
from .models import Action, Expense, Membership, Network
from .services.meetings import members_on_the_day
from .services.networks import ELIGIBLE_STATUSES


def _money_field(label) -> MoneyField:
    # Typed as people write amounts ("1 250,50"); one message when out of range (forum.fields).
    return MoneyField(label=label)


class _IssueChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Issue) -> str:
        return obj.text[:200]


class _MembershipChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.name} ({obj.organisation_name})" if obj.organisation_name else obj.name


class _MembershipsField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.name} ({obj.organisation_name})" if obj.organisation_name else obj.name


def _person(email: str):
    return User.objects.filter(email__iexact=email, is_active=True).first() if email else None


class NetworkForm(forms.Form):
    """Form a network: what it is, which issues it drives, who leads it."""

    title = BoundedCharField(label=_("Title"), max_length=200)
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=FocusArea.objects.none(), required=False,
                                         empty_label=_("No single focus area"))
    goal = BoundedCharField(label=_("Goal"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("What the network wants to have achieved, and by when."))
    issues = _IssueChoiceField(
        label=_("Issues the network drives"), queryset=Issue.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Issues of the priority list and later issues that no one has handled yet."),
        error_messages={"required": _("Choose at least one issue for the network to drive.")},
    )
    leader_1 = forms.EmailField(label=_("Process leader: email address"),
                                help_text=_("The person needs an account in the portal."))
    leader_2 = forms.EmailField(label=_("Second process leader (optional): email address"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Network.Status.choices, initial=Network.Status.FORMING)
    visibility = forms.ChoiceField(label=_("Who sees the network"), choices=Network.Visibility.choices,
                                   widget=forms.RadioSelect, initial=Network.Visibility.PUBLIC)

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(forum=forum).order_by("position")
        self.fields["issues"].queryset = (Issue.objects.filter(forum=forum, status__in=ELIGIBLE_STATUSES,
                                                               network_link__isnull=True)
                                          .order_by("status", "-created_at"))

    def clean(self) -> dict:
        cleaned = super().clean()
        leaders = []
        for name in ("leader_1", "leader_2"):
            email = cleaned.get(name)
            if not email:
                continue
            person = _person(email)
            if person is None:
                self.add_error(name, _("No one in the portal has this email address."))
            else:
                leaders.append(person)
        if len(leaders) == 2 and leaders[0].pk == leaders[1].pk:
            self.add_error("leader_2", _("Give two different people, or only one."))
        cleaned["process_leaders"] = leaders
        return cleaned


class NetworkEditForm(forms.ModelForm):
    focus_area = BoundedModelChoiceField(label=_("Focus area"), queryset=FocusArea.objects.none(), required=False,
                                         empty_label=_("No single focus area"))
    # Declared, not set after the form is built: a max_length set then adds no validator, so
    # the server would take any length (the model's column is a TextField).
    goal = BoundedCharField(label=_("Goal"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("What the network wants to have achieved, and by when."))

    class Meta:
        model = Network
        fields = ["title", "focus_area", "goal", "status", "visibility"]
        widgets = {"visibility": forms.RadioSelect}
        formfield_callback = portal_formfield

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(forum=self.instance.forum).order_by("position")


class AddIssuesForm(forms.Form):
    issues = _IssueChoiceField(
        label=_("Issues to add"), queryset=Issue.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one issue for the network to drive.")},
    )

    def __init__(self, *args, network=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = Issue.objects.filter(
            forum_id=network.forum_id, status__in=ELIGIBLE_STATUSES, network_link__isnull=True).order_by("-created_at")


class JoinForm(forms.Form):
    """Ask to join: for which of one's organisations, and why."""

    organisation = BoundedModelChoiceField(label=_("For which organisation"), queryset=Organisation.objects.none(),
                                           required=False, empty_label=_("For myself"))
    message = BoundedCharField(label=_("Why you want to join (optional)"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mine = Affiliation.objects.filter(person=user, confirmed_at__isnull=False).values("organisation")
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=mine).order_by("name")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    name = BoundedCharField(label=_("Name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class MeetingForm(forms.Form):
    title = BoundedCharField(label=_("Title"), max_length=200)
    starts_at = BoundedDateTimeField(label=_("Starts"))
    ends_at = BoundedDateTimeField(label=_("Ends"))
    venue = BoundedCharField(label=_("Venue and address"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, max_length=200, assume_scheme="https",
                                help_text=_("Shown only to the network's members."))
    agenda = BoundedCharField(label=_("Agenda"), max_length=LONG_TEXT, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("starts_at") and cleaned.get("ends_at") and cleaned["ends_at"] <= cleaned["starts_at"]:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        if not (cleaned.get("venue") or "").strip() and not cleaned.get("online_url") and not self.errors:
            self.add_error("venue", _("Give the venue or the online link."))
        return cleaned


class MeetingRecordForm(forms.Form):
    present = _MembershipsField(label=_("Present"), queryset=Membership.objects.none(), required=False,
                                widget=forms.CheckboxSelectMultiple)
    notes = BoundedCharField(label=_("Notes"), max_length=LONG_TEXT, required=False,
                             widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, meeting=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Those who were members on the day (the rule of services.meeting_record).
        self.fields["present"].queryset = members_on_the_day(meeting).order_by("name")


class ActionForm(forms.Form):
    text = BoundedCharField(label=_("Action"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    owner = _MembershipChoiceField(label=_("Owner"), queryset=Membership.objects.none(), required=False,
                                   empty_label=_("No owner yet"))
    due_date = BoundedDateField(label=_("Due date"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices, initial=Action.Status.OPEN)
    issues = _IssueChoiceField(label=_("Issues"), queryset=Issue.objects.none(), required=False,
                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, network=None, owner=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The active members, and the action's owner also if they have left since (kept as it
        # was: services.action_update).
        self.fields["owner"].queryset = network.memberships.filter(
            Q(status=Membership.Status.ACTIVE) | Q(pk=owner)).order_by("name")
        self.fields["issues"].queryset = Issue.objects.filter(network_link__network=network).order_by("pk")


class UpdateForm(forms.Form):
    title = BoundedCharField(label=_("Title"), max_length=200)
    body = BoundedCharField(label=_("Text"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 6}))


class OutcomeForm(forms.Form):
    issue = BoundedModelChoiceField(label=_("Issue"), queryset=Issue.objects.none())
    outcome = BoundedCharField(label=_("Outcome"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Shown on the issue's public page and mailed to those who raised or "
                                          "support the issue."))

    def __init__(self, *args, network=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = Issue.objects.filter(network_link__network=network,
                                                             network_link__resolved_at__isnull=True)


class PotForm(forms.Form):
    year = BoundedIntegerField(label=_("Year"), bounds=PLAN_YEAR, grouping=False)
    amount = _money_field(_("Pot for network costs (SEK)"))


class AllocationForm(forms.Form):
    network = BoundedModelChoiceField(label=_("Network"), queryset=Network.objects.none())
    year = BoundedIntegerField(label=_("Year"), bounds=PLAN_YEAR, grouping=False)
    amount = _money_field(_("Amount (SEK)"))
    note = BoundedCharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, forum=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.filter(forum=forum).order_by("title")


class ExpenseForm(forms.Form):
    date = BoundedDateField(label=_("Date"))
    category = forms.ChoiceField(label=_("Category"), choices=Expense.Category.choices)
    amount = _money_field(_("Amount (SEK)"))
    note = BoundedCharField(label=_("Note"), max_length=300, required=False)
    receipt = forms.FileField(label=_("Receipt (optional)"), required=False,
                              help_text=_("PDF, JPEG or PNG, at most 5 MB."))

    def clean_receipt(self):
        upload = self.cleaned_data.get("receipt")
        if not upload:
            return None
        if upload.size > receipts.MAX_BYTES:
            raise forms.ValidationError(_("The receipt is larger than 5 MB."))
        content = upload.read()
        content_type = receipts.sniff(content[:16])
        if content_type is None:
            raise forms.ValidationError(_("The receipt must be a PDF, JPEG or PNG file."))
        name = (upload.name or "kvitto").rsplit("/", 1)[-1][:150]
        if not name.lower().endswith(receipts.EXTENSIONS[content_type]):
            name += receipts.EXTENSIONS[content_type]
        return (name, content_type, content)
