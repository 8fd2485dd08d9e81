"""Telegram staff chat under a burst: how long merchants and staff wait, in real time.

Several merchants ask for a person at once. Each gets the bot's answer from the merchant side
while every ticket's topic and header wait for the staff group's own limit (a short window
here, ``--window``) and one 429 from Telegram (retry_after 1 s). Prints, per framework, when
the last merchant was answered and when the last topic had its header. The tests check the
pace itself on a virtual clock (tests/telegram/test_staff.py); these are the wall-clock figures.

    python -m benchmarks.telegram_staff [--framework aiogram|ptb|both] [--tickets 5]
        [--window 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import replace
from pathlib import Path

from bot.channels.telegram.pacing import Rate
from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from tests.telegram import builders
from tests.telegram.conftest import FAST_LIMITS, STAFF_CHAT, Harness
from tests.telegram.fake_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
FIRST_MERCHANT = 8011


async def burst(framework: str, matcher: Matcher, tickets: int, window: float) -> str:
    """One burst on a fresh Bot API server; one line of figures."""
    fake = FakeBotApi()
    await fake.start()
    harness = Harness(fake, framework, matcher)
    try:
        await harness.staffed(limits=replace(FAST_LIMITS, per_group=Rate(2, window)))
        fake.fail("createForumTopic", 429, retry_after=1, times=1)  # Telegram's own limit
        merchants = [FIRST_MERCHANT + i for i in range(tickets)]
        start = time.perf_counter()
        for m in merchants:
            await fake.add_update(builders.command(m, "human", "en"))
        for m in merchants:
            await fake.wait_until(lambda m=m: len(fake.delivered(m)) >= 1, 60)
        answered = time.perf_counter() - start

        def mirrored() -> bool:
            topics = fake.topics.get(STAFF_CHAT, {})
            return len(topics) == tickets and all(
                len(fake.in_topic(STAFF_CHAT, thread)) == 1 for thread in topics
            )

        await fake.wait_until(mirrored, 120)
        headers = time.perf_counter() - start
    finally:
        await harness.close()
        await fake.close()
    return (
        f"{framework:8} {tickets} tickets at once, group limit 2/{window} s, one 429 "
        f"(retry_after 1 s): merchants answered in {answered:.2f} s, {tickets} topics with "
        f"headers in {headers:.2f} s"
    )


async def _run(args: argparse.Namespace) -> int:
    faq, problems = load_faq(ROOT / "faq")
    assert faq is not None, problems
    matcher = Matcher(faq)
    frameworks = ("aiogram", "ptb") if args.framework == "both" else (args.framework,)
    for framework in frameworks:
        print(await burst(framework, matcher, args.tickets, args.window), flush=True)
    return 0


def main() -> int:
    """Parse the options and run the bursts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--framework", choices=("aiogram", "ptb", "both"), default="both")
    parser.add_argument("--tickets", type=int, default=5)
    parser.add_argument("--window", type=float, default=0.3, help="the group limit's window")
    return asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
