"""Markdown as communicators write it, rendered by Python-Markdown and sanitised by nh3 (the
Rust ammonia sanitiser): only the tags a news post or newsletter needs, links only to http(s)
and mailto, no scripts, styles or event attributes. Headings move one level down, since the
page's own title is the only h1 (WCAG: a sensible heading order)."""
from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def render(text: str) -> str:
    """The sanitised HTML of the Markdown ``text`` (stored beside the source when saved)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", html)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def plain(text: str, length: int | None = None) -> str:
    """The text without markup (for feeds, previews and digests), cut at ``length`` characters."""
    words = " ".join(nh3.clean(render(text), tags=set()).split())
    if length is not None and len(words) > length:
        words = words[: length - 1].rsplit(" ", 1)[0] + "…"
    return words
