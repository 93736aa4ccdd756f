"""Admin for networks: for looking things up. Networks, memberships, meetings, money and
receipts change through the portal's pages (the services), which keep the history, tell the
people concerned and guard the budget under a row lock; so everything is read-only here.
Receipts are not in the admin at all: they are served only by the portal's checked view.
Everything is scoped to the forums the user coordinates (see forum/admin_scope.py)."""
from django.contrib import admin

from forum.admin_scope import ForumScopedAdminMixin, ReadOnlyAdminMixin

from .models import Allocation, BudgetPot, Expense, Membership, Network, NetworkIssue


class NetworkIssueInline(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = NetworkIssue
    extra = 0
    fields = readonly_fields = ["issue", "added_at", "outcome", "resolved_at"]


class MembershipInline(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = readonly_fields = ["name", "organisation_name", "role", "status", "started_on", "ended_on"]


@admin.register(Network)
class NetworkAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "forum", "status", "visibility", "created_at"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "status", "visibility"]
    search_fields = ["title"]
    raw_id_fields = ["forum", "focus_area", "created_by"]
    inlines = [NetworkIssueInline, MembershipInline]


class AllocationInline(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = Allocation
    extra = 0
    fields = readonly_fields = ["network", "amount", "note", "created_by", "created_at"]


@admin.register(BudgetPot)
class BudgetPotAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "year", "amount"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "year"]
    inlines = [AllocationInline]


@admin.register(Expense)
class ExpenseAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["network", "date", "category", "amount", "note"]
    list_filter = ["category"]
    list_select_related = ["network"]
    raw_id_fields = ["network", "pot", "recorded_by"]
