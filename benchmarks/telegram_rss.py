"""Memory of the default `serve` with Telegram configured, before and after a flood.

`merchant-bot serve` runs in its own process with its default settings (SQLite, the fused
matcher unless ``--encoder none``), TELEGRAM_BOT_TOKEN set and TELEGRAM_API_URL pointing at a
Bot API server on 127.0.0.1 (tests/telegram/fake_api.py, in this process). 50 merchants send 3
questions each, all at once; when every question has its answer, the process's resident memory
(VmRSS) and its peak (VmHWM) are read from /proc. Each framework in its own process, in one run:

    python -m benchmarks.telegram_rss [--framework aiogram|ptb|both] [--encoder e5|none]
        [--merchants 50] [--questions 3]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.serve import _wait_fused, _wait_healthy, free_port, serve_env, start_serve
from tests.telegram import builders
from tests.telegram.fake_api import TOKEN, FakeBotApi

QUESTIONS = {
    "en": ["How much is the security deposit?", "When do I get paid?", "How do I ship orders?"],
    "ko": ["보증금은 얼마인가요?", "정산은 언제 되나요?", "배송은 어떻게 하나요?"],
    "zh-hans": ["保证金要交多少？", "什么时候回款？", "怎么发货？"],
}
FLOOD_TIMEOUT_S = 600  # only so that a broken run ends; never a figure


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def flood(framework: str, encoder: str, merchants: int, questions: int) -> dict[str, float]:
    """One serve process: memory at rest, after the flood, and its peak."""
    fake = FakeBotApi()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = serve_env(tmp, encoder, Path(tmp) / "vectors")
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url, TELEGRAM_FRAMEWORK=framework
        )
        port = free_port()
        proc = start_serve(port, env)
        try:
            await asyncio.to_thread(_wait_healthy, port, proc)
            if encoder != "none":
                await asyncio.to_thread(_wait_fused, port, proc)
            await asyncio.sleep(1.0)  # the channel's first long poll is open
            rest, _ = memory_mb(proc.pid)
            started = time.perf_counter()
            langs = list(QUESTIONS)
            for m in range(merchants):
                lang = langs[m % len(langs)]
                for q in range(questions):
                    text = QUESTIONS[lang][q % len(QUESTIONS[lang])]
                    await fake.add_update(builders.text(7000 + m, text, lang=lang))
            deadline = time.monotonic() + FLOOD_TIMEOUT_S
            # Every question gets at least one message back (an answer, maybe with more).
            while any(len(fake.delivered(7000 + m)) < questions for m in range(merchants)):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the flood was not answered")
                await asyncio.sleep(0.2)
            seconds = time.perf_counter() - started
            after, peak = memory_mb(proc.pid)
        finally:
            proc.terminate()
            await asyncio.to_thread(proc.wait, 30)
            await fake.close()
    return {"rest": rest, "after": after, "peak": peak, "seconds": seconds}


def main() -> int:
    """Print memory per framework, side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=("aiogram", "ptb", "both"), default="both")
    parser.add_argument("--encoder", choices=("e5", "none"), default="e5")
    parser.add_argument("--merchants", type=int, default=50)
    parser.add_argument("--questions", type=int, default=3)
    args = parser.parse_args()
    frameworks = ("ptb", "aiogram") if args.framework == "both" else (args.framework,)
    print(f"serve with Telegram, MATCHER_ENCODER={args.encoder}, "
          f"{args.merchants} merchants x {args.questions} questions at once")  # fmt: skip
    print(f"{'framework':10} {'at rest MB':>10} {'after MB':>9} {'peak MB':>8} {'flood s':>8}")
    for framework in frameworks:
        got = asyncio.run(flood(framework, args.encoder, args.merchants, args.questions))
        print(
            f"{framework:10} {got['rest']:10.0f} {got['after']:9.0f} {got['peak']:8.0f} "
            f"{got['seconds']:8.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
