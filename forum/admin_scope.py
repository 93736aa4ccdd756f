"""The rules every ModelAdmin and inline of the project follows (mixins, listed before
``admin.ModelAdmin`` / ``admin.TabularInline`` in the class bases):

- Django decides first. Every ``has_*_permission`` asks ``super()`` (Django's model
  permissions: the portal administrator has all of them, a coordinator those of the group in
  :mod:`forum.admin_access`) and may only narrow the answer, never widen it.
- Each forum is its own world (:class:`ForumScopedAdminMixin`): records of a forum-scoped
  model (one naming a ``FORUM_PATH``) are listed, shown, changed and deleted only by the
  portal administrator and the coordinators of that forum. A record of another forum is not
  in the queryset, so the admin answers as for a record that does not exist.
- Choice lists never offer another forum's records (:class:`NarrowChoicesMixin`), so no
  record can be tied to one of another forum.
- The portal's pages own most changes (:class:`ReadOnlyAdminMixin`): where a service keeps a
  history, sends mail or guards seats and votes, the admin only shows the records.
- The shared register and the people (:class:`PortalWideAdminMixin`) belong to no forum:
  whoever Django lets may look; only the portal administrator writes.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_permission_codename
from django.db import models
from django.http import HttpRequest

from .permissions import admin_scope, is_portal_admin, may_reach_in_admin, may_use_forum_admin


def django_permits(model_admin: Any, request: HttpRequest, action: str) -> bool:
    """Django's own model permission ``action`` ("view", "change", …) on the admin's model,
    for custom admin actions that a ``has_<name>_permission`` method guards."""
    opts = model_admin.opts
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


class NarrowChoicesMixin:
    """Foreign-key and many-to-many choices (also behind raw-id and autocomplete widgets,
    which validate against the same queryset) hold only records of the user's forums.

    Also: an address typed without a scheme (``example.se``) is taken as https, as the
    portal's own forms take it (Django 5.2's admin would still say http)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any):
        return _narrow(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any):
        return _narrow(super().formfield_for_manytomany(db_field, request, **kwargs), request)


def _narrow(formfield: Any, request: HttpRequest) -> Any:
    if formfield is not None and getattr(formfield, "queryset", None) is not None:
        formfield.queryset = admin_scope(formfield.queryset, request.user)
    return formfield


class ForumScopedAdminMixin(NarrowChoicesMixin):
    """For admins (and inlines) of models with a ``FORUM_PATH``: the queryset and every
    permission are narrowed to the forums the user coordinates; the portal administrator sees
    everything. In an inline, ``obj`` is the parent record, whose forum is checked."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return admin_scope(super().get_queryset(request), request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and may_use_forum_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_view_permission(request, obj) and may_reach_in_admin(request.user, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        # An inline passes its parent record: adding to it needs that record's forum.
        parent = args[0] if args else kwargs.get("obj")
        return super().has_add_permission(request, *args, **kwargs) and may_reach_in_admin(request.user, parent)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and may_reach_in_admin(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and may_reach_in_admin(request.user, obj)


class ReadOnlyAdminMixin:
    """For records whose writes belong to the services (which keep history, send mail, guard
    seats or freeze results): the admin only shows them, to everyone, the portal
    administrator included. Viewing still needs Django's view permission (and the scope)."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class PortalWideAdminMixin(NarrowChoicesMixin):
    """For portal-wide records (the organisation register, people and their representations):
    Django's permissions decide who may look (coordinators of any forum may, through their
    group, where that helps them); adding, changing and deleting is for the portal
    administrator only, since a change would reach into every forum."""

    def has_add_permission(self, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        return super().has_add_permission(request, *args, **kwargs) and is_portal_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and is_portal_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and is_portal_admin(request.user)


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved ``obj`` the record a service created (``saved``), so that the
    admin's messages, log entry and redirect refer to it."""
    obj.__dict__.update(saved.__dict__)
