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

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _

from .fields import parse_id
from .permissions import admin_scope, is_portal_admin, may_reach_in_admin, may_use_forum_admin


def django_permits(model_admin: Any, request: HttpRequest, action: str) -> bool:
    """Django's own model permission ``action`` ("view", "change", …) on the admin's model,
    for custom admin actions that a ``has_<name>_permission`` method guards."""
    opts = model_admin.opts
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def _is_id_of(model: type[models.Model], value: Any) -> bool:
    """Whether ``value`` could be the primary key of a ``model`` row: for a whole-number key,
    ASCII digits within bigint (what ``forum.fields.parse_id`` takes); other keys as they
    convert."""
    pk = model._meta.pk
    if isinstance(pk, models.IntegerField | models.AutoField):
        return parse_id(value) is not None
    try:
        pk.to_python(value)
    except ValidationError:
        return False
    return True


class _SafeAutocompleteMixin:
    """Django's autocomplete widgets look up the submitted value to show it again when a form
    is refused, and a value that is no id (a tampered or mistyped form) made that lookup a
    server error. Values that cannot be an id are left out of the lookup: the form's own
    validation has already said what is wrong with them."""

    def optgroups(self, name: str, value: list[Any], attr: Any = None):
        model = self.field.remote_field.model
        return super().optgroups(name, [v for v in value if _is_id_of(model, v)], attr)


class SafeAutocompleteSelect(_SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeAdminInputMixin:
    """Input Django's admin passes to the database unchecked, checked first, so a tampered
    or mistyped request gets a message instead of a server error (every ModelAdmin of the
    project has this, through :class:`NarrowChoicesMixin` or directly):

    - an action's selection (``_selected_action``) that names something other than ids of
      the model: the action does not run, and the changelist says so;
    - an autocomplete field's value that is no id: the refused form is shown again without
      looking it up (:class:`SafeAutocompleteSelect`)."""

    def response_action(self, request: HttpRequest, queryset: models.QuerySet):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_id_of(self.model, value) for value in selected):
            self.message_user(request, _("The selection names records that do not exist. Nothing has been changed."),
                              messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class NarrowChoicesMixin(SafeAdminInputMixin):
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
