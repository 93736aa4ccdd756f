"""Admin for issues: for looking things up. Ballots and voter records are deliberately not
in the admin: it must not help anyone tell who voted what. Changes go through the portal's
pages (the services), which keep each issue's history, tell the people who raised it and
freeze a vote once it closes; so issues, votes that have been opened and the published
priority lists are read-only here. A draft vote's settings change, and a draft is deleted,
through ``issues.services`` (``vote_update``, ``vote_delete``: the rules and the audit
trail). Everything is scoped to the forums the user coordinates (see forum/admin_scope.py)."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from forum.admin_scope import ForumScopedAdminMixin, ReadOnlyAdminMixin, adopt

from .forms import VoteAdminForm
from .models import Issue, IssueEvent, PriorityListEntry, Vote
from .services import VOTE_EDITABLE_FIELDS, IssueError, vote_delete, vote_is_editable, vote_update


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
    # The portal's bounds and the service's rules for the settings a draft may change.
    form = VoteAdminForm

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # A draft may be tidied (by whoever Django and the forum scope allow); once opened the
        # ballot must not change under the voters, and after closing nothing about the vote may.
        return super().has_change_permission(request, obj) and (obj is None or vote_is_editable(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        # Never in bulk (no obj): the delete action would skip the per-vote check.
        return super().has_delete_permission(request, obj) and obj is not None and vote_is_editable(obj)

    def save_model(self, request, obj, form, change) -> None:
        try:
            adopt(obj, vote_update(actor=request.user, vote=obj, **{
                name: form.cleaned_data[name] for name in form.changed_data if name in VOTE_EDITABLE_FIELDS
            }))
        except IssueError as error:
            # Opened or given a ballot between the permission check of this request and the
            # service's lock: the change is refused as the page would now be.
            raise PermissionDenied(str(error)) from error

    def delete_model(self, request, obj) -> None:
        try:
            vote_delete(actor=request.user, vote=obj)
        except IssueError as error:
            raise PermissionDenied(str(error)) from error


@admin.register(PriorityListEntry)
class PriorityListEntryAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Read-only: the published list is what the coordinator confirmed from the closed vote.
    list_display = ["vote", "rank", "issue", "tied"]
