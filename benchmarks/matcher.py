"""Matcher benchmark: latency, build time, peak RSS and accuracy against two baselines.

Run: ``python -m benchmarks.matcher`` (``--entries 3000`` sets the size of the generated FAQ,
``--repeat`` how many passes over the questions). Each (matcher, FAQ) pair runs in its own
process pinned to one core, so peak RSS and timings are not shared. Baselines, in the same run:
rapidfuzz ``extractOne`` (WRatio) over every phrasing, and plain BM25 (bm25s) over
whitespace words and single CJK characters.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "faq_cases.yaml"
MATCHERS = ("merchant-bot", "rapidfuzz-extractOne", "bm25-plain")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generated_faq(entries: int, seed: int = 7) -> Any:
    """A FAQ of ``entries`` entries: shipped phrasings plus per-entry topic words."""
    from bot.faq.loader import load_faq
    from bot.faq.model import Faq, FaqEntry

    base, _ = load_faq(ROOT / "faq")
    assert base is not None
    rng = random.Random(seed)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    hangul = [chr(c) for c in range(0xAC00, 0xAC00 + 2000)]
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = []
    for i in range(entries):
        src = base.entries[i % len(base)]
        words = {
            "en": "".join(rng.choice(letters) for _ in range(rng.randint(5, 9))),
            "zh": "".join(rng.choice(han) for _ in range(2)),
            "ko": "".join(rng.choice(hangul) for _ in range(2)),
        }
        sep = {"en": " ", "zh": "", "ko": " "}
        questions = {
            lang: tuple(f"{q}{sep[lang]}{words[lang]}" for q in qs)
            for lang, qs in src.questions.items()
        }
        out.append(
            FaqEntry(
                id=f"{src.id}-{i}",
                category=src.category,
                escalate=src.escalate,
                questions=questions,
                answer=src.answer,
            )
        )
    return Faq(tuple(out))


def _questions() -> list[tuple[str, str]]:
    import yaml

    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return [(c["text"], c["expect"]) for c in data["cases"]]


def _build(name: str, faq: Any) -> Callable[[str], str | None]:
    if name == "merchant-bot":
        from bot.faq.matcher import Matcher

        matcher = Matcher(faq)

        def ours(text: str) -> str | None:
            d = matcher.ask(text)  # the full decision is timed; ranking is compared
            return d.candidates[0].faq_id if d.candidates else None

        return ours
    if name == "rapidfuzz-extractOne":
        from rapidfuzz import fuzz, process, utils

        phrasings = [(q, e.id) for e in faq for qs in e.questions.values() for q in qs]
        choices = [q for q, _ in phrasings]

        def fuzzy(text: str) -> str | None:
            hit = process.extractOne(
                text, choices, scorer=fuzz.WRatio, processor=utils.default_process
            )
            return phrasings[hit[2]][1] if hit else None

        return fuzzy
    if name == "bm25-plain":
        import bm25s
        import numpy as np

        def tokens(text: str) -> list[str]:
            out: list[str] = []
            for word in text.lower().split():
                if word.isascii():
                    out.append(word)
                else:
                    out.extend(word)
            return out

        ids = [e.id for e in faq]
        model = bm25s.BM25()
        docs = [[t for qs in e.questions.values() for q in qs for t in tokens(q)] for e in faq]
        model.index(docs, show_progress=False)
        vocab = model.vocab_dict

        def plain(text: str) -> str | None:
            known = [t for t in tokens(text) if t in vocab]
            if not known:
                return None
            return ids[int(np.argmax(model.get_scores(known)))]

        return plain
    raise ValueError(name)


def run_one(name: str, entries: int, repeat: int) -> dict[str, Any]:
    """Build one matcher and time it over the case questions (runs in a child process)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if entries:
        faq = generated_faq(entries)
    else:
        from bot.faq.loader import load_faq

        faq, _ = load_faq(ROOT / "faq")
    questions = _questions()
    rss_before = _rss_mb()
    start = time.perf_counter()
    ask = _build(name, faq)
    ask("warm up")  # lazy caches (converters, tables) belong to build time
    build_s = time.perf_counter() - start
    times: list[float] = []
    correct = 0
    for _ in range(repeat):
        for text, expect in questions:
            t0 = time.perf_counter()
            got = ask(text)
            times.append((time.perf_counter() - t0) * 1000)
            # Generated entries are "<shipped id>-<n>": any copy of the right entry counts.
            base = got.rsplit("-", 1)[0] if (got and entries) else got
            correct += (base == expect) if expect not in ("fallback", "escalate") else 0
    in_scope = sum(1 for _, e in questions if e not in ("fallback", "escalate")) * repeat
    times.sort()
    return {
        "matcher": name,
        "entries": len(faq),
        "build_s": round(build_s, 3),
        "median_ms": round(statistics.median(times), 3),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 3),
        "peak_rss_mb": round(_rss_mb(), 1),
        "index_rss_mb": round(_rss_mb() - rss_before, 1),
        "top1_in_scope": round(correct / in_scope, 3),
    }


def main() -> int:
    """Run every matcher on the shipped and the generated FAQ; print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MATCHER", "ENTRIES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child[0], int(args.child[1]), args.repeat)))
        return 0
    rows = []
    for entries in (0, args.entries):
        for name in MATCHERS:
            env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.matcher",
                    "--repeat",
                    str(args.repeat),
                    "--child",
                    name,
                    str(entries),
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
                check=True,
            )
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cols = ["matcher", "entries", "build_s", "median_ms", "p99_ms", "peak_rss_mb", "top1_in_scope"]
    print(" | ".join(f"{c:>20}" for c in cols))
    for row in rows:
        print(" | ".join(f"{row[c]!s:>20}" for c in cols))
    print("\nRatios, merchant-bot / baseline (same run; < 1 means merchant-bot is lower):")
    for entries in sorted({r["entries"] for r in rows}):
        ours = next(r for r in rows if r["entries"] == entries and r["matcher"] == MATCHERS[0])
        for base in MATCHERS[1:]:
            b = next(r for r in rows if r["entries"] == entries and r["matcher"] == base)
            ratio = {k: round(ours[k] / b[k], 2) if b[k] else None for k in ("median_ms", "p99_ms")}
            print(
                f"  {entries:>5} entries vs {base:<22} median x{ratio['median_ms']}, "
                f"p99 x{ratio['p99_ms']}, top-1 {ours['top1_in_scope']:.1%} vs "
                f"{b['top1_in_scope']:.1%}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
