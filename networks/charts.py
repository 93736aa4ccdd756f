"""Charts drawn on the server as SVG (no JavaScript), each shown beside a table with the same
numbers: the table is the accessible form, the chart a picture of it (``aria-hidden``)."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_WIDTH = 320


def bar_chart(rows: Sequence[tuple[str, int | Decimal | None]], *, unit: str = "") -> SafeString:
    """Horizontal bars, one per ``(label, value)``; a None value (suppressed) draws no bar and
    says "–". Colours with at least 3:1 contrast against white; text at 4.5:1."""
    values = [float(v) for _label, v in rows if v is not None]
    top = max(values, default=0) or 1
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 110
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" aria-hidden="true" focusable="false" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{text_y:.1f}" text-anchor="end" font-size="13" '
                     f'fill="#1f2328">{escape(str(label)[:34])}</text>')
        if value is None:
            parts.append(f'<text x="{LABEL_WIDTH + 4}" y="{text_y:.1f}" font-size="13" fill="#1f2328">–</text>')
            continue
        length = BAR_WIDTH * float(value) / top
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="#0b4a8b"/>')
        shown = f"{value:,.0f}".replace(",", "\u00a0") if isinstance(value, Decimal) else str(value)
        parts.append(f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{text_y:.1f}" font-size="13" '
                     f'fill="#1f2328">{escape(shown)}{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
