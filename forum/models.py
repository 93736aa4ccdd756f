"""The forum-wide domain: forums and focus areas, the shared organisation register,
people's affiliations, roles per forum, the mail outbox and the audit trail."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .sni import SNI_SECTIONS
from .validators import is_personal_identity_number, validate_organisationsnummer


class Forum(models.Model):
    """A municipality's forum with its business community (e.g. "11:11 – Meet Malmö")."""

    # Where each record finds its forum (forum.permissions.admin_scope): the admin
    # shows a record only to the coordinators of that forum and the portal administrator.
    FORUM_PATH = "pk"

    municipality = models.CharField(_("municipality"), max_length=100)
    # Signs the forum's mail after the forum's name ("11:11 – Meet Malmö, Malmö stad"); empty: the
    # municipality. Several municipalities can share one portal, so this is the forum's, not a setting.
    organiser = models.CharField(
        _("organiser"), max_length=100, blank=True,
        help_text=_("The city or municipality as it signs its mail, for example Malmö stad."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:forum_detail", kwargs={"slug": self.slug})


class FocusArea(models.Model):
    """One of a forum's focus areas (fokusområden); editable per forum."""

    FORUM_PATH = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="focus_areas", verbose_name=_("forum"))
    position = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["forum", "position"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(fields=["forum", "position"], name="focusarea_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class Organisation(models.Model):
    """An organisation in the portal-wide register shared by all forums."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DEPARTMENT = "department", _("Municipal department")
        PARTNER = "partner", _("Partner organisation")
        NONPROFIT = "nonprofit", _("Non-profit organisation")

    class SizeClass(models.TextChoices):
        MICRO = "0-9", _("0–9 employees")
        SMALL = "10-49", _("10–49 employees")
        MEDIUM = "50-249", _("50–249 employees")
        LARGE = "250+", _("250 or more employees")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisationsnummer = models.CharField(
        _("organisationsnummer"),
        max_length=11,
        blank=True,
        null=True,
        validators=[validate_organisationsnummer],
        help_text=_("Ten digits, for example 559123-4561."),
    )
    sni_section = models.CharField(_("industry (SNI section)"), max_length=1, choices=SNI_SECTIONS, blank=True)
    sni_code = models.CharField(_("SNI code"), max_length=6, blank=True, help_text=_("Optional, for example 62010."))
    size_class = models.CharField(_("size"), max_length=10, choices=SizeClass.choices, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisationsnummer"],
                condition=Q(organisationsnummer__isnull=False),
                name="organisation_unique_orgnr",
            ),
            # A company is always identified by its organisationsnummer and classified by
            # industry and size: the diversity figures depend on it.
            models.CheckConstraint(
                condition=~Q(kind="company")
                | (Q(organisationsnummer__isnull=False) & ~Q(sni_section="") & ~Q(size_class="")),
                name="organisation_company_complete",
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sole_trader(self) -> bool:
        """A sole trader's organisationsnummer is the owner's personal identity number."""
        return is_personal_identity_number(self.organisationsnummer)

    @property
    def masked_organisationsnummer(self) -> str:
        """The number for lists seen by staff: a sole trader's personal identity number shows
        only its date part (559123-4561, but 811218-****). Public pages and exports never show
        a sole trader's number at all."""
        number = self.organisationsnummer or ""
        return f"{number[:6]}-****" if self.is_sole_trader else number


class Affiliation(models.Model):
    """A person represents an organisation, with a title. A person may have several."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    # Whoever registers a new organisation is confirmed at once; claiming to represent an
    # organisation that is already registered waits for staff to confirm it.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation"], name="affiliation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.organisation}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    COMMUNICATOR = "communicator", _("Communicator")
    PARTNER_NOMINATOR = "partner_nominator", _("Partner nominator")
    FACILITATOR = "facilitator", _("Facilitator / process leader")
    RESEARCHER = "researcher", _("Researcher")


class ForumRole(models.Model):
    """A person's role in one forum. Partner nominators are tied to a partner organisation."""

    FORUM_PATH = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="roles", verbose_name=_("forum"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_roles", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    partner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="nominators",
        verbose_name=_("partner organisation"),
        limit_choices_to={"kind": Organisation.Kind.PARTNER},
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        ordering = ["forum", "role", "user__email"]
        verbose_name = _("forum role")
        verbose_name_plural = _("forum roles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="partner_nominator") & Q(partner_organisation__isnull=False))
                | (~Q(role="partner_nominator") & Q(partner_organisation__isnull=True)),
                name="forumrole_partner_iff_nominator",
            ),
            models.UniqueConstraint(
                fields=["forum", "user", "role"],
                condition=Q(partner_organisation__isnull=True),
                name="forumrole_unique",
            ),
            models.UniqueConstraint(
                fields=["forum", "user", "role", "partner_organisation"],
                condition=Q(partner_organisation__isnull=False),
                name="forumrole_unique_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.forum})"


def new_message_id() -> str:
    """A fresh Message-ID header on the portal's own domain (the host of ``FORUM_SITE_URL``),
    made when the mail is queued, so that staff can find the message in the mail server's log."""
    from urllib.parse import urlsplit

    from django.core.mail import make_msgid

    return make_msgid(domain=urlsplit(settings.FORUM_SITE_URL).hostname or "localhost")


class OutboxMessage(models.Model):
    """One email. Written in the transaction of the change that causes it; sent at most once
    by :func:`forum.tasks.outbox_send` after that transaction commits."""

    FORUM_PATH = "forum"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        # The mail server refused it, or every attempt failed: it did not leave.
        FAILED = "failed", _("Failed: not delivered")
        # Sending began and never finished as far as the portal knows (the worker was killed,
        # or the database went away just after the mail server accepted it): it may have
        # arrived. Never resent automatically; staff check before requeueing it.
        INTERRUPTED = "interrupted", _("Interrupted: delivery unknown")

    to_email = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10)
    template = models.CharField(_("template"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    # Sent in the mail's header; empty only for rows queued before the field existed (they
    # get one when they are sent).
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, default=new_message_id)
    # Handing the row to the broker failed (Redis down at commit): no task holds it, so the
    # sweep sends it at its next run instead of waiting for its grace period.
    handover_failed = models.BooleanField(_("waiting for the broker"), default=False)
    # The forum the mail is about, so that the admin shows it to that forum's coordinators only;
    # empty for account mail (log-in codes, password resets), which only the administrator sees.
    forum = models.ForeignKey(
        Forum, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("forum")
    )
    # The bulk send this mail is part of ("events.invitationbatch:12"), so the send's page can
    # count its mail by status and put the failed ones back in the queue; empty for single mail.
    send_group = models.CharField(_("bulk send"), max_length=64, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set while the content is still to be rendered (forum.services.mail_queue_deferred): the
    # row was written under a lock others wait for, its subject and body right after. Which
    # function renders it and from what: {"renderer": dotted path, "args": {...}}.
    render_spec = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing email")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The latest mail to an address (the meeting dashboard's mail column, one subquery
            # per registration) and a forum's failed or interrupted mail (its to-do page).
            models.Index(fields=["to_email", "-created_at"], name="outbox_to_latest"),
            models.Index(fields=["forum", "status"], name="outbox_forum_status"),
            # A bulk send's mail by status; most rows belong to none, so only those that do.
            models.Index(fields=["send_group", "status"], name="outbox_send_group",
                         condition=~models.Q(send_group="")),
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"


class OutboxAttachment(models.Model):
    """A file attached to an outbox message (for example a calendar file)."""

    FORUM_PATH = "message__forum"

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    mimetype = models.CharField(_("type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class AuditEvent(models.Model):
    """Who did what: every service write records one row."""

    FORUM_PATH = "forum"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=100)
    forum = models.ForeignKey(Forum, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class AccessibilityReport(models.Model):
    """A problem reported through the accessibility statement page."""

    page_url = models.CharField(_("page"), max_length=500, blank=True)
    description = models.TextField(_("description"))
    email = models.EmailField(_("email"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility report")
        verbose_name_plural = _("accessibility reports")

    def __str__(self) -> str:
        return self.description[:60]


class CacheEntry(models.Model):
    """A row of the database cache that stands in for Redis while Redis cannot be reached
    (forum/cache.py): rate-limit counters and short locks. Django's DatabaseCache reads and
    writes the table; the model only creates it, so `migrate` is all a deployment needs."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "forum_cache"
