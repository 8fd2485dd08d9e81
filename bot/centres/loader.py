"""Load and validate ``centres.yaml`` into :class:`Centres`, reporting every problem by line."""

from __future__ import annotations

import math
import re
from datetime import date, time
from functools import cache
from itertools import pairwise
from pathlib import Path
from zoneinfo import available_timezones

from bot.centres.model import WEEKDAYS, Centre, Centres, Interval, Weekday
from bot.content.fields import field_problems, ident
from bot.content.langtexts import lang_texts
from bot.content.problems import Problem, errors
from bot.content.yamlnodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    compose_file,
    line_of,
    mapping_items,
    scalar_str,
)

LANG_CODE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
# "09:00-18:00", several ranges separated by commas; 24:00 only as a closing time.
RANGE_RE = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*[-–]\s*([01]\d|2[0-3]|24):([0-5]\d)\s*$")
REQUIRED = ("id", "name", "address", "location", "timezone", "hours", "languages")
OPTIONAL = ("holidays", "team", "phone", "map_url", "email")
EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
STR_TAG = "tag:yaml.org,2002:str"


@cache
def iana_zones() -> frozenset[str]:
    """Every IANA time zone name this system knows."""
    return frozenset(available_timezones())


def load_centres(path: Path) -> tuple[Centres | None, list[Problem]]:
    """Load one centres file; the Centres is None when any error was found."""
    name = str(path)
    if not path.is_file():
        return None, [Problem(name, 0, "centres file not found")]
    root, problems = compose_file(path)
    if problems:
        return None, problems
    if root is None:
        return None, [Problem(name, 1, "file is empty")]
    if not isinstance(root, MappingNode):
        return None, [Problem(name, line_of(root), "expected a mapping with 'centres:'")]
    top, problems = mapping_items(root, name)
    for key in top.keys() - {"centres"}:
        problems.append(Problem(name, line_of(top[key]), f"unknown top-level field '{key}'"))
    seq = top.get("centres")
    if seq is None:
        return None, [*problems, Problem(name, line_of(root), "missing top-level 'centres:' list")]
    if not isinstance(seq, SequenceNode) or not seq.value:
        return None, [*problems, Problem(name, line_of(seq), "'centres' must be a non-empty list")]
    centres: list[Centre] = []
    for item in seq.value:
        centre = _centre(item, name, problems)
        if centre is not None:
            centres.append(centre)
    problems.extend(_duplicates(centres))
    if errors(problems):
        return None, sorted(problems)
    return Centres(tuple(centres)), sorted(problems)


def _centre(node: Node, file: str, problems: list[Problem]) -> Centre | None:
    line = line_of(node)
    if not isinstance(node, MappingNode):
        problems.append(Problem(file, line, "each centre must be a mapping"))
        return None
    found: list[Problem] = []
    fields, dup = mapping_items(node, file)
    found.extend(dup)
    found += field_problems(fields, file, line, REQUIRED, OPTIONAL)
    centre_id = ident(fields.get("id"), file, "id", found)
    name = lang_texts(fields.get("name"), file, "name", found)
    address = lang_texts(fields.get("address"), file, "address", found)
    point = _location(fields.get("location"), file, found)
    timezone = _timezone(fields.get("timezone"), file, found)
    hours = _hours(fields.get("hours"), file, found)
    languages = _languages(fields.get("languages"), file, found)
    holidays = _holidays(fields.get("holidays"), file, found)
    team = ident(fields.get("team"), file, "team", found)
    phone = _optional_text(fields.get("phone"), file, "phone", found, PHONE_RE)
    map_url = _optional_text(fields.get("map_url"), file, "map_url", found, re.compile("^https://"))
    email = _optional_text(fields.get("email"), file, "email", found, EMAIL_RE)
    problems.extend(found)
    if errors(found) or centre_id is None or point is None or timezone is None or hours is None:
        return None
    return Centre(
        id=centre_id,
        name=name,
        address=address,
        lat=point[0],
        lon=point[1],
        timezone=timezone,
        hours=hours,
        languages=languages,
        holidays=holidays,
        team=team or "",
        phone=phone,
        map_url=map_url,
        email=email,
        source=file,
        line=line,
    )


def _number(node: Node) -> float | None:
    if isinstance(node, ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG):
        try:
            value = float(str(node.value).replace("_", ""))
        except ValueError:
            return None
        return value if math.isfinite(value) else None
    return None


def _mapping(
    node: Node | None, file: str, otherwise: str, problems: list[Problem]
) -> dict[str, Node] | None:
    """A field's items when it is a mapping; None when it is absent, or when it is not a
    mapping (the problem ``otherwise``)."""
    if node is None:
        return None
    if not isinstance(node, MappingNode):
        problems.append(Problem(file, line_of(node), otherwise))
        return None
    items, found = mapping_items(node, file)
    problems.extend(found)
    return items


def _location(node: Node | None, file: str, problems: list[Problem]) -> tuple[float, float] | None:
    items = _mapping(node, file, "'location' must be {lat: ..., lon: ...}", problems)
    if node is None or items is None:
        return None
    for key in sorted(items.keys() - {"lat", "lon"}):
        problems.append(Problem(file, line_of(items[key]), f"unknown field '{key}' in 'location'"))
    out: list[float] = []
    for key, low, high in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
        if key not in items:
            problems.append(Problem(file, line_of(node), f"'location' has no '{key}'"))
            continue
        value = _number(items[key])
        if value is None:
            problems.append(
                Problem(file, line_of(items[key]), f"'location.{key}' must be a number")
            )
        elif not low <= value <= high:
            problems.append(
                Problem(
                    file,
                    line_of(items[key]),
                    f"'location.{key}' {value:g} is outside {low:g}..{high:g}",
                )
            )
        else:
            out.append(value)
    return (out[0], out[1]) if len(out) == 2 else None


def _timezone(node: Node | None, file: str, problems: list[Problem]) -> str | None:
    if node is None:
        return None
    value = scalar_str(node)
    if value is None or value not in iana_zones():
        problems.append(
            Problem(file, line_of(node), f"timezone {value or node.value!r} is not an IANA zone "
                    "(such as Asia/Shanghai)")
        )  # fmt: skip
        return None
    return value


def parse_ranges(text: str) -> tuple[tuple[Interval, ...], str | None]:
    """Intervals from "09:00-12:00, 13:00-18:00"; the error message instead when malformed."""
    intervals: list[Interval] = []
    for part in text.split(","):
        m = RANGE_RE.match(part)
        if m is None:
            return (), f"{part.strip()!r} is not HH:MM-HH:MM"
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h2 == 24 and m2 != 0:
            return (), f"{part.strip()!r}: 24:00 is the latest time"
        if (h1, m1) == (h2 % 24, m2) and not (h1 == m1 == 0 and h2 == 24):
            return (), f"{part.strip()!r} opens and closes at the same time (use 00:00-24:00)"
        intervals.append(Interval(time(h1, m1), time(h2 % 24, m2)))
    intervals.sort(key=lambda iv: iv.start_minute)
    for a, b in pairwise(intervals):
        if b.start_minute < a.end_minute:
            return (), f"'{text.strip()}' has overlapping ranges"
    if intervals and intervals[-1].end_minute > intervals[0].start_minute + 24 * 60:
        return (), f"'{text.strip()}' is open for more than a day"
    return tuple(intervals), None


def _hours(
    node: Node | None, file: str, problems: list[Problem]
) -> dict[Weekday, tuple[Interval, ...]] | None:
    items = _mapping(node, file, "'hours' must map weekdays (mon..sun)", problems)
    if node is None or items is None:
        return None
    out: dict[Weekday, tuple[Interval, ...]] = {}
    for key, value in items.items():
        day = next((d for d in WEEKDAYS if d == key), None)
        if day is None:
            problems.append(
                Problem(file, line_of(value), f"unknown day '{key}' in 'hours' (use mon..sun)")
            )
            continue
        text = scalar_str(value)
        if text is None:
            problems.append(Problem(file, line_of(value), f"'hours.{key}' must be text"))
            continue
        intervals, error = parse_ranges(text)
        if error:
            problems.append(Problem(file, line_of(value), f"'hours.{key}': {error}"))
            continue
        out[day] = intervals
    if not items:
        problems.append(
            Problem(file, line_of(node), "'hours' lists no open day", severity="warning")
        )
    return out


def _languages(node: Node | None, file: str, problems: list[Problem]) -> tuple[str, ...]:
    if node is None:
        return ()
    values = [scalar_str(v) for v in node.value] if isinstance(node, SequenceNode) else [None]
    if not values or any(v is None or not LANG_CODE_RE.match(v) for v in values):
        problems.append(
            Problem(file, line_of(node), "'languages' must be a non-empty list of codes (zh, en)")
        )
        return ()
    return tuple(dict.fromkeys(v for v in values if v))


def _holidays(node: Node | None, file: str, problems: list[Problem]) -> frozenset[date]:
    if node is None:
        return frozenset()
    if not isinstance(node, SequenceNode):
        problems.append(Problem(file, line_of(node), "'holidays' must be a list of dates"))
        return frozenset()
    days: set[date] = set()
    for item in node.value:
        scalar = isinstance(item, ScalarNode) and item.tag in (TIMESTAMP_TAG, STR_TAG)
        day = _iso_date(str(item.value)) if scalar else None
        if day is None:
            shown = item.value if isinstance(item, ScalarNode) else "list or mapping"
            problems.append(
                Problem(file, line_of(item), f"holiday {shown!r} is not a date (YYYY-MM-DD)")
            )
        else:
            days.add(day)
    return frozenset(days)


def _iso_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _optional_text(
    node: Node | None, file: str, what: str, problems: list[Problem], pattern: re.Pattern[str]
) -> str | None:
    if node is None:
        return None
    value = scalar_str(node)
    if value is None or not pattern.match(value.strip()):
        problems.append(Problem(file, line_of(node), f"'{what}' is malformed"))
        return None
    return value.strip()


def _duplicates(centres: list[Centre]) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, Centre] = {}
    for centre in centres:
        seen = first.setdefault(centre.id, centre)
        if seen is not centre:
            problems.append(
                Problem(
                    centre.source,
                    centre.line,
                    f"duplicate id '{centre.id}' (first at {seen.source}:{seen.line})",
                )
            )
    return problems
