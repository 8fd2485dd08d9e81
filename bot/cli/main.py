"""Entry point: ``merchant-bot COMMAND ...`` (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import centre, chat, db, faq_cmds, faq_edit, merchant, report, serve, staff


def default_faq_dir() -> Path:
    """``FAQ_DIR`` from the environment, else ``faq/``."""
    return Path(os.environ.get("FAQ_DIR", "faq"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="merchant-bot", description="Multilingual support bot for cross-border sellers."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def faq_dir_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--faq-dir", type=Path, default=None, help="FAQ folder (default: faq/)")

    ask = sub.add_parser("ask", help="answer one question from the FAQ")
    ask.add_argument("text", help="the merchant's message")
    ask.add_argument("--lang", choices=["en", "zh", "ko"], help="language hint")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    faq_dir_option(ask)
    ask.set_defaults(run=faq_cmds.ask)

    chat_p = sub.add_parser("chat", help="chat with the bot in the terminal")
    chat_p.add_argument("--lang", choices=["en", "zh", "ko"], help="language hint")
    faq_dir_option(chat_p)
    chat_p.set_defaults(run=chat.run)

    faq = sub.add_parser("faq", help="check or test FAQ content")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True, metavar="ACTION")
    check = faq_sub.add_parser("check", help="validate the FAQ folder")
    faq_dir_option(check)
    centre.centres_file_option(check)
    check.set_defaults(run=faq_cmds.check)
    test = faq_sub.add_parser("test", help="run a file of test cases against the matcher")
    test.add_argument("cases", type=Path, help="YAML file with a 'cases:' list")
    test.add_argument("--json", action="store_true", help="print one JSON object")
    test.add_argument(
        "--require-targets",
        action="store_true",
        help="exit 1 unless every language meets the quality targets",
    )
    faq_dir_option(test)
    test.set_defaults(run=faq_cmds.test)
    index = faq_sub.add_parser(
        "index", help="encode the FAQ into the vector cache ahead of serve (progress bar)"
    )
    faq_dir_option(index)
    index.set_defaults(run=faq_cmds.index)
    faq_edit.register(faq_sub)
    faq_dir_option(faq_sub.choices["add-phrasing"])

    serve.register(sub)
    db.register(sub)
    report.register(sub)
    merchant.register(sub)
    centre.register(sub)
    staff.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if getattr(args, "faq_dir", "unset") is None:
        args.faq_dir = default_faq_dir()
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
