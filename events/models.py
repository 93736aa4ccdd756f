"""Theme meetings and their seats: pools with hold dates, nominations, invitations,
registrations, the waiting list and attendance.

A :class:`Registration` is one company's (or municipal participant's) place at a meeting, from
invitation or open registration to attendance. Seats are never counted from a stored counter:
the booking services count :attr:`Registration.OCCUPYING` rows while holding a row lock on the
meeting (see :mod:`events.services`).
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from forum.models import FocusArea, Forum, Organisation


class Meeting(models.Model):
    """A theme meeting (tematräff) of a forum."""

    FORUM_PATH = "forum"

    class Kind(models.TextChoices):
        CITY_FOR_BUSINESS = "city_for_business", _("What can the city do for the companies?")
        BUSINESS_FOR_CITY = "business_for_city", _("What can the companies do for the city?")
        PRIORITISATION = "prioritisation", _("Prioritisation")
        COMBINED = "combined", _("Combined meeting")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        REGISTRATION_OPEN = "registration_open", _("Registration open")
        REGISTRATION_CLOSED = "registration_closed", _("Registration closed")
        HELD = "held", _("Held")
        DOCUMENTED = "documented", _("Documented")

    # The order a meeting moves through; a coordinator may step forwards or one step back.
    STATUS_ORDER = [s.value for s in Status]

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("forum"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    theme = models.TextField(_("theme"), blank=True)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="meetings", verbose_name=_("focus areas"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    venue_accessibility = models.TextField(_("accessibility at the venue"), blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_meetings", verbose_name=_("facilitators")
    )
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    capacity = models.PositiveIntegerField(_("seats in total"), default=120)
    seats_per_company = models.PositiveSmallIntegerField(_("seats per company"), default=1)
    offer_hours = models.PositiveIntegerField(
        _("hours to answer a waiting-list offer"), default=48
    )
    invitation_days = models.PositiveIntegerField(_("days to answer an invitation"), default=14)
    # How many times the time or venue has changed: the SEQUENCE of its calendar files, so a
    # calendar replaces the entry it has with the file a change mail brings (RFC 5545).
    schedule_version = models.PositiveIntegerField(_("version of the time and venue"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("theme meeting")
        verbose_name_plural = _("theme meetings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:meeting_detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def registration_is_open(self) -> bool:
        return self.status == self.Status.REGISTRATION_OPEN

    @property
    def has_ended(self) -> bool:
        """Held or documented, or past its end by the clock (before anyone marked it held):
        nothing left to take part in or put in a calendar."""
        return self.status in (self.Status.HELD, self.Status.DOCUMENTED) or self.ends_at <= timezone.now()

    # A short label fits a table column: the title up to its colon ("Tematräff 2"), cut at
    # this many characters, with the year unless the title already has it ("Vårträff 2026").
    SHORT_LABEL_LENGTH = 28

    @property
    def short_label(self) -> str:
        """"Tematräff 2 · 2025" for "Tematräff 2: Vad kan företagen göra … 2025" (the triage
        queue's meeting column); the full title stays on the meeting's own pages."""
        label = self.title.split(":", 1)[0].strip()
        if len(label) > self.SHORT_LABEL_LENGTH:
            label = label[: self.SHORT_LABEL_LENGTH - 1].rstrip() + "…"
        year = str(timezone.localtime(self.starts_at).year)
        return label if year in label else f"{label} · {year}"


class SeatPool(models.Model):
    """A share of a meeting's seats, reserved for one way in until its hold date."""

    FORUM_PATH = "meeting__forum"

    class Kind(models.TextChoices):
        CITY_PICK = "city_pick", _("City pick")
        PARTNER_PICK = "partner_pick", _("Partner pick")
        OPEN = "open", _("Open registration")
        MUNICIPAL = "municipal", _("Municipal participants")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pools", verbose_name=_("meeting"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    size = models.PositiveIntegerField(_("seats"))
    hold_until = models.DateTimeField(
        _("reserved until"),
        null=True,
        blank=True,
        help_text=_(
            "Until then the seats are kept for this pool; afterwards unclaimed seats are open to anyone eligible."
        ),
    )
    partner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_pools",
        verbose_name=_("partner organisation"),
        limit_choices_to={"kind": Organisation.Kind.PARTNER},
    )
    department = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="department_pools",
        verbose_name=_("department"),
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("seat pool")
        verbose_name_plural = _("seat pools")

    def __str__(self) -> str:
        return f"{self.name} ({self.size})"

    def is_held(self, now=None) -> bool:
        """True while the pool's seats are reserved for it (decided from the clock, not a job)."""
        return self.hold_until is None or (now or timezone.now()) < self.hold_until

    @property
    def for_companies(self) -> bool:
        return self.kind != self.Kind.MUNICIPAL


class Nomination(models.Model):
    """A partner organisation proposes a company for its pool; a coordinator approves (which invites)."""

    FORUM_PATH = "pool__meeting__forum"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    pool = models.ForeignKey(SeatPool, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("pool"))
    company = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("company")
    )
    contact_email = models.EmailField(_("contact's email address"))
    contact_name = models.CharField(_("contact's name"), max_length=200, blank=True)
    motivation = models.TextField(_("why this company"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [models.UniqueConstraint(fields=["pool", "company"], name="nomination_unique_company")]

    def __str__(self) -> str:
        return f"{self.company} → {self.pool}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _new_code() -> str:
    # Short, unambiguous, easy to read aloud at the door.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


class RegistrationQuerySet(models.QuerySet):
    """Registration queries that state a rule, so that the rule has one home."""

    def waiting_line(self) -> RegistrationQuerySet:
        """The waiting list in its one order (:attr:`Registration.WAITING_ORDER`): the order
        offers go out in, the positions people are told, and the order pages list."""
        return self.filter(status=Registration.Status.WAITING).order_by(*Registration.WAITING_ORDER)

    def waiting_ahead_of(self, registration: Registration) -> RegistrationQuerySet:
        """Those before ``registration`` on its meeting's waiting list (the same order)."""
        return self.waiting_line().filter(meeting_id=registration.meeting_id).filter(
            Q(waiting_since__lt=registration.waiting_since)
            | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
        )


class Registration(models.Model):
    """One place at a meeting for a company (or a municipal participant), from invitation
    or open registration through the waiting list to attendance."""

    FORUM_PATH = "meeting__forum"

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        # One registration is "Bekräftad"; a column of them elsewhere is "Bekräftade".
        CONFIRMED = "confirmed", pgettext_lazy("registration status", "Confirmed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Invitation expired")
        WAITING = "waiting", _("On the waiting list")
        OFFERED = "offered", _("Offered a seat")
        OFFER_EXPIRED = "offer_expired", _("Offer expired")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        OPEN = "open", _("Open registration")

    # Statuses that take a seat: counted inside the locked booking transaction.
    OCCUPYING = (Status.CONFIRMED, Status.OFFERED)
    # Statuses in which a company still has a live claim on the meeting.
    ACTIVE = (Status.INVITED, Status.CONFIRMED, Status.WAITING, Status.OFFERED)
    # Statuses (as the clock sees them) in which the attendee's side is offered to give the
    # place up; an invitation is declined instead, and what has expired is over.
    CANCELLABLE = (Status.CONFIRMED, Status.WAITING, Status.OFFERED)
    # The waiting list's order: first come, first served; the id settles a tie.
    WAITING_ORDER = ("waiting_since", "pk")

    objects = RegistrationQuerySet.as_manager()

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("meeting")
    )
    pool = models.ForeignKey(SeatPool, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("pool"))
    # The pool whose seat the registration holds; differs from ``pool`` when it took a
    # released seat from another pool after that pool's hold date.
    seat_pool = models.ForeignKey(
        SeatPool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seated",
        verbose_name=_("seat from pool"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("organisation")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # Who was invited (or registered) and who attends; the company may name a substitute.
    contact_email = models.EmailField(_("contact's email address"))
    contact_name = models.CharField(_("contact's name"), max_length=200, blank=True)
    attendee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    attendee_name = models.CharField(_("attendee's name"), max_length=200, blank=True)
    attendee_email = models.EmailField(_("attendee's email address"), blank=True)
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    code = models.CharField(_("check-in code"), max_length=8, unique=True, default=_new_code, editable=False)
    expires_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Personal data is removed after the meeting (needs) and after the retention period
    # (names, addresses, the link); the row stays for aggregates: organisation, status, attendance.
    needs_cleared_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    reminded_7_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_1_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["meeting", "created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            models.Index(fields=["meeting", "status"]),
            models.Index(fields=["meeting", "status", "waiting_since"]),
            models.Index(fields=["status", "offer_expires_at"]),
            # The seat map under the meeting lock counts per pool (events.services.seats._seat_map).
            models.Index(fields=["seat_pool", "status"]),
            models.Index(fields=["pool", "status", "waiting_since"]),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.meeting} ({self.get_status_display()})"

    @property
    def display_attendee(self) -> str:
        """Who attends, as staff lists show it; an anonymised registration (retention, or a
        person's erasure) says so rather than showing an empty cell."""
        if self.anonymised_at and not (self.attendee_name or self.contact_name or self.contact_email):
            return str(pgettext("registration", "Anonymised"))
        return self.attendee_name or self.contact_name or self.contact_email

    @classmethod
    def expired_invitation_q(cls, now) -> Q:
        """The rows :meth:`effective_status` sees as expired invitations at ``now``, for queries."""
        return Q(status=cls.Status.INVITED, expires_at__lte=now)

    @classmethod
    def expired_offer_q(cls, now) -> Q:
        """The rows :meth:`effective_status` sees as expired offers at ``now``, for queries."""
        return Q(status=cls.Status.OFFERED, offer_expires_at__lte=now)

    @property
    def status_label(self) -> str:
        """As get_status_display(), without rebuilding the choices' dict on each call (the
        coordinator's overview shows a few hundred)."""
        return _REGISTRATION_STATUS_LABELS.get(self.status, self.status)

    def effective_status(self, now=None) -> str:
        """The status as the clock sees it: an unanswered invitation past its answer-by date
        is expired, an offer past its deadline is an expired offer, even before the periodic
        task has written it. The one definition used by services, views and templates (and,
        for queries, :meth:`expired_invitation_q` and :meth:`expired_offer_q`)."""
        now = now or timezone.now()
        if self.status == self.Status.INVITED and self.expires_at and now >= self.expires_at:
            return self.Status.EXPIRED
        if self.status == self.Status.OFFERED and self.offer_expires_at and now >= self.offer_expires_at:
            return self.Status.OFFER_EXPIRED
        return self.status

    def may_cancel(self, now=None) -> bool:
        """Whether the pages offer to cancel this place: it is confirmed, waiting or offered
        (as the clock sees it) and the meeting has not started. The same limits as
        :func:`events.services.registration_cancel`, so a button never leads to a refusal.
        Reads ``meeting`` (select it with the registration on list pages)."""
        now = now or timezone.now()
        return self.effective_status(now) in self.CANCELLABLE and now < self.meeting.starts_at


_REGISTRATION_STATUS_LABELS = dict(Registration.Status.choices)  # lazy labels: translated when shown


class InvitationBatch(models.Model):
    """A bulk invitation run by Celery; the coordinator's page shows its progress."""

    FORUM_PATH = "meeting__forum"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitation_batches")
    pool = models.ForeignKey(SeatPool, on_delete=models.CASCADE, related_name="+")
    # [{"organisation": id, "email": "...", "name": "..."}, …] – what is still to be invited.
    items = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk invitation")
        verbose_name_plural = _("bulk invitations")

    @property
    def send_group(self) -> str:
        """What the batch's invitation mails carry in ``OutboxMessage.send_group``."""
        return f"events.invitationbatch:{self.pk}"


class DiversityTarget(models.Model):
    """A forum's target share for one category of one dimension (e.g. gender: woman 50 %)."""

    FORUM_PATH = "forum"

    class Dimension(models.TextChoices):
        GENDER = "gender", _("Gender")
        BACKGROUND = "background", _("Background")
        INDUSTRY = "industry", _("Industry")
        SIZE = "size", _("Company size")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="diversity_targets")
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    category = models.CharField(_("category"), max_length=30)
    share = models.DecimalField(_("target share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["forum", "dimension", "category"]
        verbose_name = _("diversity target")
        verbose_name_plural = _("diversity targets")
        constraints = [
            models.UniqueConstraint(fields=["forum", "dimension", "category"], name="diversitytarget_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.category} {self.share} %"
