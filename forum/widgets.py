"""Form widgets built in Python where Django's per-option templates cost too much.

Django renders every ``<option>`` of a select through a template include; a filter over a
forum's years of meetings (hundreds of options) spent most of its page's time there.
:class:`LongSelect` writes the same markup (``django/forms/widgets/select.html`` with its
option and attrs templates) directly, so it looks and reads the same to browsers, assistive
technology and the tests.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """As ``django/forms/widgets/attrs.html``: ``False`` leaves the attribute out, ``True``
    writes its name alone, anything else ``name="value"`` (escaped)."""
    return mark_safe("".join(  # noqa: S308 - every piece is format_html
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False
    ))


class LongSelect(forms.Select):
    """A select for long lists of choices (a forum's meetings), rendered in Python."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                # The option template's own line break kept: byte for byte Django's markup.
                parts.append(format_html('\n  <option value="{}"{}>{}</option>\n', option["value"],
                                         _attrs(option["attrs"]), option["label"]))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece is format_html
