"""Admin for issues. Ballots and voter records are deliberately not in the admin: the
admin must not help anyone tell who voted what."""
from django.contrib import admin

from .models import Issue, IssueEvent, PriorityListEntry, Vote


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "changes", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["text", "forum", "meeting", "side", "status", "created_at"]
    list_filter = ["forum", "status", "side"]
    search_fields = ["text"]
    raw_id_fields = ["raised_by", "raised_by_registration", "organisation", "keyed_in_by", "merged_into",
                     "department", "responsible", "meeting", "focus_area"]
    inlines = [IssueEventInline]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "method", "status", "opens_at", "closes_at"]
    list_filter = ["status", "method"]
    readonly_fields = ["status", "opened_at", "closed_at", "result", "confirmed_at", "confirmed_by"]
    filter_horizontal = ["candidates"]


@admin.register(PriorityListEntry)
class PriorityListEntryAdmin(admin.ModelAdmin):
    list_display = ["vote", "rank", "issue", "tied"]
