"""``merchant-bot chat``: a terminal chat through the same FAQ engine."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from bot.faq.decision import Decision
from bot.faq.engine import build_matcher, cli_semantics
from bot.faq.loader import load_faq
from bot.faq.replies import reply_text


def run(args: argparse.Namespace) -> int:
    """Read questions from stdin until EOF; a number picks an offered option."""
    faq, problems = load_faq(args.faq_dir)
    for p in problems:
        print(p, file=sys.stderr)
    if faq is None:
        return 1
    matcher = build_matcher(faq, cli_semantics()[0])
    offered: list[str] = []
    last: Decision | None = None
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
        if last is not None and text.isdigit() and 1 <= int(text) <= len(offered):
            picked = replace(last, action="answer", faq_id=offered[int(text) - 1])
            print(reply_text(faq, picked) + "\n")
            offered = []
            continue
        decision = last = matcher.ask(text, hint=args.lang)
        offered = [c.faq_id for c in decision.candidates] if decision.action == "clarify" else []
        print(reply_text(faq, decision) + "\n")
