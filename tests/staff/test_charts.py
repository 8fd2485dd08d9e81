"""The admin page's SVG charts: each is a named image of the size it draws in."""

from __future__ import annotations

import re

from bot.web.staff import charts


def opening(svg: str) -> tuple[str, str, str, str]:
    found = re.match(
        r'<svg class="chart" role="img" aria-label="([^"]*)" width="(\d+)" height="(\d+)"'
        r' viewBox="0 0 (\d+ \d+)" xmlns="http://www.w3.org/2000/svg"><title>([^<]*)</title>',
        svg,
    )
    assert found is not None, svg[:200]
    label, width, height, box, title = found.groups()
    assert box == f"{width} {height}" and title == label  # the view box is the whole image
    return label, width, height, title


def test_bars_grow_a_row_per_item_and_escape_their_label() -> None:
    svg = str(charts.bars([("answer", 3), ("fallback", 1)], 'Q&A "by outcome"'))
    assert opening(svg) == (
        "Q&amp;A &#34;by outcome&#34;",
        "490",
        "60",
        "Q&amp;A &#34;by outcome&#34;",
    )
    assert opening(str(charts.bars([], "none")))[2] == "34"  # one empty row
    assert svg.endswith("</svg>")


def test_columns_keep_their_size_whatever_the_days() -> None:
    for series in ([], [("2026-03-01", 4)], [(f"2026-03-{d:02}", d) for d in range(1, 31)]):
        svg = str(charts.columns(series, "Questions per day"))
        assert opening(svg) == ("Questions per day", "610", "162", "Questions per day")
        assert svg.endswith("</svg>")
