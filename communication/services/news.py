"""News posts: write, delete and the mail a post may bring."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import mail
from forum.models import Forum
from forum.notifications import Kind, notify
from forum.services import audit_record

from .. import audiences, markup
from ..models import (
    NewsPost,
)
from .base import CommunicationError

# --- News -----------------------------------------------------------------------------------------
NEWS_FIELDS = ("title", "body", "audience", "publish_at", "send_mail")


def news_save(*, actor: Any, forum: Forum, post: NewsPost | None = None, title: str, body: str, audience: str,
              publish_at: dt.datetime, send_mail: bool) -> NewsPost:
    """Write or change a news post (communicators and coordinators; the caller has checked).
    A post already emailed keeps its audience and publish time: they were told. Side effects:
    the post, an audit row with the changed fields."""
    with transaction.atomic():
        if post is None:
            post = NewsPost(forum=forum, created_by=actor if actor.is_authenticated else None)
            changed = list(NEWS_FIELDS)
        else:
            post = NewsPost.objects.select_for_update().get(pk=post.pk, forum=forum)
            if post.mailed_at and (audience != post.audience or publish_at != post.publish_at):
                raise CommunicationError(_("The post has already been emailed; its audience and time cannot change."))
            new = {"title": title.strip(), "body": body, "audience": audience, "publish_at": publish_at,
                   "send_mail": send_mail}
            changed = [name for name in NEWS_FIELDS if getattr(post, name) != new[name]]
        post.title, post.body, post.audience = title.strip(), body, audience
        post.publish_at, post.send_mail = publish_at, send_mail
        post.body_html = markup.render(body)
        post.save()
        audit_record(actor=actor, action="communication.news_save", target=post, forum=forum,
                     data={"changed": changed})
    return post


def news_delete(*, actor: Any, post: NewsPost) -> None:
    """Remove a news post. Side effects: the deletion and an audit row."""
    with transaction.atomic():
        audit_record(actor=actor, action="communication.news_delete", target=post, forum=post.forum,
                     data={"title": post.title})
        post.delete()


def news_mail_due(*, now: dt.datetime | None = None) -> int:
    """Email each post whose time has come and that asks for mail, once: the post is locked
    and marked in the same transaction as its mail is queued (the periodic task; no actor).
    Returns the number of posts mailed."""
    now = now or timezone.now()
    count = 0
    due = (NewsPost.objects.filter(send_mail=True, mailed_at__isnull=True, publish_at__lte=now)
           .values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            post = (NewsPost.objects.select_for_update(skip_locked=True).select_related("forum")
                    .filter(pk=pk, mailed_at__isnull=True).first())
            if post is None:
                continue
            post.mailed_at = now
            post.save(update_fields=["mailed_at"])
            people = audiences.news_recipients(post.forum, post.audience)
            url = mail.site_url() + post.get_absolute_url()
            notify(kind=Kind.NEWS, recipients=people.items(), template="communication/news",
                   context={"post": post, "url": url, "excerpt": markup.plain(post.body, 600)}, forum=post.forum)
            audit_record(actor=None, action="communication.news_mail", target=post, forum=post.forum,
                         data={"recipients": len(people)})
            count += 1
    return count
