"""Admin for theme meetings: a staff overview, scoped to the forums the user coordinates.
Everything here is read-only: meetings, seat pools, registrations, nominations, invitation
batches and diversity targets are changed in the portal's own pages, whose services guard the
seats, keep the waiting list moving and send the mail (see forum/admin_scope.py)."""
from django.contrib import admin

from forum.admin_scope import ForumScopedAdminMixin, ReadOnlyAdminMixin

from .models import DiversityTarget, InvitationBatch, Meeting, Nomination, Registration, SeatPool


class SeatPoolInline(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = SeatPool
    extra = 0
    raw_id_fields = ["partner_organisation", "department"]


@admin.register(Meeting)
class MeetingAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "forum", "kind", "starts_at", "status"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "kind", "status"]
    inlines = [SeatPoolInline]
    raw_id_fields = ["facilitators"]


@admin.register(Registration)
class RegistrationAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["meeting", "organisation", "status", "pool", "seat_pool", "created_at"]
    # Only the meetings of the listed registrations, so no other forum's meeting is named.
    list_filter = ["status", "source", ("meeting", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["organisation__name", "contact_email", "attendee_name"]
    list_select_related = ["meeting", "organisation", "pool", "seat_pool"]
    raw_id_fields = ["organisation", "attendee", "checked_in_by", "created_by"]
    readonly_fields = ["token", "code"]


@admin.register(Nomination)
class NominationAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["company", "pool", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["company", "nominated_by", "decided_by"]


@admin.register(InvitationBatch)
class InvitationBatchAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["meeting", "pool", "total", "done", "status", "created_at"]


@admin.register(DiversityTarget)
class DiversityTargetAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Targets are set on the forum's diversity targets page.
    list_display = ["forum", "dimension", "category", "share"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "dimension"]
