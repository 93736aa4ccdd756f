"""News pages: the list, a post, the communicators' list and editing."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum import permissions as forum_permissions
from forum.pagecache import public_page

from .. import markup, permissions, selectors, services
from ..forms import (
    NewsPostForm,
)
from .common import PER_PAGE


# --- News -----------------------------------------------------------------------------------------
@public_page
def news_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The forum's news that the visitor may read, newest first (scheduled ones appear at their time)."""
    forum = forum_permissions.forum_for(request.user, slug, forum_permissions.can_view_forum)
    readable = permissions.readable_audiences(request.user, forum)
    page = Paginator(selectors.published_news(forum, readable), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "communication/news_list.html", {
        "forum": forum, "page": page, "can_communicate": permissions.can_communicate(request.user, forum)})


@public_page
def news_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    post = permissions.news_post_for(request.user, slug, pk)
    return render(request, "communication/news_detail.html", {
        "forum": post.forum, "post": post, "can_communicate": permissions.can_communicate(request.user, post.forum)})


@require_safe
@login_required
def news_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Every post, scheduled ones too, for communicators."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    page = Paginator(selectors.all_news(forum), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "communication/news_manage.html", {"forum": forum, "page": page, "now": timezone.now()})


@login_required
def news_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Write a post (``pk`` None) or change one; a preview of the Markdown when asked."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    post = get_object_or_404(forum.news_posts, pk=pk) if pk else None
    form = NewsPostForm(request.POST or None, instance=post)
    preview = None
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            preview = markup.render(data["body"])
        else:
            try:
                post = services.news_save(actor=request.user, forum=forum, post=post, title=data["title"],
                                          body=data["body"], audience=data["audience"],
                                          publish_at=data["publish_at"], send_mail=data["send_mail"])
            except services.CommunicationError as exc:
                error = str(exc)
            else:
                if post.is_published:
                    messages.success(request, _("The post has been published."))
                else:
                    messages.success(request, _("The post will be published %(when)s.") % {
                        "when": timezone.localtime(post.publish_at).strftime("%Y-%m-%d %H:%M")})
                return redirect("communication:news_manage", forum.slug)
    return render(request, "communication/news_edit.html", {
        "forum": forum, "form": form, "post": post, "preview": preview, "error": error,
    }, status=400 if form.errors or error else 200)


@login_required
@require_POST
def news_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Delete a post; the button sends ``confirm`` (a bare POST to the address deletes nothing)."""
    forum = forum_permissions.forum_for(request.user, slug, permissions.can_communicate)
    post = get_object_or_404(forum.news_posts, pk=pk)
    if request.POST.get("confirm") != "1":
        return redirect("communication:news_edit", forum.slug, post.pk)
    services.news_delete(actor=request.user, post=post)
    messages.success(request, _("The post has been deleted."))
    return redirect("communication:news_manage", forum.slug)
