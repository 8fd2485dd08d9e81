"""``merchant-bot centre QUERY``: the nearest business-expansion centre to a place or a point."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.centres.describe import describe, unknown
from bot.centres.evaluate import TARGETS, load_centre_cases, run_centre_case, summarise_centres
from bot.centres.finder import CentreFinder, Nearest, UnknownPlace, parse_point
from bot.centres.loader import load_centres
from bot.core.language import locale_for_message, parse_locale
from bot.i18n import UiLocale

DEFAULT_CENTRES_FILE = Path("faq/centres.yaml")
LANGS = {"en": "en", "ko": "ko", "zh": "zh_Hans", "zh_Hans": "zh_Hans", "zh_Hant": "zh_Hant"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``centre`` command."""
    p = sub.add_parser(
        "centre", help="the nearest business-expansion centre to a place name or lat,lon"
    )
    p.add_argument(
        "query",
        help='a place in any language ("Ningbo", "东莞", "부산", "我在义乌") or "lat,lon"; '
        "`centre test CASES.yaml` runs a file of centre questions",
    )
    p.add_argument("cases", nargs="?", type=Path, help=argparse.SUPPRESS)
    p.add_argument(
        "--require-targets", action="store_true", help="with test: exit 1 when a target is missed"
    )
    p.add_argument("--lang", choices=sorted(LANGS), help="reply language (default: the query's)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    centres_file_option(p)
    p.add_argument(
        "--at", type=moment, default=None, help="the time to check opening hours at (ISO 8601)"
    )
    p.set_defaults(run=run)


def centres_file_option(p: argparse.ArgumentParser) -> None:
    """Add ``--centres-file`` (default: $CENTRES_FILE, else faq/centres.yaml)."""
    p.add_argument(
        "--centres-file", type=Path, default=None, help="default: $CENTRES_FILE or faq/centres.yaml"
    )


def centres_path(args: argparse.Namespace) -> Path:
    """``--centres-file``, else ``CENTRES_FILE``, else centres.yaml in the FAQ folder."""
    given = getattr(args, "centres_file", None)
    if given is not None:
        return Path(given)
    if os.environ.get("CENTRES_FILE"):
        return Path(os.environ["CENTRES_FILE"])
    faq_dir = getattr(args, "faq_dir", None) or os.environ.get("FAQ_DIR")
    return Path(faq_dir) / "centres.yaml" if faq_dir else DEFAULT_CENTRES_FILE


def moment(value: str) -> datetime:
    """An ISO 8601 time; without an offset it is UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_file(path: Path) -> bool:
    """Validate a centres file for ``faq check``: problems as ``file:line: message``."""
    centres, problems = load_centres(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if centres is None:
        return False
    print(f"{path}: {len(centres)} centres OK")
    return True


def run(args: argparse.Namespace) -> int:
    """Print the nearest centre; exit 1 for an unknown place or broken file, 2 for bad input."""
    if args.query == "test" and args.cases is not None:
        return run_tests(args)
    if args.cases is not None:
        print("merchant-bot centre: one place at a time (or: centre test CASES.yaml)",
              file=sys.stderr)
        return 2
    query = args.query.strip()
    if not query:
        print("merchant-bot centre: the place is empty", file=sys.stderr)
        return 2
    try:
        parse_point(query)
    except ValueError as exc:
        print(f"merchant-bot centre: {exc}", file=sys.stderr)
        return 2
    path = centres_path(args)
    centres, problems = load_centres(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if centres is None:
        return 1
    at: datetime | None = args.at
    finder = CentreFinder(centres, clock=lambda: at or datetime.now(UTC))
    found = finder.from_place(query)
    if not isinstance(found, Nearest):  # "I'm in Ningbo" works too, as it does in the chat
        said = finder.from_message(query)
        found = said if isinstance(said, Nearest | UnknownPlace) else found
    locale = _locale(args.lang, query)
    if not isinstance(found, Nearest):
        print(f"merchant-bot centre: no place found for {query!r}", file=sys.stderr)
        if args.json:
            print(json.dumps(_json(None), ensure_ascii=False))
        else:
            print(unknown(found, locale))
        return 1
    if args.json:
        print(json.dumps(_json(found), ensure_ascii=False))
    else:
        print(describe(found, locale))
    return 0


def run_tests(args: argparse.Namespace) -> int:
    """``centre test CASES.yaml``: a table per language, the failures, and the targets."""
    centres, problems = load_centres(centres_path(args))
    for problem in problems:
        print(problem, file=sys.stderr)
    if centres is None:
        return 1
    try:
        cases = load_centre_cases(args.cases)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"merchant-bot centre test: {exc}", file=sys.stderr)
        return 1
    finder = CentreFinder(centres)
    results = [run_centre_case(finder, c) for c in cases]
    summary = summarise_centres(results)
    if args.json:
        rows = [
            {"text": r.case.text, "lang": r.case.lang, "expect": r.case.expect,
             "kind": r.case.kind, "got": r.got, "want": r.want, "ok": r.ok}
            for r in results
        ]
        print(json.dumps({"summary": summary, "cases": rows}, ensure_ascii=False, indent=1))
    else:
        print(f"{'lang':<6}{'cases':>7}{'centre questions right':>24}{'look-alikes hijacked':>22}")
        for lang, row in summary.items():
            right = "-" if row["centre_right"] is None else f"{row['centre_right']:.1%}"
            hijacked = "-" if row["hijacked"] is None else f"{row['hijacked']:.1%}"
            print(f"{lang:<6}{row['cases']:>7}{right:>24}{hijacked:>22}")
        failures = [r for r in results if not r.ok]
        if failures:
            print(f"\nFailures ({len(failures)}):")
        for r in failures:
            want = r.case.expect + (f" {r.want}" if r.want else "")
            print(f"  [{r.case.lang}] expected {want}, got {r.got}: {r.case.text}")
    total = summary["all"]
    missed = [
        f"{key} {total[key]:.1%}"
        for key, (kind, bound) in TARGETS.items()
        if total[key] is not None
        and ((kind == "min" and total[key] < bound) or (kind == "max" and total[key] > bound))
    ]
    if missed and not args.json:
        print("\nTargets missed: " + "; ".join(missed))
    return 1 if (missed and args.require_targets) else 0


def _locale(lang: str | None, query: str) -> UiLocale:
    if lang:
        return parse_locale(LANGS[lang]) or "en"
    return locale_for_message(query, None, None)


def _json(found: Nearest | None) -> dict[str, Any]:
    if found is None:
        return {"centre_id": None, "distance_km": None, "place": None, "open_now": None}
    place = found.place
    name = place.name if place is not None else f"{found.lat:.5f},{found.lon:.5f}"
    return {
        "centre_id": found.centre.id,
        "distance_km": round(found.distance_km, 1),
        "place": {
            "name": name,
            "lat": round(found.lat, 5),
            "lon": round(found.lon, 5),
            "country": place.country if place is not None else None,
        },
        "open_now": found.openness.open_now,
    }
