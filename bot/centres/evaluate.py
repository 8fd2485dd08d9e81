"""Batch testing of centre questions, like ``faq test``: does the message get the right centre?

A case names the point its question is about (``at``), never a centre: the right centre is
the nearest one to that point in whichever centres file is tested.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.centres.finder import AskForPlace, CentreFinder, Found, Nearest, UnknownPlace
from bot.centres.geo import nearest

Expect = Literal["centre", "ask_city", "centre_or_ask", "not_centre"]
EXPECTS: tuple[Expect, ...] = ("centre", "ask_city", "centre_or_ask", "not_centre")
TARGETS = {"centre_right": ("min", 0.97), "hijacked": ("max", 0.01)}


@dataclass(frozen=True)
class CentreCase:
    """One message and what should happen to it."""

    text: str
    lang: str
    expect: Expect
    at: tuple[float, float] | None = None
    kind: str = ""


@dataclass(frozen=True)
class CentreResult:
    """A case with what the bot did: the centre it named, asked for a city, or neither."""

    case: CentreCase
    got: str  # a centre id, "ask" or "none"
    want: str  # the centre nearest to ``at`` (or "" when no point)
    ok: bool


def load_centre_cases(path: Path) -> list[CentreCase]:
    """Read a centre cases file (ValueError naming the case for a malformed one)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: list[CentreCase] = []
    for n, raw in enumerate(data.get("cases") or [], start=1):
        expect = raw.get("expect")
        at = raw.get("at")
        if expect not in EXPECTS or not isinstance(raw.get("text"), str):
            raise ValueError(f"{path}: case {n}: needs text and expect ({', '.join(EXPECTS)})")
        if expect in ("centre", "centre_or_ask") and not (isinstance(at, list) and len(at) == 2):
            raise ValueError(f"{path}: case {n}: expect {expect} needs at: [lat, lon]")
        point = (float(at[0]), float(at[1])) if at else None
        cases.append(CentreCase(raw["text"], str(raw.get("lang", "")), expect, point,
                                str(raw.get("kind", ""))))
    if not cases:
        raise ValueError(f"{path}: no cases")
    return cases


def outcome(found: Found | None) -> str:
    """What the merchant was told: a centre id, "ask" (which city?) or "none"."""
    if isinstance(found, Nearest):
        return found.centre.id
    if isinstance(found, AskForPlace | UnknownPlace):
        return "ask"
    return "none"


def run_centre_case(finder: CentreFinder, case: CentreCase) -> CentreResult:
    """Ask one case and judge it."""
    got = outcome(finder.from_message(case.text))
    want = ""
    if case.at is not None:
        best = nearest(case.at[0], case.at[1], finder.centres, lambda c: (c.lat, c.lon))
        want = best[0].id if best else ""
    if case.expect == "centre":
        ok = got == want
    elif case.expect == "ask_city":
        ok = got == "ask"
    elif case.expect == "centre_or_ask":
        ok = got in (want, "ask")
    else:
        ok = got == "none"
    return CentreResult(case, got, want, ok)


def summarise_centres(results: list[CentreResult]) -> dict[str, dict[str, Any]]:
    """Per language: centre questions answered right, and look-alikes hijacked."""
    by_lang: dict[str, list[CentreResult]] = defaultdict(list)
    for r in results:
        by_lang[r.case.lang].append(r)
    by_lang["all"] = list(results)
    out: dict[str, dict[str, Any]] = {}
    for lang, rs in by_lang.items():
        asked = [r for r in rs if r.case.expect != "not_centre"]
        other = [r for r in rs if r.case.expect == "not_centre"]
        out[lang] = {
            "cases": len(rs),
            "centre_questions": len(asked),
            "centre_right": round(sum(r.ok for r in asked) / len(asked), 4) if asked else None,
            "lookalikes": len(other),
            "hijacked": round(sum(not r.ok for r in other) / len(other), 4) if other else None,
        }
    return out
