"""The building blocks of every mail, each written once and rendered two ways (forum/mail.py):
as styled HTML when the context's ``mail_format`` is "html", as plain text when it is "text".

A mail's message template uses only these for its content, so what the HTML part says the
text part says too:

- ``{% paragraph %}…{% endparagraph %}`` – a paragraph (in text one line, however the
  template breaks it);
- ``{% button url label %}`` – the one main action: a button with its address shown below it
  (long addresses wrap on a phone); in text the label and the address on the next line;
- ``{% link url label %}`` – a secondary link inside a paragraph; in text "label: address";
- ``{% facts %}{% fact label %}value{% endfact %}…{% endfacts %}`` – labelled facts (a table;
  in text one "label: value" line each);
- ``{% quote %}…{% endquote %}`` – someone's own words (an issue, an answer), line breaks kept;
- ``{% code %}…{% endcode %}`` – a code to type or show (check-in, log-in), large, on its own line.
"""
from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Inline styles: many mail programs ignore <style> elements.
P_STYLE = "margin:0 0 16px 0;"
WRAP = "overflow-wrap:anywhere;word-break:break-word;"
URL_STYLE = "margin:0 0 16px 0;font-size:14px;word-break:break-all;overflow-wrap:anywhere;"


def is_text(context: template.Context) -> bool:
    return context.get("mail_format") == "text"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _block(text: str) -> str:
    """A text block set apart by empty lines (forum.mail.tidy_text removes the extras)."""
    return f"\n\n{text}\n\n"


class _BlockNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist


def _parse_block(parser, name: str) -> template.NodeList:
    nodelist = parser.parse((f"end{name}",))
    parser.delete_first_token()
    return nodelist


class ParagraphNode(_BlockNode):
    def __init__(self, nodelist: template.NodeList, strong: bool = False) -> None:
        super().__init__(nodelist)
        self.strong = strong

    def render(self, context: template.Context) -> str:
        content = self.nodelist.render(context)
        if is_text(context):
            return _block(" ".join(_lines(content)))
        if not content.strip():
            return ""
        if self.strong:
            return format_html('<p style="{}"><strong>{}</strong></p>', P_STYLE, mark_safe(content.strip()))
        return format_html('<p style="{}">{}</p>', P_STYLE, mark_safe(content.strip()))


@register.tag
def paragraph(parser, token):
    """``{% paragraph %}…{% endparagraph %}``, or ``{% paragraph strong %}`` for the one sentence
    that must not be missed (a deadline): one paragraph; nothing when it is empty."""
    bits = token.split_contents()
    if bits[1:] not in ([], ["strong"]):
        raise template.TemplateSyntaxError("{% paragraph %} takes no argument but 'strong'")
    return ParagraphNode(_parse_block(parser, "paragraph"), strong=bits[1:] == ["strong"])


@register.simple_tag(takes_context=True)
def button(context: template.Context, url: str, label: str) -> str:
    """The mail's one main action. In HTML a button, and its address as a link below it (for a
    mail program that shows no buttons, and so the reader sees where it leads)."""
    if is_text(context):
        return _block(f"{label}:\n{url}")
    colour = context.get("mail_dark") or "#07345f"
    link_colour = context.get("mail_colour") or "#0b4a8b"
    return format_html(
        '<p style="margin:24px 0 8px 0;"><a href="{url}" style="display:inline-block;background:{bg};color:#ffffff;'
        'padding:12px 20px;border-radius:4px;text-decoration:none;font-weight:bold;font-size:17px;{wrap}">'
        '{label}</a></p>'
        '<p style="{url_style}"><a href="{url}" style="color:{link};">{url}</a></p>',
        url=url, bg=colour, wrap=WRAP, label=label, url_style=URL_STYLE, link=link_colour,
    )


@register.simple_tag(takes_context=True)
def link(context: template.Context, url: str, label: str) -> str:
    """A secondary link inside a paragraph; in text "label: address"."""
    if is_text(context):
        return f"{label}: {url}"
    return format_html('<a href="{}" style="color:{};{}">{}</a>', url, context.get("mail_colour") or "#0b4a8b",
                       WRAP, label)


class FactsNode(_BlockNode):
    def render(self, context: template.Context) -> str:
        content = self.nodelist.render(context)
        if is_text(context):
            return _block("\n".join(line.rstrip() for line in content.splitlines() if line.strip()))
        return format_html(
            '<table role="presentation" style="border-collapse:collapse;margin:0 0 16px 0;width:100%;">{}</table>',
            mark_safe(content),
        )


@register.tag
def facts(parser, token):
    """``{% facts %}…{% endfacts %}``: a group of ``{% fact %}`` rows."""
    return FactsNode(_parse_block(parser, "facts"))


class FactNode(_BlockNode):
    def __init__(self, nodelist: template.NodeList, label: template.base.FilterExpression) -> None:
        super().__init__(nodelist)
        self.label = label

    def render(self, context: template.Context) -> str:
        label = self.label.resolve(context)
        value = self.nodelist.render(context).strip()
        if not value:
            return ""
        if is_text(context):
            # Continuation lines indented under the label.
            return "\n" + f"{label}: " + "\n  ".join(_lines(value)) + "\n"
        cell = "vertical-align:top;padding:4px 0;"
        return format_html(
            # The label wraps only between words (its longest word sets the column's width).
            '<tr><th scope="row" style="{cell}text-align:left;padding-right:12px;font-weight:bold;'
            'overflow-wrap:normal;word-break:normal;">{label}</th>'
            '<td style="{cell}{wrap}">{value}</td></tr>',
            cell=cell, label=label, wrap=WRAP, value=mark_safe("<br>".join(_lines(value))),
        )


@register.tag
def fact(parser, token):
    """``{% fact label %}value{% endfact %}``: one labelled fact; left out when the value is empty."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% fact %} takes one argument: the label")
    return FactNode(_parse_block(parser, "fact"), parser.compile_filter(bits[1]))


class QuoteNode(_BlockNode):
    def render(self, context: template.Context) -> str:
        content = self.nodelist.render(context).strip()
        if not content:
            return ""
        if is_text(context):
            return _block("\n".join(f"    {line.rstrip()}" for line in content.splitlines()))
        body = "<br>".join(conditional_escape(SafeString(line)) for line in content.splitlines())
        return format_html(
            '<blockquote style="margin:0 0 16px 0;padding:8px 16px;border-left:4px solid {};background:#f8f9fa;{}">'
            "{}</blockquote>",
            context.get("mail_dark") or "#07345f", WRAP, mark_safe(body),
        )


@register.tag
def quote(parser, token):
    """``{% quote %}…{% endquote %}``: someone's own text, its line breaks kept."""
    return QuoteNode(_parse_block(parser, "quote"))


class CodeNode(_BlockNode):
    def render(self, context: template.Context) -> str:
        content = self.nodelist.render(context).strip()
        if is_text(context):
            return _block(content)
        return format_html(
            '<p style="margin:0 0 16px 0;font-family:Consolas,Menlo,monospace;font-size:24px;font-weight:bold;'
            'letter-spacing:2px;">{}</p>',
            mark_safe(content),
        )


@register.tag
def code(parser, token):
    """``{% code %}…{% endcode %}``: a code on its own line (large in HTML)."""
    return CodeNode(_parse_block(parser, "code"))
