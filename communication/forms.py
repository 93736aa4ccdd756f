"""Forms of communication: they validate only (no side effects)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.antispam import BotGuardForm
from forum.fields import LONG_TEXT, BoundedCharField, BoundedDateTimeField, portal_formfield
from forum.models import Forum
from forum.notifications import Kind

from . import audiences
from .models import Frequency, Newsletter, NewsPost, SurveyQuestion

MARKDOWN_HELP = _("Markdown: *italic*, **bold**, [link text](https://…), a line starting with - for a list, "
                  "## for a heading. An empty line starts a new paragraph.")


class NewsPostForm(forms.ModelForm):
    publish_at = BoundedDateTimeField(
        label=_("Publish at"), help_text=_("The post appears on the forum's page at this time. Leave the time as it "
                                           "is to publish now."))

    class Meta:
        model = NewsPost
        formfield_callback = portal_formfield
        fields = ["title", "body", "audience", "publish_at", "send_mail"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12, "maxlength": LONG_TEXT}),
                   "audience": forms.RadioSelect}
        help_texts = {"body": MARKDOWN_HELP,
                      "send_mail": _("Followers, participants or staff – as the audience says – get it by email as "
                                     "they chose: at once, in a digest or not at all.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("publish_at", timezone.localtime().replace(second=0, microsecond=0))
        self.fields["body"].max_length = LONG_TEXT


def _english_pair(form: forms.Form, cleaned: dict[str, Any]) -> None:
    if bool((cleaned.get("subject_en") or "").strip()) != bool((cleaned.get("body_en") or "").strip()):
        form.add_error("body_en" if cleaned.get("subject_en") else "subject_en",
                       _("Write both an English subject and an English text, or neither."))


class NewsletterForm(forms.ModelForm):
    audiences = forms.MultipleChoiceField(label=_("Audiences"), widget=forms.CheckboxSelectMultiple, required=False,
                                          help_text=_("Each person gets the newsletter once, even if they are in "
                                                      "several audiences."))

    class Meta:
        model = Newsletter
        formfield_callback = portal_formfield
        fields = ["subject_sv", "body_sv", "subject_en", "body_en", "audiences"]
        widgets = {"body_sv": forms.Textarea(attrs={"rows": 14, "maxlength": LONG_TEXT}),
                   "body_en": forms.Textarea(attrs={"rows": 8, "maxlength": LONG_TEXT})}
        help_texts = {"body_sv": MARKDOWN_HELP,
                      "body_en": _("Optional. People who chose English get this version.")}

    def __init__(self, *args: Any, forum: Forum, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audiences"].choices = audiences.choices(forum)
        for name in ("body_sv", "body_en"):
            self.fields[name].max_length = LONG_TEXT

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _english_pair(self, cleaned)
        return cleaned


class NewsletterScheduleForm(forms.Form):
    WHEN_CHOICES = [("now", _("Send now")), ("later", _("Send at a set time"))]
    when = forms.ChoiceField(label=_("When"), choices=WHEN_CHOICES, widget=forms.RadioSelect, initial="now")
    send_at = BoundedDateTimeField(label=_("Send at"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("when") == "later":
            send_at = cleaned.get("send_at")
            if send_at is None:
                self.add_error("send_at", _("Choose when the newsletter is sent."))
            elif send_at <= timezone.now():
                self.add_error("send_at", _("Choose a time in the future, or send now."))
        return cleaned


class NewsletterTestForm(forms.Form):
    language = forms.ChoiceField(label=_("Version"), choices=[("sv", _("Swedish")), ("en", _("English"))],
                                 initial="sv")


class FollowForm(BotGuardForm):
    antispam_action = "follow"
    antispam_email_field = "email"
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             help_text=_("We send you an email with a link to confirm. Nothing is sent before you "
                                         "confirm."))


class PreferencesForm(forms.Form):
    """How often each kind of mail is sent."""

    LABELS = {
        Kind.ISSUE_UPDATES: _("Updates on issues you raised or support"),
        Kind.NETWORK_UPDATES: _("Progress of networks you are a member of or follow"),
        Kind.NEWS: _("News from the forum"),
        Kind.NEWSLETTERS: _("Newsletters"),
    }

    def __init__(self, *args: Any, initial_choices: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind.values:
            self.fields[kind] = forms.ChoiceField(
                label=self.LABELS[kind], choices=Frequency.choices, widget=forms.RadioSelect,
                initial=(initial_choices or {}).get(kind))


class FollowUpForm(forms.Form):
    summary = BoundedCharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 12}), max_length=LONG_TEXT,
                               help_text=MARKDOWN_HELP)
    links = BoundedCharField(label=_("Files and links"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                             max_length=4000,
                             help_text=_("One per line: a title, a vertical bar and the address, for example "
                                        "Presentation | https://example.org/slides.pdf"))

    def clean_links(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        for line in lines:
            url = line.rpartition("|")[2].strip()
            if not url.startswith(("https://", "http://")):
                raise forms.ValidationError(
                    _("Each line must end with an address starting with https:// (line: %(line)s)."),
                    params={"line": line[:80]})
        return "\n".join(lines)


QUESTION_SLOTS = 8


class SurveyQuestionsForm(forms.Form):
    """Up to eight questions; an empty question is left out."""

    def __init__(self, *args: Any, questions: list[SurveyQuestion] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, QUESTION_SLOTS + 1):
            current = questions[n - 1] if n <= len(questions) else None
            self.fields[f"text_{n}"] = BoundedCharField(
                label=_("Question %(number)s") % {"number": n}, required=False, max_length=300,
                initial=current.text if current else "")
            self.fields[f"kind_{n}"] = forms.ChoiceField(
                label=_("Answer for question %(number)s") % {"number": n}, choices=SurveyQuestion.Kind.choices,
                initial=current.kind if current else SurveyQuestion.Kind.SCALE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.questions = [(cleaned[f"text_{n}"].strip(), cleaned[f"kind_{n}"])
                          for n in range(1, QUESTION_SLOTS + 1)
                          if (cleaned.get(f"text_{n}") or "").strip() and cleaned.get(f"kind_{n}")]
        if not self.questions and not self.errors:
            raise forms.ValidationError(_("Write at least one question."))
        return cleaned


class SurveyForm(forms.Form):
    """A participant's answers; every question is optional."""

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.kind == SurveyQuestion.Kind.SCALE:
                self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                    label=question.text, required=False, coerce=int, empty_value=None, widget=forms.RadioSelect,
                    choices=[(1, _("1 – not at all")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 – very much"))])
            else:
                self.fields[f"q{question.pk}"] = BoundedCharField(
                    label=question.text, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
