"""Gazetteer load: time and memory to load the shipped GeoNames gazetteer in a fresh process.

Run: ``python -m benchmarks.gazetteer`` (``--runs`` fresh processes, default 5). Each process
first imports what the bot imports anyway (numpy, babel, rapidfuzz, opencc, the matcher and
the centre finder), then loads the gazetteer and resolves one name and one nearest place.
Prints the load time (median and slowest) and the memory it added (median). The test suite
checks only the memory (tests/centres/test_gazetteer.py): time depends on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CODE = """
import gc, json, time
import numpy, babel, rapidfuzz, opencc
import bot.faq.matcher, bot.centres.finder
def rss():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmRSS')) / 1024
gc.collect(); before = rss(); start = time.perf_counter()
from bot.centres.gazetteer import default_gazetteer
g = default_gazetteer(); g.resolve('Guangzou'); g.nearest(23.0, 113.7)
seconds = time.perf_counter() - start
gc.collect()
print(json.dumps({"mb": rss() - before, "seconds": seconds, "places": len(g)}))
"""


def measure() -> dict[str, float]:
    """One fresh process: seconds, MB added, places."""
    done = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> int:
    """Run the processes and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes")
    args = parser.parse_args()
    runs = [measure() for _ in range(args.runs)]
    seconds = [r["seconds"] for r in runs]
    print(
        f"gazetteer: {int(runs[0]['places'])} places; load {statistics.median(seconds):.3f} s "
        f"median, {max(seconds):.3f} s slowest of {len(runs)} fresh processes; "
        f"+{statistics.median(r['mb'] for r in runs):.1f} MB RSS (median)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
