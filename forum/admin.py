"""Django admin for staff: forums, the organisation register, roles, outbox and audit trail."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
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


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 0


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FocusAreaInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisationsnummer", "sni_section", "size_class", "district"]
    list_filter = ["kind", "sni_section", "size_class"]
    search_fields = ["name", "organisationsnummer"]


@admin.action(description=_("Confirm the selected representations"))
def confirm_affiliations(modeladmin, request, queryset):
    for affiliation in queryset.filter(confirmed_at__isnull=True):
        services.affiliation_confirm(actor=request.user, affiliation=affiliation)


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "title", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__email", "person__last_name", "organisation__name"]
    list_select_related = ["person", "organisation"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["person"]
    actions = [confirm_affiliations]


@admin.register(ForumRole)
class ForumRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "forum", "role", "partner_organisation", "granted_at"]
    list_filter = ["forum", "role"]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user", "forum", "partner_organisation"]
    raw_id_fields = ["user", "granted_by"]


class OutboxAttachmentInline(admin.TabularInline):
    model = OutboxAttachment
    fields = ["filename", "mimetype"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.action(description=_("Requeue the selected failed messages"))
def requeue_messages(modeladmin, request, queryset):
    count = services.outbox_requeue(actor=request.user, messages=queryset)
    modeladmin.message_user(
        request,
        ngettext("%(count)d message requeued.", "%(count)d messages requeued.", count) % {"count": count},
        messages.SUCCESS,
    )


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Staff follow every email here: queued, sending, sent or failed, with attempts."""

    list_display = ["created_at", "to_email", "subject", "status", "attempts", "sent_at", "language"]
    list_filter = ["status", "language", "template"]
    search_fields = ["to_email", "subject"]
    date_hierarchy = "created_at"
    inlines = [OutboxAttachmentInline]
    actions = [requeue_messages]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdminMixin:
    """For records whose writes belong to the services (which keep history, send mail or
    freeze results): the admin only shows them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "forum"]
    list_filter = ["action", "forum"]
    list_select_related = ["actor", "forum"]
    readonly_fields = ["at", "actor", "action", "forum", "target_type", "target_id", "data"]


@admin.register(AccessibilityReport)
class AccessibilityReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page_url", "email", "handled_at"]
    list_filter = [("handled_at", admin.EmptyFieldListFilter)]
