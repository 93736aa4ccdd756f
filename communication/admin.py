"""Admin for communication: for looking things up. News, newsletters, followers and meeting
follow-ups are written in the portal's pages (the services audit them, freeze a sent
newsletter and mail people), so they are read-only here, scoped to the forums the user
coordinates (forum/admin_scope.py). Preferences, digests and survey answers are not in the
admin: they are people's own choices and anonymous answers."""
from django.contrib import admin

from forum.admin_scope import ForumScopedAdminMixin, ReadOnlyAdminMixin

from .models import Follower, FollowUp, Newsletter, NewsPost


@admin.register(NewsPost)
class NewsPostAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "forum", "audience", "publish_at", "mailed_at"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "audience"]
    list_select_related = ["forum"]
    search_fields = ["title"]
    readonly_fields = ["forum", "title", "body", "audience", "publish_at", "send_mail", "mailed_at", "created_by",
                       "created_at", "updated_at"]
    exclude = ["body_html"]


@admin.register(Newsletter)
class NewsletterAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject_sv", "forum", "status", "send_at", "recipient_count"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["forum"]
    search_fields = ["subject_sv"]
    readonly_fields = ["forum", "subject_sv", "body_sv", "subject_en", "body_en", "audiences", "status", "send_at",
                       "started_at", "finished_at", "recipient_count", "created_by", "sent_by", "created_at"]


@admin.register(Follower)
class FollowerAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "forum", "network_id", "confirmed_at", "created_at"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["forum"]
    search_fields = ["email"]
    readonly_fields = ["forum", "network_id", "email", "language", "created_at", "confirmed_at"]
    exclude = ["token"]


@admin.register(FollowUp)
class FollowUpAdmin(ForumScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["meeting", "published_at", "reminder_sent_at", "survey_closes_at"]
    list_select_related = ["meeting__forum"]
    readonly_fields = ["meeting", "summary", "links", "published_at", "published_by", "reminder_sent_at",
                       "survey_closes_at", "created_at"]
    exclude = ["summary_html"]
