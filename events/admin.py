"""Admin for theme meetings (staff overview; coordinators work in the portal's own pages)."""
from django.contrib import admin

from .models import DiversityTarget, InvitationBatch, Meeting, Nomination, Registration, SeatPool


class SeatPoolInline(admin.TabularInline):
    model = SeatPool
    extra = 0
    raw_id_fields = ["partner_organisation", "department"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "forum", "kind", "starts_at", "status"]
    list_filter = ["forum", "kind", "status"]
    inlines = [SeatPoolInline]
    raw_id_fields = ["facilitators"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "organisation", "status", "pool", "seat_pool", "created_at"]
    list_filter = ["status", "source", "meeting"]
    search_fields = ["organisation__name", "contact_email", "attendee_name"]
    list_select_related = ["meeting", "organisation", "pool", "seat_pool"]
    raw_id_fields = ["organisation", "attendee", "checked_in_by", "created_by"]
    readonly_fields = ["token", "code"]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["company", "pool", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["company", "nominated_by", "decided_by"]


@admin.register(InvitationBatch)
class InvitationBatchAdmin(admin.ModelAdmin):
    list_display = ["meeting", "pool", "total", "done", "status", "created_at"]


@admin.register(DiversityTarget)
class DiversityTargetAdmin(admin.ModelAdmin):
    list_display = ["forum", "dimension", "category", "share"]
    list_filter = ["forum", "dimension"]
