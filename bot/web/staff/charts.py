"""Charts drawn on the server as inline SVG: no script, no network, they print and work offline.

Colours and sizes are SVG presentation attributes (the console's CSP forbids inline styles);
every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#2f6fb3"
GRID = "#d9dee4"
TEXT = "#3b4756"


def _svg(label: str, width: int, height: int) -> list[str]:
    """A chart's opening tag and title: an image named ``label`` for screen readers."""
    return [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]


def bars(items: Sequence[tuple[str, int]], label: str, *, colours: Sequence[str] = ()) -> Markup:
    """Horizontal bars, one row per item, the value at the end of each bar."""
    row, left, width, right = 26, 150, 280, 60
    height = row * max(len(items), 1) + 8
    top = max((v for _k, v in items), default=0) or 1
    parts = _svg(label, left + width + right, height)
    for i, (name, value) in enumerate(items):
        y = 4 + i * row
        size = round(width * value / top)
        colour = colours[i % len(colours)] if colours else BAR
        parts += [
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="12" fill="{TEXT}">'
            f"{escape(name)}</text>",
            f'<rect x="{left}" y="{y + 3}" width="{size}" height="{row - 8}" rx="3"'
            f' fill="{colour}"/>',
            f'<text x="{left + size + 6}" y="{y + 16}" font-size="12" fill="{TEXT}">{value}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(series: Sequence[tuple[str, int]], label: str) -> Markup:
    """Vertical columns over time (one per day), the first and last day written under them."""
    left, width, height, bottom = 40, 560, 140, 22
    n = max(len(series), 1)
    step = width / n
    top = max((v for _k, v in series), default=0) or 1
    parts = [
        *_svg(label, left + width + 10, height + bottom),
        f'<line x1="{left}" y1="{height}" x2="{left + width}" y2="{height}" stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="12" text-anchor="end" font-size="11" fill="{TEXT}">{top}</text>',
        f'<text x="{left - 6}" y="{height}" text-anchor="end" font-size="11" fill="{TEXT}">'
        "0</text>",
    ]
    for i, (day, value) in enumerate(series):
        size = height * value / top
        x = left + i * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - size:.1f}" width="{max(step - 2, 1):.1f}"'
            f' height="{size:.1f}" fill="{BAR}"><title>{escape(day)}: {value}</title></rect>'
        )
    if series:
        y = height + 16
        parts.append(
            f'<text x="{left}" y="{y}" font-size="11" fill="{TEXT}">{escape(series[0][0])}</text>'
        )
        parts.append(
            f'<text x="{left + width}" y="{y}" text-anchor="end" font-size="11" fill="{TEXT}">'
            f"{escape(series[-1][0])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
