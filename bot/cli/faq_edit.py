"""``merchant-bot faq add-phrasing``: a merchant's wording becomes a phrasing of an entry."""

from __future__ import annotations

import argparse
import sys

from bot.faq.editor import EditRefused, add_phrasing


def register(faq_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``faq add-phrasing`` (the FAQ folder option is added by the caller)."""
    add = faq_sub.add_parser(
        "add-phrasing",
        help="add a wording to an entry's phrasings (comments and layout kept; checked first)",
    )
    add.add_argument("entry", help="the entry id")
    add.add_argument("text", help="the wording, as the merchant wrote it")
    add.add_argument("--lang", required=True, choices=["en", "zh", "ko"])
    add.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
    add.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Edit the file (or only show the diff), or say why not."""
    try:
        edit = add_phrasing(args.faq_dir, args.entry, args.lang, args.text, write=not args.dry_run)
    except EditRefused as exc:
        print(f"merchant-bot faq add-phrasing: {exc.reason}", file=sys.stderr)
        for problem in exc.problems[1:]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(edit.diff(), end="")
    if args.dry_run:
        print("(dry run: nothing written)", file=sys.stderr)
    return 0
