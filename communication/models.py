"""Communication inward and outward: news posts, newsletters to audiences, followers, what
each address wants to receive (and the digests that bundle it), and the follow-up of a
meeting with its evaluation survey.

People are known here by their email address (normalised to lower case), not by account:
followers have no account, and an account's choices follow its address, so changing the
address starts afresh (as an address that bounced is no longer flagged).
"""
from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forum.models import Forum, OutboxMessage
from forum.notifications import Kind


def _token() -> str:
    return secrets.token_urlsafe(24)


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NEVER = "never", _("Never")


#: What an address gets before it has chosen: what it asked about at once, what is broad in a
#: weekly digest, so that nobody is flooded by default.
# What people get until they choose. A network's progress updates come now: they are few (a
# process leader's report every month or two) and about work the reader takes part in or chose
# to follow; news, which can come often, waits for the weekly digest.
DEFAULT_FREQUENCY: dict[str, str] = {
    Kind.ISSUE_UPDATES: Frequency.IMMEDIATELY,
    Kind.NETWORK_UPDATES: Frequency.IMMEDIATELY,
    Kind.NEWS: Frequency.WEEKLY,
    Kind.NEWSLETTERS: Frequency.IMMEDIATELY,
}


class MailPreference(models.Model):
    """How often an address wants one kind of mail. No row: :data:`DEFAULT_FREQUENCY`."""

    email = models.EmailField(_("email address"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    frequency = models.CharField(_("how often"), max_length=20, choices=Frequency.choices)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["email", "kind"]
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")
        constraints = [models.UniqueConstraint(fields=["email", "kind"], name="mailpreference_unique")]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()} – {self.get_frequency_display()}"


class Audience(models.TextChoices):
    """Who may read a news post (and who is mailed it)."""

    PUBLIC = "public", pgettext_lazy("audience", "Everyone (public)")
    PARTICIPANTS = "participants", pgettext_lazy("audience", "Participants of the forum")
    STAFF = "staff", pgettext_lazy("audience", "City staff")


class NewsPost(models.Model):
    """A news post of a forum. It is visible from ``publish_at`` on, computed at each read, so
    a scheduled post appears at its time without anyone pressing a button; mail about it
    (kind "news") is queued by the periodic task :func:`communication.tasks.news_mail_due`."""

    FORUM_PATH = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="news_posts", verbose_name=_("forum"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(_("text as shown"), editable=False)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC)
    publish_at = models.DateTimeField(_("publish at"), db_index=True)
    send_mail = models.BooleanField(_("also email it to the audience"), default=True)
    mailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        indexes = [models.Index(fields=["forum", "audience", "publish_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.publish_at <= timezone.now()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("communication:news_detail", args=[self.forum.slug, self.pk])


class Newsletter(models.Model):
    """A newsletter: composed in Swedish (and optionally English), sent to the union of its
    audiences, once per address. Once sending starts its content is frozen."""

    FORUM_PATH = "forum"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("newsletter status", "Sent")
        CANCELLED = "cancelled", pgettext_lazy("newsletter status", "Cancelled")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="newsletters", verbose_name=_("forum"))
    # The web version's address: readable by whoever has the link, like the mail itself.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject_sv = models.CharField(_("subject (Swedish)"), max_length=200)
    body_sv = models.TextField(_("text in Swedish (Markdown)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text in English (Markdown)"), blank=True)
    # Keys of communication.audiences ("meeting:12", "staff", "followers:forum" …).
    audiences = models.JSONField(_("audiences"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("written by"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self) -> str:
        return self.subject_sv

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    def has_english(self) -> bool:
        return bool(self.subject_en.strip() and self.body_en.strip())

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("communication:newsletter_detail", args=[self.pk])


class NewsletterRecipient(models.Model):
    """One address a newsletter goes to: the unique constraint is what makes it once per
    person however many audiences they are in."""

    FORUM_PATH = "newsletter__forum"

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting")
        MAILED = "mailed", _("Emailed")
        DIGEST = "digest", _("In a digest")
        DECLINED = "declined", _("Does not want newsletters")
        FLAGGED = "flagged", _("Address bounced")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="recipients")
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=10)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    message = models.ForeignKey(OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["newsletter", "email"]
        verbose_name = _("newsletter recipient")
        verbose_name_plural = _("newsletter recipients")
        constraints = [models.UniqueConstraint(fields=["newsletter", "email"], name="newsletterrecipient_unique")]
        indexes = [models.Index(fields=["newsletter", "outcome"])]

    def __str__(self) -> str:
        return self.email


class Follower(models.Model):
    """Someone who follows a forum, or a public network of it (``network_id``; networks are
    resolved through :mod:`communication.hooks`), with just an email address. Counts only
    once confirmed (double opt-in)."""

    FORUM_PATH = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="followers", verbose_name=_("forum"))
    network_id = models.PositiveIntegerField(_("network"), null=True, blank=True)
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=10)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["forum", "email"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["forum", "email"], condition=Q(network_id__isnull=True),
                                    name="follower_unique_forum"),
            models.UniqueConstraint(fields=["forum", "network_id", "email"], condition=Q(network_id__isnull=False),
                                    name="follower_unique_network"),
        ]

    def __str__(self) -> str:
        return self.email


class Digest(models.Model):
    """One digest mail: the items it took are marked with it, so none is told twice."""

    email = models.EmailField(_("email address"))
    frequency = models.CharField(_("how often"), max_length=20, choices=Frequency.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    message = models.ForeignKey(OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d}"


class DigestItem(models.Model):
    """Something an address chose to get in a digest, waiting for it (``digest`` empty)."""

    FORUM_PATH = "forum"

    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=10)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    frequency = models.CharField(_("how often"), max_length=20, choices=Frequency.choices)
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+", verbose_name=_("forum"))
    network_id = models.PositiveIntegerField(null=True, blank=True)
    network_label = models.CharField(max_length=200, blank=True)
    issue_id = models.PositiveIntegerField(null=True, blank=True)
    issue_label = models.CharField(max_length=200, blank=True)
    headline = models.CharField(_("headline"), max_length=300)
    url = models.URLField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    digest = models.ForeignKey(Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        indexes = [models.Index(fields=["frequency", "email"], condition=Q(digest__isnull=True),
                                name="digestitem_waiting")]

    def __str__(self) -> str:
        return self.headline


# --- Follow-up of a meeting -------------------------------------------------------------------
class FollowUp(models.Model):
    """A meeting's documentation for its participants, with the evaluation survey."""

    FORUM_PATH = "meeting__forum"

    meeting = models.OneToOneField("events.Meeting", on_delete=models.CASCADE, related_name="follow_up",
                                   verbose_name=_("meeting"))
    summary = models.TextField(_("summary (Markdown)"))
    summary_html = models.TextField(editable=False, blank=True)
    # Links to the documentation (slides, photos, minutes): one per line, "Title | https://…".
    links = models.TextField(_("files and links"), blank=True,
                             help_text=_("One per line: a title, a vertical bar and the address."))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    survey_closes_at = models.DateTimeField(_("survey closes"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("meeting follow-up")
        verbose_name_plural = _("meeting follow-ups")

    def __str__(self) -> str:
        return str(self.meeting)

    def link_list(self) -> list[tuple[str, str]]:
        """The documentation links as (title, url); lines that are no http(s) link are left out."""
        result = []
        for line in self.links.splitlines():
            title, _bar, url = line.rpartition("|")
            url = url.strip()
            if url.startswith(("https://", "http://")):
                result.append(((title.strip() or url), url))
        return result


class SurveyQuestion(models.Model):
    """A question of a meeting's survey; the standard set is copied in, then editable."""

    FORUM_PATH = "follow_up__meeting__forum"

    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale 1–5")
        TEXT = "text", _("Free text")

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("number"))
    # A stable key for the standard questions (trust, usefulness, satisfaction, comment), so
    # that answers can be compared across meetings over time.
    key = models.SlugField(_("key"), max_length=40, blank=True)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["follow_up", "position"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(models.Model):
    """Who was asked and whether they answered – kept apart from the answers, which carry no
    link back, so the answers are anonymous."""

    FORUM_PATH = "follow_up__meeting__forum"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=10)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    answered = models.BooleanField(_("answered"), default=False)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        ordering = ["follow_up", "email"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["follow_up", "email"], name="surveyinvitation_unique")]

    def __str__(self) -> str:
        return self.email


class SurveyResponse(models.Model):
    """One anonymous set of answers. Only the day is kept, not the time, so that a response
    cannot be matched to an invitation by when it came."""

    FORUM_PATH = "follow_up__meeting__forum"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("day"))

    class Meta:
        ordering = ["follow_up", "submitted_on"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.follow_up} {self.submitted_on}"


class SurveyAnswer(models.Model):
    FORUM_PATH = "response__follow_up__meeting__forum"

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                                   name="surveyanswer_score_1_5"),
        ]

    def __str__(self) -> str:
        return str(self.score or self.text[:40])
