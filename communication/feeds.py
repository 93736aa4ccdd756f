"""The Atom feed of a forum's public news (Django syndication)."""
from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum.models import Forum

from . import markup, selectors
from .models import Audience, NewsPost

FEED_ITEMS = 30


class NewsFeed(Feed):
    """Public posts only, and only once their time has come."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Forum:
        forum = Forum.objects.filter(slug=slug).first()
        if forum is None:
            raise Http404
        return forum

    def title(self, forum: Forum) -> str:
        return _("News from %(forum)s") % {"forum": forum.name}

    def link(self, forum: Forum) -> str:
        return reverse("communication:news_list", args=[forum.slug])

    def subtitle(self, forum: Forum) -> str:
        return forum.municipality

    def items(self, forum: Forum):
        return selectors.published_news(forum, {Audience.PUBLIC}).select_related("forum")[:FEED_ITEMS]

    def item_title(self, item: NewsPost) -> str:
        return item.title

    def item_description(self, item: NewsPost) -> str:
        return item.body_html  # sanitised when saved (communication.markup)

    def item_pubdate(self, item: NewsPost):
        return item.publish_at

    def item_updateddate(self, item: NewsPost):
        return max(item.updated_at, item.publish_at)

    def item_link(self, item: NewsPost) -> str:
        return reverse("communication:news_detail", args=[item.forum.slug, item.pk])

    def item_summary(self, item: NewsPost) -> str:
        return markup.plain(item.body, 300)


@require_safe
def news_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The feed as a plain view (Feed instances are callables, not functions); read-only."""
    return NewsFeed()(request, slug=slug)
