"""The portal's form renderer: Django's, with the markup of its simplest widgets written in Python.

Django renders every widget through a template (``input.html`` including ``attrs.html``); on
the registration page those few templates cost about a tenth of the request (issue 14,
bench/README.md). For the templates below this renderer writes the same markup from the same
context (``Widget.get_context`` still decides the value, the attributes and ``checked``), byte
for byte what Django's templates write – ``tests/test_form_renderer.py`` compares both over
thousands of generated values. Every other template (selects, radios, forms, fields, crispy's)
is rendered by Django as before.
"""
from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime

_INPUT = "django/forms/widgets/input.html"
# The templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
_INPUT_TEMPLATES = frozenset({
    _INPUT, *(f"django/forms/widgets/{kind}.html" for kind in (
        "text", "email", "number", "url", "color", "search", "tel", "password", "hidden", "date", "datetime", "time",
        "checkbox",
    )),
})
_TEXTAREA = "django/forms/widgets/textarea.html"


def _string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless it is marked safe
    (``stringformat`` keeps a safe value safe)."""
    text = "%s" % (value,)  # noqa: UP031 - exactly the filter's formatting
    return text if isinstance(value, SafeData) else str(conditional_escape(text))


def _attrs(attrs: dict[str, Any]) -> str:
    """``attrs.html``: ``False`` leaves the attribute out, ``True`` writes its name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        name = conditional_escape(name)
        parts.append(f" {name}" if value is True else f' {name}="{_string(value)}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_string(value)}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{shown}' \
           f'{_attrs(widget["attrs"])}>'


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    # ``{{ widget.value }}``: escaped unless safe; the template's line break after the tag kept
    # (browsers drop a first newline in a textarea).
    content = ""
    if value:
        # As ``render_value_in_context``: local time, localised, then text, then escaped.
        shown = localize(template_localtime(value))
        content = str(conditional_escape(shown if issubclass(type(shown), str) else str(shown)))
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{content}</textarea>'


class PortalFormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: the simplest widgets' templates written in Python, the rest as Django does."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString:
        if template_name in _INPUT_TEMPLATES:
            return mark_safe(_input(context["widget"]))  # noqa: S308 - every piece is escaped above
        if template_name == _TEXTAREA:
            return mark_safe(_textarea(context["widget"]))  # noqa: S308 - every piece is escaped above
        return super().render(template_name, context, request)
