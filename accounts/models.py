"""The portal's user: a person who logs in with an email address."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.statements import Param, Statement


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get(self, *args: Any, **kwargs: Any) -> User:
        """``get()`` as Django's; ``get(pk=<int>)`` – the read of every signed-in request
        (``ModelBackend.get_user``) – through a statement compiled once (issue 14: a third of
        its CPU, see forum.statements). Same row, same ``DoesNotExist``; the user also carries
        ``holds_forum_roles`` (see :func:`_by_pk`)."""
        pk = kwargs.get("pk")
        # Only ``User.objects`` itself: related managers (a group's users) subclass this one and
        # filter by their relation, and db_manager() copies bind another database.
        if self is not self.model._default_manager or args or len(kwargs) != 1 or type(pk) is not int:
            return super().get(*args, **kwargs)
        user = _BY_PK.first(pk=pk)
        if user is None:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        return user

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; the language is used for everything mailed to them.

    ``is_superuser`` marks the portal administrator; forum roles live in
    :class:`forum.models.ForumRole`.
    """

    class Language(models.TextChoices):
        SWEDISH = "sv", _("Swedish")
        ENGLISH = "en", _("English")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non_binary", _("Non-binary or other")

    class Background(models.TextChoices):
        # Statistics Sweden's definition: foreign background means born abroad, or born in
        # Sweden with both parents born abroad.
        SWEDISH = "swedish", _("Swedish background")
        FOREIGN = "foreign", _("Foreign background")

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.SWEDISH)
    # Voluntary, with a consent of their own; only ever shown in aggregates of 5 or more.
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    background = models.CharField(_("background"), max_length=20, choices=Background.choices, blank=True)
    demographics_consent_at = models.DateTimeField(_("consent to use gender and background"), null=True, blank=True)
    # What the person wants by mail beyond transactional messages.
    notify_issue_updates = models.BooleanField(
        _("email me when an issue I raised or support changes"), default=True
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("May log in to the administration site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


def _by_pk() -> models.QuerySet:
    """The user by primary key, with ``holds_forum_roles``: whether they hold a role in any
    forum, read in the same statement (an index probe), so the header menu of someone without
    one – most people – needs no query of its own (forum.permissions.menu_forums). Read afresh
    on every request, so a role granted or revoked shows on the next page."""
    from forum.models import ForumRole  # forum's models build on this one

    return (User._base_manager.filter(pk=Param("pk"))
            .annotate(holds_forum_roles=models.Exists(ForumRole.objects.filter(user=models.OuterRef("pk"))))
            .order_by())


_BY_PK = Statement(_by_pk)
