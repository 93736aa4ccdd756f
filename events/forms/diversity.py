"""Forms of the diversity targets and the candidate filter."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from forum.fields import BoundedDecimalField

from ..diversity import CATEGORIES, Dimension


class DiversityTargetsForm(forms.Form):
    """A forum's target shares: one optional percentage per dimension and category. Each
    dimension's shares add up to at most 100 %. Empty means no target for that category."""

    def __init__(self, *args, current: dict[tuple[str, str], Decimal], **kwargs) -> None:
        super().__init__(*args, **kwargs)

        # field name -> (dimension, category); names avoid "+" and "-" of the size classes.
        self.field_map: dict[str, tuple[str, str]] = {}
        self.dimensions: list[tuple[str, str, list[str]]] = []
        for dimension, dimension_label in Dimension.choices:
            names = []
            for i, (category, label) in enumerate(CATEGORIES[dimension]):
                name = f"{dimension}_{i}"
                self.fields[name] = BoundedDecimalField(
                    label=label, required=False, bounds=(Decimal(0), Decimal(100)), decimal_places=2,
                    initial=current.get((dimension, category)),
                    widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100", "inputmode": "decimal"}),
                )
                self.field_map[name] = (dimension, category)
                names.append(name)
            self.dimensions.append((dimension, dimension_label, names))

    def clean(self) -> dict:
        cleaned = super().clean()
        for _dimension, label, names in self.dimensions:
            total = sum((cleaned.get(n) or Decimal(0) for n in names), Decimal(0))
            if total > 100:
                self.add_error(
                    None,
                    _("The targets for %(dimension)s add up to %(total)s %%; they may add up to at most 100 %%.")
                    % {"dimension": str(label).lower(), "total": total.normalize()},
                )
        return cleaned

    def targets(self) -> dict[tuple[str, str], Decimal | None]:
        """The cleaned targets keyed by (dimension, category); None clears a target."""
        return {key: self.cleaned_data.get(name) for name, key in self.field_map.items()}

    def grouped(self):
        """(dimension label, bound fields) for rendering one fieldset per dimension."""
        return [(label, [self[n] for n in names]) for _dim, label, names in self.dimensions]


class CandidateFilterForm(forms.Form):
    """Filter the candidate companies by industry and size (GET)."""

    sni_section = forms.ChoiceField(label=_("Industry (SNI section)"), required=False)
    size_class = forms.ChoiceField(label=_("Size"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from forum.models import Organisation
        from forum.sni import SNI_SECTIONS

        self.fields["sni_section"].choices = [("", _("All industries"))] + list(SNI_SECTIONS)
        self.fields["size_class"].choices = [("", _("All sizes"))] + list(Organisation.SizeClass.choices)
