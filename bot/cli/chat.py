"""``merchant-bot chat``: a terminal chat through the same conversation core as every channel."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.terminal import terminal
from bot.faq.engine import build_matcher, cli_semantics
from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher


def run(args: argparse.Namespace) -> int:
    """Read messages from stdin until EOF; a number picks an option of the last reply."""
    faq, problems = load_faq(args.faq_dir)
    for p in problems:
        print(p, file=sys.stderr)
    if faq is None:
        return 1
    return asyncio.run(_chat(build_matcher(faq, cli_semantics()[0]), args))


async def _chat(matcher: Matcher, args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty()
    if interactive:
        print("merchant-bot: ask a question in English, 中文 or 한국어 (Ctrl-D to quit).")
    async with terminal(matcher, args) as merchant:
        while True:
            if interactive:
                print("> ", end="", flush=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return 0
            if line.strip():
                print(await merchant.say(line) + "\n", flush=True)
