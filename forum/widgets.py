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
    """A select for long lists of choices (a forum's meetings), rendered in Python: straight
    from the choices, without the per-option dicts of ``ChoiceWidget.optgroups`` (a single
    choice; option groups as Django writes them)."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        if self.allow_multiple_selected:
            raise ValueError("LongSelect takes a single choice")
        final_attrs = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, _attrs(final_attrs))]
        chosen = False

        def option(option_value: Any, label: Any) -> SafeString:
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            # As ChoiceWidget.optgroups: only the first matching option is selected.
            is_selected = not chosen and text in selected
            chosen = chosen or is_selected
            # The option template's own line break kept: byte for byte Django's markup.
            return format_html('\n  <option value="{}"{}>{}</option>\n', text,
                               mark_safe(" selected") if is_selected else "", label)  # noqa: S308 - a constant

        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
                parts.extend(option(sub_value, sub_label) for sub_value, sub_label in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece is format_html
