"""Every permission decision of communication."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from forum import permissions as forum_permissions
from forum.models import Forum, Role

from . import audiences
from .models import Audience, Newsletter, NewsPost


def can_communicate(user: Any, forum: Forum) -> bool:
    """Write news and newsletters: communicators and coordinators (forum.permissions)."""
    return forum_permissions.can_communicate(user, forum)


def can_follow_up(user: Any, forum: Forum) -> bool:
    """Publish a meeting's documentation and survey, and read the survey results: coordinators."""
    return forum_permissions.can_manage_forum(user, forum)


def can_view_survey_results(user: Any, forum: Forum) -> bool:
    """Aggregates only (groups under 5 suppressed): coordinators and researchers."""
    return forum_permissions.can_manage_forum(user, forum) or forum_permissions.can_view_research_data(user, forum)


def readable_audiences(user: Any, forum: Forum) -> set[str]:
    """The news audiences ``user`` may read in ``forum``: everyone the public posts; people
    confirmed at one of its meetings the participants' posts; city staff (role holders other
    than partner nominators, representatives of the municipality's departments) all three.
    At most two queries."""
    readable = {Audience.PUBLIC}
    if not getattr(user, "is_authenticated", False):
        return readable
    roles = forum_permissions.roles_for(user, forum) - {Role.PARTNER_NOMINATOR}
    if forum_permissions.is_portal_admin(user) or roles or audiences.is_staff_member(user, forum):
        return {Audience.PUBLIC, Audience.PARTICIPANTS, Audience.STAFF}
    from events.models import Registration

    if Registration.objects.filter(meeting__forum=forum, attendee=user,
                                   status=Registration.Status.CONFIRMED).exists():
        readable.add(Audience.PARTICIPANTS)
    return readable


def news_post_for(user: Any, slug: str, pk: int) -> NewsPost:
    """A post the user may read now: published and for an audience they belong to; a
    communicator also sees it before its time. Else 404 (a hidden post does not exist)."""
    post = NewsPost.objects.select_related("forum").filter(pk=pk, forum__slug=slug).first()
    if post is None:
        raise Http404
    if can_communicate(user, post.forum):
        return post
    if not post.is_published or post.audience not in readable_audiences(user, post.forum):
        raise Http404
    return post


def newsletter_for(user: Any, pk: int) -> Newsletter:
    """A newsletter of a forum the user communicates in; 404 / 403 otherwise."""
    newsletter = Newsletter.objects.select_related("forum").filter(pk=pk).first()
    if newsletter is None:
        raise Http404
    if not can_communicate(user, newsletter.forum):
        raise PermissionDenied
    return newsletter


def meeting_for(user: Any, pk: int, check=can_follow_up) -> Any:
    """A meeting (not a draft) whose follow-up ``check`` lets ``user`` handle."""
    from events.models import Meeting

    meeting = Meeting.objects.select_related("forum").filter(pk=pk).exclude(status=Meeting.Status.DRAFT).first()
    if meeting is None:
        raise Http404
    if not check(user, meeting.forum):
        raise PermissionDenied
    return meeting
