"""``merchant-bot chat``: a terminal chat through the same FAQ engine."""

from __future__ import annotations

import argparse
import sys

from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from bot.faq.problems import Problem
from bot.faq.replies import reply_text


def run(args: argparse.Namespace) -> int:
    """Read questions from stdin until EOF; a number picks an offered option."""
    faq, problems = load_faq(args.faq_dir)
    for p in problems:
        print(p, file=sys.stderr)
    if faq is None:
        return 1
    matcher = Matcher(faq)
    offered: list[str] = []
    interactive = sys.stdin.isatty()
    if interactive:
        print("merchant-bot: ask a question in English, 中文 or 한국어 (Ctrl-D to quit).")
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        text = line.strip()
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(offered):
            entry_id = offered[int(text) - 1]
            lang = matcher.ask(faq.get(entry_id).questions["en"][0]).lang
            print(faq.get(entry_id).answer[lang] + "\n")
            offered = []
            continue
        decision = matcher.ask(text, hint=args.lang)
        offered = [c.faq_id for c in decision.candidates] if decision.action == "clarify" else []
        print(reply_text(faq, decision) + "\n")


__all__ = ["Problem", "run"]
