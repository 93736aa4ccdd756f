"""The portal's form renderer writes, for the widgets it writes in Python, exactly what
Django's widget templates write (forum/form_renderer.py): compared over generated names,
values and attributes, hostile text and values marked safe included, in Swedish and English."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from forum.form_renderer import PortalFormRenderer

pytestmark = pytest.mark.pure

WIDGETS = [
    forms.TextInput, forms.EmailInput, forms.NumberInput, forms.URLInput, forms.ColorInput, forms.SearchInput,
    forms.TelInput, forms.HiddenInput, lambda **kw: forms.PasswordInput(render_value=True, **kw),
    forms.DateInput, forms.DateTimeInput, forms.TimeInput, forms.CheckboxInput, forms.Textarea,
]
HOSTILE = st.sampled_from(['"', "'", "<", ">", "&", "&amp;", "<script>", '" onfocus="x', "\n", "å", "=SUM(A1)", ""])
TEXT = st.one_of(st.text(max_size=30), HOSTILE, st.lists(HOSTILE, max_size=4).map("".join))
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-10**9, 10**9), TEXT, TEXT.map(mark_safe),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)),
    st.times(),
)
# Django's attrs.html loops over `widget.attrs.items`, and its template language tries a key
# before a method, so an attribute named "items" breaks Django's own template (it then loops
# over that attribute's value, or raises). The portal's renderer writes such an attribute like
# any other; no form of the portal has one, so the comparison leaves that one name out.
ATTR_NAMES = st.one_of(st.sampled_from(["id", "class", "required", "disabled", "aria-describedby", "maxlength",
                                        "placeholder", "autocomplete", "data-x"]),
                       TEXT.filter(lambda name: name and name != "items"))
ATTRS = st.dictionaries(ATTR_NAMES, st.one_of(st.booleans(), st.integers(0, 500), TEXT, TEXT.map(mark_safe)),
                        max_size=5)


def _both(widget: forms.Widget, name: str, value, attrs: dict) -> tuple[str, str]:
    return (widget.render(name, value, attrs=attrs, renderer=PortalFormRenderer()),
            widget.render(name, value, attrs=attrs, renderer=DjangoTemplates()))


@given(index=st.integers(0, len(WIDGETS) - 1), name=TEXT, value=SCALAR, attrs=ATTRS, own=ATTRS,
       language=st.sampled_from(["sv", "en"]))
@hypothesis_settings(max_examples=3000, deadline=None)
def test_every_simple_widget_is_written_as_djangos_template_writes_it(index, name, value, attrs, own, language):
    widget = WIDGETS[index](attrs=own)
    with translation.override(language):
        ours, djangos = _both(widget, name, value, attrs)
    assert ours == djangos


@pytest.mark.parametrize("widget,value", [
    (forms.Textarea(), "rad ett\nrad två & <tre>"),
    (forms.Textarea(), Decimal("1234.5")),
    (forms.NumberInput(), Decimal("1234.5")),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.DateInput(), dt.date(2026, 11, 29)),
])
def test_examples_in_both_languages(widget, value):
    for language in ("sv", "en"):
        with translation.override(language):
            ours, djangos = _both(widget, "falt", value, {"id": "id_falt", "required": True})
        assert ours == djangos


def test_it_is_the_portals_renderer_and_other_widgets_go_to_djangos_templates():
    assert settings.FORM_RENDERER == "forum.form_renderer.PortalFormRenderer"
    assert isinstance(get_default_renderer(), PortalFormRenderer)
    select = forms.Select(choices=[("1", "Ett"), ("2", "<Två>")])
    ours, djangos = _both(select, "val", "2", {"id": "id_val"})
    assert ours == djangos and "&lt;Två&gt;" in ours


def test_an_attribute_named_items_is_written_like_any_other():
    # Django's own template reads `attrs.items` as that attribute's value (see ATTR_NAMES).
    widget = forms.TextInput(attrs={"items": "3", "class": "x"})
    written = widget.render("falt", "a", renderer=PortalFormRenderer())
    assert written == '<input type="text" name="falt" value="a" items="3" class="x">'
