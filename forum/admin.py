"""Django admin for staff: forums, the organisation register, roles, outbox and audit trail.

Every admin here follows forum/admin_scope.py: Django's permissions first, then the forums
the user coordinates; read-only where the portal's pages own the change; writes that have a
service go through it.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .admin_scope import (
    ForumScopedAdminMixin,
    NarrowChoicesMixin,
    PortalWideAdminMixin,
    ReadOnlyAdminMixin,
    adopt,
    django_permits,
)
from .forms import FocusAreaAdminFormSet, OrganisationAdminForm
from .models import (
    AccessibilityReport,
    Affiliation,
    AuditEvent,
    FocusArea,
    Forum,
    ForumRole,
    Organisation,
    OutboxAttachment,
    OutboxMessage,
)
from .permissions import is_portal_admin, may_use_forum_admin


class FocusAreaInline(ForumScopedAdminMixin, admin.TabularInline):
    # Saved through forum.services by ForumAdmin.save_formset (audited).
    model = FocusArea
    extra = 0
    formset = FocusAreaAdminFormSet


@admin.register(Forum)
class ForumAdmin(ForumScopedAdminMixin, admin.ModelAdmin):
    """Coordinators edit their forum's name, description and focus areas; only the portal
    administrator creates a forum (through forum_create: three focus areas, an audit row),
    changes its address (slug, used in links already sent) or deletes it."""

    list_display = ["name", "municipality", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FocusAreaInline]

    def has_add_permission(self, request, *args, **kwargs) -> bool:
        return super().has_add_permission(request, *args, **kwargs) and is_portal_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and is_portal_admin(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not is_portal_admin(request.user):
            readonly.append("slug")
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        # Only a new forum's slug follows its name; afterwards the slug stays put.
        return super().get_prepopulated_fields(request, obj) if obj is None else {}

    def get_inlines(self, request, obj):
        # A new forum gets the default focus areas from forum_create; they are edited afterwards.
        return super().get_inlines(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.forum_update(
                actor=request.user,
                forum=obj,
                **{
                    name: form.cleaned_data[name]
                    for name in form.changed_data
                    if name in services.FORUM_EDITABLE_FIELDS
                },
            )
        else:
            adopt(obj, services.forum_create(
                actor=request.user, municipality=obj.municipality, name=obj.name, description=obj.description,
                slug=obj.slug, organiser=obj.organiser,
            ))

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not FocusArea:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # fills new_objects, changed_objects, deleted_objects
        for focus_area in formset.deleted_objects:
            services.focus_area_delete(actor=request.user, focus_area=focus_area)
        for focus_area, changed in formset.changed_objects:
            services.focus_area_save(
                actor=request.user, forum=form.instance, focus_area=focus_area,
                **{name: getattr(focus_area, name) for name in changed if name in services.FOCUS_AREA_EDITABLE_FIELDS},
            )
        for focus_area in formset.new_objects:
            adopt(focus_area, services.focus_area_save(
                actor=request.user, forum=form.instance,
                **{name: getattr(focus_area, name) for name in services.FOCUS_AREA_EDITABLE_FIELDS},
            ))


@admin.register(Organisation)
class OrganisationAdmin(PortalWideAdminMixin, admin.ModelAdmin):
    """The shared register: coordinators may look companies up; the administrator edits."""

    list_display = ["name", "kind", "organisationsnummer", "sni_section", "size_class", "district"]
    list_filter = ["kind", "sni_section", "size_class"]
    search_fields = ["name", "organisationsnummer"]
    form = OrganisationAdminForm

    def save_model(self, request, obj, form, change) -> None:
        if change:
            adopt(obj, services.organisation_update(actor=request.user, organisation=obj, **{
                name: form.cleaned_data[name] for name in form.changed_data
                if name in services.ORGANISATION_EDITABLE_FIELDS
            }))
            return
        fields = {name: value for name, value in form.cleaned_data.items() if name not in ("kind", "name")}
        adopt(obj, services.organisation_create(actor=request.user, kind=obj.kind, name=obj.name, **fields))


@admin.action(description=_("Confirm the selected representations"), permissions=["confirm"])
def confirm_affiliations(modeladmin, request, queryset):
    for affiliation in queryset.filter(confirmed_at__isnull=True):
        services.affiliation_confirm(actor=request.user, affiliation=affiliation)


@admin.register(Affiliation)
class AffiliationAdmin(PortalWideAdminMixin, admin.ModelAdmin):
    """Representations are portal-wide (a person speaks for a company in every forum).
    Coordinators look them up and confirm them with the action (Django's change permission on
    affiliations); editing the rows is the administrator's, through forum.services."""

    list_display = ["person", "organisation", "title", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__email", "person__last_name", "organisation__name"]
    list_select_related = ["person", "organisation"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["person"]
    actions = [confirm_affiliations]

    def has_confirm_permission(self, request) -> bool:
        # Seeing the representation (Django's view permission, through the mixins) and Django's
        # change permission on it, which the read-only form does not use.
        return super().has_view_permission(request) and django_permits(self, request, "change")

    def get_readonly_fields(self, request, obj=None):
        # Who represents what stays; a confirmation goes through the action.
        return ["person", "organisation", "confirmed_at"] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        adopt(obj, services.affiliation_create(
            actor=request.user, person=obj.person, organisation=obj.organisation, title=obj.title,
            confirmed=obj.confirmed_at is not None,
        ))

    def delete_model(self, request, obj) -> None:
        services.affiliation_delete(actor=request.user, affiliation=obj)

    def delete_queryset(self, request, queryset) -> None:
        for affiliation in queryset:
            services.affiliation_delete(actor=request.user, affiliation=affiliation)


@admin.register(ForumRole)
class ForumRoleAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Read-only: roles are granted and revoked on the forum's Roles page (forum.services
    # role_grant/role_revoke), which also gives and takes a coordinator's admin access.
    list_display = ["user", "forum", "role", "partner_organisation", "granted_at"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user", "forum", "partner_organisation"]
    raw_id_fields = ["user", "granted_by"]


class OutboxAttachmentInline(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = OutboxAttachment
    fields = ["filename", "mimetype"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.action(description=_("Requeue the selected failed messages"), permissions=["requeue"])
def requeue_messages(modeladmin, request, queryset):
    """Failed rows did not leave: requeueing them cannot make a duplicate. Rows whose delivery
    is unknown are left for :func:`requeue_interrupted_messages`, which warns first."""
    # ``queryset`` is the changelist's, so already narrowed to the user's forums.
    count = services.outbox_requeue(actor=request.user, messages=queryset)
    modeladmin.message_user(
        request,
        ngettext("%(count)d message requeued.", "%(count)d messages requeued.", count) % {"count": count},
        messages.SUCCESS,
    )
    unknown = queryset.filter(status=OutboxMessage.Status.INTERRUPTED).count()
    if unknown:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d selected message was interrupted while sending and may have arrived, so it was not "
                "requeued. Use the action for messages whose delivery is unknown.",
                "%(count)d selected messages were interrupted while sending and may have arrived, so they were not "
                "requeued. Use the action for messages whose delivery is unknown.",
                unknown,
            ) % {"count": unknown},
            messages.WARNING,
        )


@admin.action(description=_("Requeue the selected messages whose delivery is unknown"), permissions=["requeue"])
def requeue_interrupted_messages(modeladmin, request, queryset):
    """Interrupted rows may already have arrived: the first request shows them with a warning
    and their Message-ID (to look up in the mail server's log or ask the recipient); only the
    confirmation requeues them."""
    interrupted = queryset.filter(status=OutboxMessage.Status.INTERRUPTED)
    if not interrupted.exists():
        modeladmin.message_user(request, _("None of the selected messages has an unknown delivery."), messages.WARNING)
        return None
    if request.POST.get("confirm") == "yes":
        count = services.outbox_requeue(actor=request.user, messages=interrupted,
                                        status=OutboxMessage.Status.INTERRUPTED)
        modeladmin.message_user(
            request,
            ngettext("%(count)d message requeued.", "%(count)d messages requeued.", count) % {"count": count},
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Send these messages again?"),
        "opts": modeladmin.opts,
        "outbox_messages": interrupted,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/forum/outboxmessage/requeue_interrupted.html", context)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Staff follow every email here: queued, sending, sent, failed (not delivered) or
    interrupted (delivery unknown), with attempts and the Message-ID. A coordinator sees the
    mail of their forums; mail about no forum (log-in codes, password resets) only the
    portal administrator."""

    list_display = ["created_at", "to_email", "subject", "status", "attempts", "sent_at", "language", "forum"]
    list_filter = ["status", "language", "template", ("forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["forum"]
    search_fields = ["to_email", "subject", "message_id"]
    date_hierarchy = "created_at"
    inlines = [OutboxAttachmentInline]
    actions = [requeue_messages, requeue_interrupted_messages]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_requeue_permission(self, request) -> bool:
        # The only write here; Django's change permission on outgoing email stands for it.
        return (super().has_view_permission(request) and django_permits(self, request, "change")
                and may_use_forum_admin(request.user))


@admin.register(AuditEvent)
class AuditEventAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Rows about no forum (the register, accounts) are the portal administrator's only.
    list_display = ["at", "actor", "action", "target_type", "target_id", "forum"]
    list_filter = ["action", ("forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor", "forum"]
    readonly_fields = ["at", "actor", "action", "forum", "target_type", "target_id", "data"]


@admin.register(AccessibilityReport)
class AccessibilityReportAdmin(NarrowChoicesMixin, admin.ModelAdmin):
    """Reports about the whole portal, for the accessibility contact: the portal administrator
    and staff given Django's permissions on reports (coordinators are not, by default).
    Reports come only from the public form (which mails the contact); here they are marked
    handled, and what the reporter wrote stays as written."""

    list_display = ["created_at", "page_url", "email", "handled_at"]
    list_filter = [("handled_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["page_url", "description", "email", "reporter", "handled_at"]
    actions = ["mark_reports_handled", "mark_reports_unhandled"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Nothing here is typed: handled is a time the clock sets through the actions below
        # (forum.services), and what the reporter wrote stays as written.
        return False

    def has_handle_permission(self, request) -> bool:
        # Seeing the reports (Django's view permission) and Django's change permission on
        # them, which the read-only form does not use.
        return super().has_view_permission(request) and django_permits(self, request, "change")

    @admin.action(description=_("Mark the selected reports as handled"), permissions=["handle"])
    def mark_reports_handled(self, request, queryset) -> None:
        self._set_handled(request, queryset, handled=True)

    @admin.action(description=_("Mark the selected reports as not handled"), permissions=["handle"])
    def mark_reports_unhandled(self, request, queryset) -> None:
        self._set_handled(request, queryset, handled=False)

    def _set_handled(self, request, queryset, *, handled: bool) -> None:
        count = sum(services.accessibility_report_set_handled(actor=request.user, report=report, handled=handled)
                    for report in queryset)
        if handled:
            text = ngettext("%(count)d report marked as handled.", "%(count)d reports marked as handled.", count)
        else:
            text = ngettext("%(count)d report marked as not handled.", "%(count)d reports marked as not handled.",
                            count)
        self.message_user(request, text % {"count": count}, messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False
