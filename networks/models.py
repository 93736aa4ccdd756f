"""Thematic networks (nätverk): formed from the priority list by a coordinator, run by one or
two process leaders for years, with members whose history is kept, network meetings, actions,
progress updates, a yearly budget and the annual report to the municipal board.

Money is kept in exact decimals (SEK with öre), never floats. A receipt is stored in its own
table in the database, not under MEDIA_ROOT, so it can only be reached through the view that
checks who may see it.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forum.models import FocusArea, Forum, Organisation


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Network(models.Model):
    """A thematic network of a forum, driving one or more issues."""

    FORUM_PATH = "forum"

    class Status(models.TextChoices):
        FORMING = "forming", pgettext_lazy("network status", "Forming")
        ACTIVE = "active", pgettext_lazy("network status", "Active")
        PAUSED = "paused", pgettext_lazy("network status", "Paused")
        CLOSED = "closed", pgettext_lazy("network status", "Closed")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="networks", verbose_name=_("forum"))
    title = models.CharField(_("title"), max_length=200)
    focus_area = models.ForeignKey(FocusArea, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="networks", verbose_name=_("focus area"))
    goal = models.TextField(_("goal"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FORMING)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("formed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["forum", "title"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("networks:network_detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def accepts_followers(self) -> bool:
        """Anyone may follow a public network by email while it runs (not once closed)."""
        return self.is_public and self.status != self.Status.CLOSED


class NetworkIssue(models.Model):
    """An issue driven by a network. An issue is driven by one network at a time; when the
    network resolves it, the outcome stays here and on the issue (its answer)."""

    FORUM_PATH = "network__forum"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="issue_links")
    issue = models.OneToOneField("issues.Issue", on_delete=models.CASCADE, related_name="network_link")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    added_at = models.DateTimeField(_("taken up"), auto_now_add=True)
    outcome = models.TextField(_("outcome"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("network issue")
        verbose_name_plural = _("network issues")


class Membership(models.Model):
    """One period of a person in a network, in one role, for one organisation. A person who
    leaves and comes back gets a new period; the old one keeps its dates and organisation
    (also if the person later leaves that organisation)."""

    FORUM_PATH = "network__forum"

    class Role(models.TextChoices):
        PROCESS_LEADER = "process_leader", _("Process leader")
        MEMBER = "member", _("Member")
        CITY_CONTACT = "city_contact", _("City contact")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Asked to join")
        ACTIVE = "active", _("Member")
        DECLINED = "declined", _("Declined")
        # "Left" is also money remaining on the budget pages: each meaning has its own context.
        ENDED = "ended", pgettext_lazy("membership status", "Left")

    OPEN = (Status.INVITED, Status.REQUESTED, Status.ACTIVE)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="network_memberships", verbose_name=_("person"))
    # Who was invited, for an invitation to someone without an account yet; and the name kept
    # for the history if the account is erased.
    email = models.EmailField(_("email"), blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="network_memberships", verbose_name=_("organisation"))
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    message = models.TextField(_("message"), blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    started_on = models.DateField(_("member from"), null=True, blank=True)
    ended_on = models.DateField(_("member until"), null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "-status", "name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # One open period (invited, asked, member) per person and network.
            models.UniqueConstraint(fields=["network", "person"],
                                    condition=Q(status__in=["invited", "requested", "active"], person__isnull=False),
                                    name="membership_one_open_period"),
            models.UniqueConstraint(fields=["network", "email"],
                                    condition=Q(status="invited", person__isnull=True),
                                    name="membership_one_open_invitation"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email} – {self.network}"


class NetworkMeeting(models.Model):
    """A meeting of a network's members (nätverksträff)."""

    FORUM_PATH = "network__forum"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", pgettext_lazy("network meeting", "Cancelled")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    reminded_7_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_1_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="networkmeeting_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("networks:meeting_detail", kwargs={"pk": self.pk})


class Attendance(models.Model):
    """Who came to a network meeting, with the organisation they came for."""

    FORUM_PATH = "meeting__network__forum"

    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_unique")]


class Action(models.Model):
    """Something the network has decided to do, with an owner and a due date."""

    FORUM_PATH = "network__forum"

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("action status", "Not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
        DONE = "done", pgettext_lazy("action status", "Done")
        CANCELLED = "cancelled", pgettext_lazy("action status", "Cancelled")

    UNFINISHED = (Status.OPEN, Status.IN_PROGRESS)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(_("action"))
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions",
                              verbose_name=_("owner"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    issues = models.ManyToManyField("issues.Issue", blank=True, related_name="network_actions",
                                    verbose_name=_("issues"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.text[:80]


class ProgressUpdate(models.Model):
    """A progress update written by a process leader: to the members, and on the page of a
    public network."""

    FORUM_PATH = "network__forum"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return self.title


MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class BudgetPot(models.Model):
    """A forum's yearly pot for network costs (rooms, lunch and fika, analyses)."""

    FORUM_PATH = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="network_pots")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (SEK)"), **MONEY)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["forum", "-year"]
        verbose_name = _("budget for networks")
        verbose_name_plural = _("budgets for networks")
        constraints = [
            models.UniqueConstraint(fields=["forum", "year"], name="budgetpot_unique_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budgetpot_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.forum} {self.year}"


class Allocation(models.Model):
    """A part of a year's pot given to a network. Several rows add up (a top-up later in the
    year is a new row, so the history shows who gave what when)."""

    FORUM_PATH = "pot__forum"

    pot = models.ForeignKey(BudgetPot, on_delete=models.PROTECT, related_name="allocations")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount (SEK)"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]


class Expense(models.Model):
    """A cost a network's process leader records against the network's allocation of the year."""

    FORUM_PATH = "network__forum"

    class Category(models.TextChoices):
        ROOM = "room", _("Room")
        LUNCH_FIKA = "lunch_fika", _("Lunch and fika")
        ANALYSIS = "analysis", _("Analysis")
        OTHER = "other", pgettext_lazy("expense category", "Other")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="expenses")
    pot = models.ForeignKey(BudgetPot, on_delete=models.PROTECT, related_name="expenses")
    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    amount = models.DecimalField(_("amount (SEK)"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive")]


class Receipt(models.Model):
    """The scanned receipt of an expense, kept in the database and served only through the
    view that checks permission (never from MEDIA_URL)."""

    FORUM_PATH = "expense__network__forum"

    expense = models.OneToOneField(Expense, on_delete=models.CASCADE, related_name="receipt")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
