"""Issues (frågor) raised at theme meetings, their life and the secret priority vote.

Secrecy of the vote: :class:`Ballot` rows carry no reference to a person. A voter's right to
one ballot is a :class:`VoterRecord` (who voted, never what); the link between the two is
``Ballot.voter_key``, an HMAC of the voter's registration under the server's secret key, so
the database alone cannot tell who voted what, while the voter can still replace their own
ballot while the vote is open. The receipt code is only stored as a hash.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from events.models import Meeting, Registration
from forum.models import FocusArea, Forum, Organisation


class Side(models.TextChoices):
    CITY = "city", _("The city")
    BUSINESS = "business", _("Business")


class Issue(models.Model):
    """An issue raised at a meeting, with the status of what became of it."""

    FORUM_PATH = "forum"

    class Status(models.TextChoices):
        NEW = "new", _("New")
        QUICK_FIX = "quick_fix", _("Quick fix routed")
        CANDIDATE = "candidate", _("Candidate for the priority list")
        NETWORK = "network", _("Taken up by a network")
        RESOLVED = "resolved", _("Resolved")
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
        MERGED = "merged", _("Merged into another issue")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="issues", verbose_name=_("forum"))
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="issues",
                                verbose_name=_("meeting"))
    focus_area = models.ForeignKey(FocusArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="issues",
                                   verbose_name=_("focus area"))
    text = models.TextField(_("issue"))
    side = models.CharField(_("raised for"), max_length=10, choices=Side.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="raised_issues", verbose_name=_("raised by"))
    raised_by_registration = models.ForeignKey(Registration, on_delete=models.SET_NULL, null=True, blank=True,
                                               related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="issues", verbose_name=_("organisation"))
    anonymous = models.BooleanField(_("show anonymously"), default=False)
    keyed_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("keyed in by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged",
                                    verbose_name=_("merged into"))
    # Quick fix routing
    department = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="responsible_issues", verbose_name=_("responsible person"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Answer (resolved) or reason (out of scope)
    answer = models.TextField(_("answer or reason"), blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    @classmethod
    def overdue_q(cls, today) -> Q:
        """Overdue on ``today``: a quick fix routed with a due date that has passed and still
        open (a resolved one has left the quick-fix status). The one rule the triage queue's
        filter and flag and the to-do page use."""
        return Q(status=cls.Status.QUICK_FIX, due_date__lt=today)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        indexes = [
            models.Index(fields=["forum", "status"]),
            models.Index(fields=["meeting", "created_at"]),
            # The triage queue and the public issues list: a forum's newest first, one page of
            # 50 read from the index instead of sorting years of issues.
            models.Index(fields=["forum", "-created_at", "-id"], name="issue_forum_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="issue_merged_iff_pointer",
            ),
        ]

    # The labels of a list of issues: Django's get_FOO_display() rebuilds the choices' dict
    # on every call (0.2 ms each; 50 issue cards a page), these read a dict made once.
    @property
    def status_label(self) -> str:
        return _ISSUE_STATUS_LABELS.get(self.status, self.status)

    @property
    def side_label(self) -> str:
        return _SIDE_LABELS.get(self.side, self.side)

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("issues:issue_detail", kwargs={"pk": self.pk})


_ISSUE_STATUS_LABELS = dict(Issue.Status.choices)  # lazy labels: translated when shown
_SIDE_LABELS = dict(Side.choices)


class IssueSupport(models.Model):
    """ "Me too": a person supports an issue (and so hears what becomes of it). A support whose
    person erased their account stays, naming nobody (no person, no registration): it is still
    counted (DESIGN: aggregates stay when a person is erased)."""

    FORUM_PATH = "issue__forum"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="issue_supports")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["issue", "person"], condition=Q(person__isnull=False),
                                    name="issuesupport_unique_person"),
            models.UniqueConstraint(fields=["issue", "registration"], condition=Q(registration__isnull=False),
                                    name="issuesupport_unique_registration"),
        ]


class IssueEvent(models.Model):
    """The history of an issue: every edit, status change and merge, with who did it."""

    FORUM_PATH = "issue__forum"

    class Kind(models.TextChoices):
        CREATED = "created", _("Raised")
        EDITED = "edited", _("Edited")
        STATUS = "status", _("Status changed")
        MERGED = "merged", _("Merged")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Before and after of what changed, e.g. {"text": ["old", "new"], "status": ["new", "candidate"]}.
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("issue history entry")
        verbose_name_plural = _("issue history")


class Vote(models.Model):
    """A priority vote over candidate issues at a prioritisation or combined meeting."""

    FORUM_PATH = "meeting__forum"

    class Method(models.TextChoices):
        SCHULZE = "schulze", _("Schulze method (ranked)")
        BORDA = "borda", _("Borda count (ranked)")
        DOTS = "dots", _("Dot voting (points to spread)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not yet open")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CONFIRMED = "confirmed", _("Priority list confirmed")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="votes", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=200)
    method = models.CharField(_("counting method"), max_length=10, choices=Method.choices, default=Method.SCHULZE)
    dots = models.PositiveSmallIntegerField(_("points per voter (dot voting)"), default=5)
    candidates = models.ManyToManyField(Issue, related_name="votes", verbose_name=_("candidate issues"))
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the voters see and vote on: {"<issue id>": {"text": …, "focus_area": …}}, taken
    # when the vote is created, kept current while it is a draft, and frozen from the moment
    # it opens (by hand or by the clock): the ballot, the result and the priority list show
    # this text even if the issue is edited after the vote has closed.
    candidate_texts = models.JSONField(default=dict, blank=True, editable=False)
    # The tally frozen at closing: ranking, pairwise matrix, turnout, per-side rankings.
    result = models.JSONField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("issues:ballot", kwargs={"pk": self.pk})


class VoterRecord(models.Model):
    """That a participant has voted (never what). One per registration per vote."""

    FORUM_PATH = "vote__meeting__forum"

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="voters")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="+")
    paper = models.BooleanField(_("paper ballot"), default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    # Deliberately no timestamp: with ballot ids or timestamps it could link voter and ballot.

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [models.UniqueConstraint(fields=["vote", "registration"], name="voterrecord_unique")]


class Ballot(models.Model):
    """One counted ballot, with no reference to a person (see the module docstring). Its key
    is random, not a sequence, so the order ballots were cast in cannot be matched with the
    order of the voter records."""

    FORUM_PATH = "vote__meeting__forum"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    voter_key = models.CharField(max_length=64)
    receipt_hash = models.CharField(max_length=64, unique=True)
    side = models.CharField(max_length=10, choices=Side.choices)
    # Ranked methods: {"<issue id>": rank (1 = first)}; unranked candidates are omitted.
    # Dot voting: {"<issue id>": points}.
    marks = models.JSONField(default=dict)
    # No "paper" flag here: only the voter record says a ballot was keyed in from paper, so
    # the few paper ballots cannot be matched with the few paper voters.

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["vote", "voter_key"], name="ballot_unique_voter")]


class PriorityListEntry(models.Model):
    """The confirmed priority list of a forum, published from a closed vote."""

    FORUM_PATH = "vote__meeting__forum"

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="priority_list")
    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="priority_entries")
    rank = models.PositiveSmallIntegerField(_("rank"))
    tied = models.BooleanField(_("tied with the next"), default=False)
    # The issue as it was voted on (from Vote.candidate_texts); the issue's own page shows
    # what has happened to it since.
    text = models.TextField(_("issue as voted on"), blank=True)
    focus_area_name = models.CharField(_("focus area as voted on"), max_length=200, blank=True)

    class Meta:
        ordering = ["vote", "rank", "pk"]
        verbose_name = _("priority list entry")
        verbose_name_plural = _("priority list")
        constraints = [models.UniqueConstraint(fields=["vote", "issue"], name="prioritylist_unique_issue")]
