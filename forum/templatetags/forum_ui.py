"""The portal's accessible page patterns, used by every template (README "Accessibility"):

- ``{% error_summary form [other_form …] message=… heading=… %}`` – the summary at the top of a
  refused form (WCAG 3.3.1): what went wrong, each field's message as a link to the field.
  ``static/js/forms.js`` moves focus to it when the page loads and, from a link, to the field.
  Fields themselves carry ``aria-invalid`` and ``aria-describedby`` naming their message
  (Django's BoundField does it for crispy-rendered fields; ``{% field_widget %}`` for fields a
  template renders by hand, keeping what the widget already described).
- ``{% scroll_region "caption-id" %}<table>…</table>{% endscroll_region %}`` – the box a wide
  table scrolls in on a phone (WCAG 1.4.10, 2.1.1): reachable by keyboard (``tabindex="0"``) and
  named by the table's caption (``role="region"``, ``aria-labelledby``), so that axe's
  ``scrollable-region-focusable`` holds and keyboard users can scroll it.
- ``{% sv_lang %}`` and ``|sv`` – content people wrote in Swedish (meeting titles, issues, pool,
  focus area, forum and organisation names) marked ``lang="sv"`` when the interface is in
  another language (WCAG 3.1.2), so a screen reader reads it with Swedish pronunciation. On a
  Swedish page they add nothing: the page's own ``lang`` already says it.

Nothing here touches the database.
"""
from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# The language the forum's own content is written in: a Swedish city's forum (DESIGN.md).
CONTENT_LANGUAGE = "sv"


def _content_is_foreign() -> bool:
    return (get_language() or CONTENT_LANGUAGE).split("-")[0] != CONTENT_LANGUAGE


# --- lang="sv" ------------------------------------------------------------------------------
@register.simple_tag
def sv_lang() -> SafeString:
    """`` lang="sv"`` inside an element's start tag when the page is not Swedish, else nothing:
    ``<h1{% sv_lang %}>{{ meeting.title }}</h1>``."""
    return mark_safe(f' lang="{CONTENT_LANGUAGE}"') if _content_is_foreign() else mark_safe("")


@register.filter
def sv(value: Any) -> str:
    """``value`` (escaped) in a ``<span lang="sv">`` when the page is not Swedish, for Swedish
    content inside a sentence of the interface: ``{{ pool.name|sv }}``. Empty stays empty."""
    if value in (None, ""):
        return value
    if not _content_is_foreign():
        return value
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, value)


# --- scroll regions for wide tables ---------------------------------------------------------
class ScrollRegionNode(template.Node):
    def __init__(self, label_id: list[template.base.FilterExpression], nodelist: template.NodeList) -> None:
        self.label_id = label_id
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        label_id = "".join(str(part.resolve(context)) for part in self.label_id)
        return format_html(
            '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="{}">{}</div>',
            label_id, mark_safe(self.nodelist.render(context)),
        )


@register.tag
def scroll_region(parser: template.base.Parser, token: template.base.Token) -> ScrollRegionNode:
    """``{% scroll_region "id-of-the-caption" %}…{% endscroll_region %}``: see the module doc.
    Several arguments are joined into the id: ``{% scroll_region "plan-" year %}`` in a loop."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("scroll_region takes the id of the table's caption.")
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode([parser.compile_filter(bit) for bit in bits[1:]], nodelist)


# --- the error summary and fields rendered by hand ------------------------------------------
def _field_href(field: BoundField) -> str:
    """The link to a field: its input, or the first of its radio buttons or checkboxes (whose
    label Django leaves without a target, but whose boxes are numbered ``<id>_0``, ``_1`` …)."""
    if field.id_for_label:
        return f"#{field.id_for_label}"
    if field.auto_id and getattr(field.field.widget, "input_type", "") in ("radio", "checkbox"):
        return f"#{field.auto_id}_0"
    return ""


def summary_items(forms: list[Any], messages: list[str]) -> list[dict[str, str]]:
    """What the summary lists: each message given, each form's errors that belong to no field
    (and those of hidden fields), then each visible field's errors linked to the field, in
    the order the fields are shown."""
    items = [{"text": str(message), "href": ""} for message in messages if message]
    for form in forms:
        if not form.is_bound or not form.errors:
            continue
        items += [{"text": str(error), "href": ""} for error in form.non_field_errors()]
        for field in form:
            if not field.errors:
                continue
            if field.is_hidden:
                items += [{"text": str(error), "href": ""} for error in field.errors]
                continue
            label = str(field.label or "").rstrip(":")
            for error in field.errors:
                items.append({"text": f"{label}: {error}" if label else str(error), "href": _field_href(field)})
    return items


def _forms(values: Any) -> list[BaseForm]:
    """The forms among ``values``, looking into lists and tuples (a page's ``(pool, form)`` rows)."""
    if isinstance(values, BaseForm):
        return [values]
    if isinstance(values, (list, tuple)):
        return [form for value in values for form in _forms(value)]
    return []


@register.inclusion_tag("forum/_error_summary.html")
def error_summary(*forms: Any, message: str = "", heading: str = "") -> dict[str, Any]:
    """The summary of a page's refused form(s): nothing when there is nothing wrong. Takes
    forms, or lists of them; ``message`` is an error that came from outside any form (a
    booking the services refused)."""
    return {"items": summary_items(_forms(list(forms)), [message]), "heading": heading}


@register.simple_tag
def field_widget(field: BoundField, **attrs: Any) -> SafeString:
    """A field's widget as Django renders it, marked invalid and described by its message
    (``<id>_error``, see ``forum/_field_errors.html``) besides whatever the widget already
    described (the ballot describes each place by its issue)."""
    widget_attrs = dict(attrs)
    if field.errors:
        described = field.field.widget.attrs.get("aria-describedby", "")
        widget_attrs["aria-describedby"] = " ".join(filter(None, [described, f"{field.auto_id}_error"]))
        widget_attrs["aria-invalid"] = "true"
        css = field.field.widget.attrs.get("class", "")
        widget_attrs["class"] = f"{css} is-invalid".strip()
    return field.as_widget(attrs=widget_attrs)


# Crispy's Bootstrap 5 class for each simple widget (the markup below is crispy's, so pages look
# and read the same whichever renders them).
_WIDGET_CLASSES = {
    "TextInput": "textinput form-control",
    "EmailInput": "emailinput form-control",
    "NumberInput": "numberinput form-control",
    "URLInput": "urlinput form-control",
    "DateInput": "dateinput form-control",
    "DateTimeInput": "datetimeinput form-control",
    "Textarea": "textarea form-control",
    "Select": "select form-select",
    "CheckboxInput": "checkboxinput form-check-input",
}


def _field_html(field: BoundField) -> SafeString:
    """One visible field in crispy's Bootstrap 5 markup: label (with the required mark), the
    widget described by its message and help text, the message, the help text."""
    widget = type(field.field.widget).__name__
    if widget not in _WIDGET_CLASSES:
        raise template.TemplateSyntaxError(f"form_fields cannot render a {widget}; use crispy for this form")
    auto_id = field.auto_id
    css = " ".join(filter(None, [_WIDGET_CLASSES[widget], field.field.widget.attrs.get("class", "")]))
    described = [f"{auto_id}_helptext"] if field.help_text else []
    attrs: dict[str, Any] = {"class": css}
    errors = SafeString("")
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{auto_id}_error")
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>', auto_id,
            mark_safe("".join(format_html('<p id="error_{}_{}"><strong>{}</strong></p>', n, auto_id, error)
                              for n, error in enumerate(field.errors, start=1))),
        )
    if described:
        attrs["aria-describedby"] = " ".join(described)
    help_html = format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, field.help_text) \
        if field.help_text else SafeString("")
    required = field.field.required
    label = format_html('<label for="{}" class="{}{}">{}{}</label>', field.id_for_label,
                        "form-check-label" if widget == "CheckboxInput" else "form-label",
                        " requiredField" if required else "", field.label,
                        mark_safe('<span class="asteriskField">*</span>') if required else "")
    if widget == "CheckboxInput":
        return format_html('<div class="mb-3"><div id="div_{}" class="form-check">{} {} {} {}</div></div>',
                           auto_id, field.as_widget(attrs=attrs), label, errors, help_html)
    return format_html('<div id="div_{}" class="mb-3">{} {} {} {}</div>',
                       auto_id, label, field.as_widget(attrs=attrs), errors, help_html)


@register.simple_tag
def form_fields(form: BaseForm) -> SafeString:
    """``{% form_fields form %}``: the form's fields as ``{{ form|crispy }}`` renders them, for
    forms of simple widgets (text, email, number, date, textarea, select, checkbox) on pages
    that must be cheap to render: crispy's template pack costs about half of the registration
    page's rendering (bench/README.md, issue 14). Hidden fields first, unchanged."""
    parts = [field.as_widget() for field in form.hidden_fields()]
    parts += [_field_html(field) for field in form.visible_fields()]
    return mark_safe(" ".join(parts))
