"""Charts drawn on the server as SVG (no JavaScript), each shown beside a table with the same
numbers: the table is the accessible form, the chart a picture of it (``aria-hidden``)."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480          # the picture's own width; it shrinks with the page (report.css)
FONT_SIZE = 13
LABEL_HEIGHT = 17    # a label's line, above its bar
BAR_HEIGHT = 18
GAP = 12             # between one bar and the next label
VALUE_ROOM = 90      # right of the longest bar, for its number
# About as many characters as a label's line holds at FONT_SIZE; a longer label (a meeting's
# full title) is shortened with an ellipsis – the table beside the chart has it whole.
LABEL_CHARS = 64
INSET = 2            # a glyph may reach a pixel left of where its text starts


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(rows: Sequence[tuple[str, int | Decimal | None]], *, unit: str = "") -> SafeString:
    """Horizontal bars, one per ``(label, value)``, each with its label on the line above it,
    so a label has the picture's whole width and is never cut at its edge; a None value
    (suppressed) draws no bar and says "–". No rows, no picture (the table says there is
    nothing). Colours with at least 3:1 contrast against white; text at 4.5:1."""
    if not rows:
        return mark_safe("")
    values = [float(v) for _label_text, v in rows if v is not None]
    top = max(values, default=0) or 1
    row_height = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = len(rows) * row_height
    bar_room = WIDTH - VALUE_ROOM - INSET
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" aria-hidden="true" focusable="false" '
             f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">']
    for i, (label, value) in enumerate(rows):
        top_y = i * row_height
        bar_y = top_y + LABEL_HEIGHT
        value_y = bar_y + BAR_HEIGHT * 0.75
        parts.append(f'<text x="{INSET}" y="{top_y + FONT_SIZE}" font-size="{FONT_SIZE}" '
                     f'fill="#1f2328">{escape(_label(str(label)))}</text>')
        if value is None:
            parts.append(f'<text x="{INSET}" y="{value_y:.1f}" font-size="{FONT_SIZE}" fill="#1f2328">–</text>')
            continue
        length = bar_room * float(value) / top
        parts.append(f'<rect x="{INSET}" y="{bar_y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="#0b4a8b"/>')
        shown = f"{value:,.0f}".replace(",", "\u00a0") if isinstance(value, Decimal) else str(value)
        parts.append(f'<text x="{INSET + length + 6:.1f}" y="{value_y:.1f}" font-size="{FONT_SIZE}" '
                     f'fill="#1f2328">{escape(shown)}{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
