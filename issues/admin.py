"""Admin for issues: for looking things up. Ballots and voter records are deliberately not
in the admin: it must not help anyone tell who voted what. Changes go through the portal's
pages (the services), which keep each issue's history, tell the people who raised it and
freeze a vote once it closes; so issues, votes that have been opened and the published
priority lists are read-only here. Everything is scoped to the forums the user coordinates
(see forum/admin_scope.py)."""
from django.contrib import admin

from forum.admin_scope import ForumScopedAdminMixin, ReadOnlyAdminMixin

from .models import Issue, IssueEvent, PriorityListEntry, Vote
from .services import vote_is_open


class IssueEventInline(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = IssueEvent
    extra = 0
    readonly_fields = ["kind", "actor", "changes", "at"]


@admin.register(Issue)
class IssueAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Read-only: an edit here would bypass the history and the mail to those who raised it.
    list_display = ["text", "forum", "meeting", "side", "status", "created_at"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "status", "side"]
    search_fields = ["text"]
    raw_id_fields = ["raised_by", "raised_by_registration", "organisation", "keyed_in_by", "merged_into",
                     "department", "responsible", "meeting", "focus_area"]
    inlines = [IssueEventInline]


@admin.register(Vote)
class VoteAdmin(ForumScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "meeting", "method", "status", "opens_at", "closes_at"]
    list_filter = ["status", "method"]
    # The meeting and the candidates were checked when the vote was created in the portal.
    readonly_fields = ["meeting", "candidates", "status", "opened_at", "closed_at", "result", "confirmed_at",
                       "confirmed_by", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # A draft may be tidied (by whoever Django and the forum scope allow); once opened the
        # ballot must not change under the voters, and after closing nothing about the vote may.
        return super().has_change_permission(request, obj) and (obj is None or _untouched_draft(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        # Never in bulk (no obj): the delete action would skip the per-vote check.
        return super().has_delete_permission(request, obj) and obj is not None and _untouched_draft(obj)


def _untouched_draft(vote: Vote) -> bool:
    """Not opened by hand nor by the clock, and no ballots."""
    return vote.status == Vote.Status.DRAFT and not vote_is_open(vote) and not vote.ballots.exists()


@admin.register(PriorityListEntry)
class PriorityListEntryAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Read-only: the published list is what the coordinator confirmed from the closed vote.
    list_display = ["vote", "rank", "issue", "tied"]
